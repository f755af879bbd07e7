package customer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
)

func TestProfilesRoundTripAndFields(t *testing.T) {
	ctx := context.Background()
	ps := customer.NewProfiles(memory.NewMap())
	p, err := ps.LoadOrNew(ctx, "cust-1")
	require.NoError(t, err)
	p.Name = "Ada Lovelace"
	p.TotalSpent = 123456
	p.LastOrderDate = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	p.Preferences = map[string]string{"contact": "email"}
	p.SetFact("contact_time", customer.Fact{Value: "evenings", Channel: "whatsapp"})
	require.NoError(t, ps.Save(ctx, p))
	require.EqualValues(t, 1, p.Version)

	got, err := ps.Load(ctx, "cust-1")
	require.NoError(t, err)
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("Load (-saved +loaded):\n%s", diff)
	}
	tests := []struct {
		give string
		want string
	}{
		{give: "name", want: "Ada Lovelace"},
		{give: "first_name", want: "Ada"},
		{give: "total_spent", want: "1234.56"},
		{give: "last_order_date", want: "2025-03-14"},
		{give: "pref.contact", want: "email"},
		{give: "fact.contact_time", want: "evenings"},
	}
	for _, tt := range tests {
		v, ok := got.Field(tt.give)
		assert.True(t, ok, tt.give)
		assert.Equal(t, tt.want, v, tt.give)
	}
	_, ok := got.Field("nonsense")
	assert.False(t, ok)
	assert.Equal(t, "evenings", got.Fields()["fact.contact_time"])

	p.Name = "stale"
	p.Version = 0
	require.ErrorIs(t, ps.Save(ctx, p), memory.ErrConflict)
}

func TestProfilesUpdateLosesNothing(t *testing.T) {
	ctx := context.Background()
	ps := customer.NewProfiles(memory.NewMap())
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := ps.Update(ctx, "c", func(p *customer.Profile) error {
				p.Segments = append(p.Segments, fmt.Sprint(i))
				return nil
			})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	p, err := ps.Load(ctx, "c")
	require.NoError(t, err)
	assert.Len(t, p.Segments, 20)
}

func TestProfilesConsent(t *testing.T) {
	var p customer.Profile
	assert.False(t, p.Consented("memory"), "no decision means no consent")
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	p.RecordConsent(customer.Consent{Purpose: "memory", Granted: true, Time: t0, Channel: "web"})
	p.RecordConsent(customer.Consent{Purpose: "marketing", Granted: true, Time: t0})
	assert.True(t, p.Consented("memory"))
	p.RecordConsent(customer.Consent{Purpose: "memory", Granted: false, Time: t0.Add(time.Hour), Channel: "whatsapp"})
	assert.False(t, p.Consented("memory"), "the latest decision wins")
	assert.True(t, p.Consented("marketing"))
	c, ok := p.ConsentFor("memory")
	require.True(t, ok)
	assert.Equal(t, "whatsapp", c.Channel)
}

func TestProfileConsentOn(t *testing.T) {
	var p customer.Profile
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	p.RecordConsent(customer.Consent{Purpose: "service", Granted: true, Time: t0})
	p.RecordConsent(customer.Consent{Purpose: "service", Granted: false, Time: t0.Add(time.Hour), Channel: "sms", Channels: []string{"sms"}})
	tests := []struct {
		name    string
		give    string
		want    bool
		wantSet bool
	}{
		{name: "withdrawn on its channel", give: "sms", want: false, wantSet: true},
		{name: "still granted elsewhere", give: "email", want: true, wantSet: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := p.ConsentOn("service", tt.give)
			assert.Equal(t, tt.wantSet, ok)
			assert.Equal(t, tt.want, c.Granted)
		})
	}
	_, ok := p.ConsentOn("marketing", "sms")
	assert.False(t, ok, "no decision for the purpose")
	clone := p.Clone()
	clone.Consents[1].Channels[0] = "whatsapp"
	assert.Equal(t, "sms", p.Consents[1].Channels[0], "Clone copies the channel lists")
}

func TestProfilesLinkAcrossChannels(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	ps := customer.NewProfiles(store)
	web := customer.Identity{Channel: "web", ID: "visitor-7"}
	wa := customer.Identity{Channel: "whatsapp", ID: "+447700900123"}
	require.NoError(t, ps.Link(ctx, "cust-1", web))
	require.NoError(t, ps.Link(ctx, "cust-1", wa))
	require.NoError(t, ps.Link(ctx, "cust-1", wa), "linking again is a no-op")
	owner, err := ps.Resolve(ctx, wa)
	require.NoError(t, err)
	assert.Equal(t, "cust-1", owner)

	var le *customer.LinkError
	require.ErrorAs(t, ps.Link(ctx, "cust-2", wa), &le)
	assert.Equal(t, "cust-1", le.Owner)

	p, err := ps.Load(ctx, "cust-1")
	require.NoError(t, err)
	assert.Equal(t, []customer.Identity{web, wa}, p.Identities)

	require.NoError(t, ps.Unlink(ctx, web))
	_, err = ps.Resolve(ctx, web)
	require.ErrorIs(t, err, memory.ErrNotFound)

	require.NoError(t, ps.Delete(ctx, "cust-1"))
	_, err = ps.Resolve(ctx, wa)
	require.ErrorIs(t, err, memory.ErrNotFound)
	assert.Zero(t, store.Len(), "nothing of the customer remains")
}

func TestProfilesBadRecords(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	ps := customer.NewProfiles(store)
	put := func(key, val string) {
		_, err := store.Set(ctx, memory.Put{Key: key, Value: []byte(val), IfVersion: memory.AnyVersion})
		require.NoError(t, err)
	}
	put(customer.ProfileKey("corrupt"), `{"customer":`)
	put(customer.ProfileKey("newer"), `{"customer":"newer","v":99}`)
	put(customer.ProfileKey("other"), `{"customer":"someone-else","v":1}`)
	put(customer.ProfileKey("huge"), `{"customer":"huge","name":"`+strings.Repeat("x", 10<<20)+`"}`)
	require.NoError(t, ps.Save(ctx, &customer.Profile{CustomerID: "fine", Name: "Fine"}))

	for _, id := range []string{"corrupt", "newer", "other"} {
		_, err := ps.Load(ctx, id)
		var ce *memory.CorruptError
		require.ErrorAs(t, err, &ce, id)
		assert.Equal(t, customer.ProfileKey(id), ce.Key, "the error names the record")
	}
	_, err := ps.Load(ctx, "huge")
	var tl *memory.ValueTooLargeError
	require.ErrorAs(t, err, &tl)
	assert.Equal(t, customer.ProfileKey("huge"), tl.Key)

	err = ps.Save(ctx, &customer.Profile{CustomerID: "big", Custom: map[string]string{"blob": strings.Repeat("y", 10<<20)}})
	require.ErrorAs(t, err, &tl, "a 10 MB profile is refused")

	p, err := ps.Load(ctx, "fine")
	require.NoError(t, err, "the rest of the store keeps working")
	assert.Equal(t, "Fine", p.Name)
	require.NoError(t, ps.Delete(ctx, "corrupt"), "a corrupt profile can still be erased")
}

func TestHistoryRetentionAndCarryOver(t *testing.T) {
	synctest.Test(t, testHistoryRetentionAndCarryOver) // 31 days pass in no time
}

func testHistoryRetentionAndCarryOver(t *testing.T) {
	ctx := context.Background()
	advance := time.Sleep
	store := memory.NewMap()
	h := customer.NewHistory(store)
	assert.Equal(t, customer.DefaultRetention, h.Retention())

	require.NoError(t, h.Append(ctx, "cust-1", "web-1",
		memory.Entry{Role: memory.RoleUser, Text: "where is order 9?", Channel: "web"},
		memory.Entry{Role: memory.RoleBot, Text: "It ships tomorrow.", Channel: "web"}))
	advance(20 * 24 * time.Hour)
	require.NoError(t, h.Append(ctx, "cust-1", "wa-1", memory.Entry{Role: memory.RoleUser, Text: "and the refund?", Channel: "whatsapp"}))

	all, err := h.Recent(ctx, "cust-1", 0)
	require.NoError(t, err)
	var texts []string
	for _, e := range all {
		texts = append(texts, e.Conversation+"/"+e.Channel+": "+e.Text)
	}
	assert.Equal(t, []string{"web-1/web: where is order 9?", "web-1/web: It ships tomorrow.", "wa-1/whatsapp: and the refund?"}, texts)

	last, err := h.Last(ctx, "cust-1")
	require.NoError(t, err)
	assert.Equal(t, "wa-1", last.Conversation)

	advance(11 * 24 * time.Hour) // the web conversation is now 31 days old
	all, err = h.Recent(ctx, "cust-1", 0)
	require.NoError(t, err)
	require.Len(t, all, 1, "entries older than the retention are gone")
	assert.Equal(t, "and the refund?", all[0].Text)

	require.NoError(t, h.Delete(ctx, "cust-1"))
	_, err = h.Last(ctx, "cust-1")
	require.ErrorIs(t, err, memory.ErrNotFound)
}

func TestHistoryRecentSkipsCorruptRecords(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	h := customer.NewHistory(store)
	require.NoError(t, h.Append(ctx, "c", "conv", memory.Entry{Role: memory.RoleUser, Text: "hi"}))
	_, err := store.Set(ctx, memory.Put{Key: customer.HistoryPrefix("c") + "0-bad", Value: []byte("{"), IfVersion: memory.Absent})
	require.NoError(t, err)
	es, err := h.Recent(ctx, "c", 0)
	var ce *memory.CorruptError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, customer.HistoryPrefix("c")+"0-bad", ce.Key)
	require.Len(t, es, 1, "the readable entries are still returned")
	require.Error(t, h.Append(ctx, "a/b", "conv", memory.Entry{Text: "x"}), "customer IDs with '/' would mix histories")
}

func ExampleProfiles() {
	ctx := context.Background()
	profiles := customer.NewProfiles(memory.NewMap())
	// The same customer on two channels.
	for _, id := range []customer.Identity{{Channel: "web", ID: "v-7"}, {Channel: "whatsapp", ID: "+447700900123"}} {
		if err := profiles.Link(ctx, "cust-1", id); err != nil {
			fmt.Println(err)
		}
	}
	if _, err := profiles.Update(ctx, "cust-1", func(p *customer.Profile) error {
		p.Name = "Ada"
		p.SetFact("contact_time", customer.Fact{Value: "evenings", Channel: "whatsapp"})
		return nil
	}); err != nil {
		fmt.Println(err)
	}
	who, err := profiles.Resolve(ctx, customer.Identity{Channel: "whatsapp", ID: "+447700900123"})
	if err != nil {
		fmt.Println(err)
	}
	p, err := profiles.Load(ctx, who)
	if errors.Is(err, memory.ErrNotFound) {
		fmt.Println("unknown customer")
		return
	}
	name, _ := p.Field("name")
	when, _ := p.Field("fact.contact_time")
	fmt.Println(name, "prefers", when)
	// Output:
	// Ada prefers evenings
}

func ExampleHistory() {
	ctx := context.Background()
	history := customer.NewHistory(memory.NewMap(), customer.WithRetention(90*24*time.Hour))
	if err := history.Append(ctx, "cust-1", "web-1", memory.Entry{Role: memory.RoleUser, Text: "Where is order 9?", Channel: "web"}); err != nil {
		fmt.Println(err)
	}
	// Later, on WhatsApp: pick up where the customer left off.
	last, err := history.Last(ctx, "cust-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("Last time (on %s) you asked: %q\n", last.Channel, last.Text)
	// Output:
	// Last time (on web) you asked: "Where is order 9?"
}

func FuzzProfilesLoad(f *testing.F) {
	f.Add([]byte(`{"customer":"c","name":"Ada","v":1}`))
	f.Add([]byte(`{"customer":"c","v":2}`))
	f.Add([]byte(`{"customer":"c","consents":[{"purpose":"memory","granted":true}],"facts":{"x":{"value":"y"}}}`))
	f.Add([]byte(`{`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		ctx := context.Background()
		store := memory.NewMap()
		if _, err := store.Set(ctx, memory.Put{Key: customer.ProfileKey("c"), Value: raw, IfVersion: memory.AnyVersion}); err != nil {
			t.Fatal(err)
		}
		ps := customer.NewProfiles(store)
		p, err := ps.Load(ctx, "c")
		if err != nil {
			var ce *memory.CorruptError
			var tl *memory.ValueTooLargeError
			if !errors.As(err, &ce) && !errors.As(err, &tl) {
				t.Fatalf("Load: %v is neither a CorruptError nor a ValueTooLargeError", err)
			}
			return
		}
		p.Fields() // never panics
		p.Consented("memory")
		if err := ps.Save(ctx, p); err != nil {
			t.Fatalf("Save of a loaded profile: %v", err)
		}
	})
}
