package privacytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/intent/learn"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/privacy"
)

// A person is a customer with personal data to find afterwards.
type person struct {
	id, name, email, phone, card, web, wa string
}

// RunErasure runs the erasure scenario on store, which must be empty (or
// hold nothing under the keys Parley uses).
func RunErasure(t testing.TB, store memory.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	profiles := customer.NewProfiles(store)
	history := customer.NewHistory(store)
	vault := privacy.NewStoreVault(store)
	redactor := privacy.NewRedactor(privacy.WithVault(vault), privacy.WithMode(privacy.KindEmail, privacy.Tokenize))
	consent := privacy.RequireConsent(profiles, parley.Text("May I remember our chats? (yes/no)"))
	app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
		if strings.EqualFold(tn.Text(), "yes") {
			if err := privacy.RecordConsent(ctx, profiles, tn.CustomerID, privacy.PurposeMemory, true, tn.Channel); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text("Thanks, I'll remember."))
		}
		if _, err := profiles.Update(ctx, tn.CustomerID, func(p *customer.Profile) error {
			if privacy.Allowed(tn) {
				p.SetFact("last_topic", customer.Fact{Value: tn.Text(), Channel: tn.Channel})
			}
			return nil
		}); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text("Noted: "+tn.Text()))
	})
	bot := parley.NewBot(parley.Chain(app, consent, privacy.Remember(history, redactor)), parley.WithStore(store))
	// The intent review queue, keeping the words as typed (a redactor
	// that keeps them), so that erasure has something to find.
	review := learn.NewQueue(store, learn.WithRedactor(func(_ context.Context, _, text string) (string, error) { return text, nil }))
	front := parley.Chain(bot, privacy.RedactInbound(redactor))
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })

	people := []person{
		{id: "cust-ada", name: "Ada Lovelace", email: "ada@example.com", phone: "+44 7700 900123", card: "4111111111111111", web: "v-ada", wa: "+447700900123"},
		{id: "cust-bob", name: "Bob Keeper", email: "bob@example.org", phone: "+1 202 555 0143", card: "5500000000000004", web: "v-bob", wa: "+12025550143"},
	}
	n := 0
	say := func(p person, channel, conv, text string) {
		t.Helper()
		n++
		tn := &parley.Turn{ConversationID: conv, CustomerID: p.id, Channel: channel, MessageID: fmt.Sprint("m", n), Message: parley.Text(text)}
		if err := front.HandleTurn(ctx, w, tn); err != nil {
			t.Fatalf("turn %q: %v", text, err)
		}
	}
	for _, p := range people {
		if err := profiles.Link(ctx, p.id, customer.Identity{Channel: "web", ID: p.web}); err != nil {
			t.Fatal(err)
		}
		if err := profiles.Link(ctx, p.id, customer.Identity{Channel: "whatsapp", ID: p.wa}); err != nil {
			t.Fatal(err)
		}
		if _, err := profiles.Update(ctx, p.id, func(pr *customer.Profile) error {
			pr.Name, pr.Email = p.name, p.email
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		say(p, "web", "web-"+p.id, "hello")
		say(p, "web", "web-"+p.id, "yes")
		say(p, "web", "web-"+p.id, "my email is "+p.email+" and card "+p.card)
		say(p, "whatsapp", "wa-"+p.id, "call me on "+p.phone)
		// A contact verified by the channel layer's linker.
		if _, err := channel.NewStoreLinker(store).Link(ctx, channel.Identity{Channel: "email", UserID: p.email}, channel.Contact{Email: p.email}); err != nil {
			t.Fatal(err)
		}
		// Records other packages keep, in their layouts: an application's
		// per-customer prefix, the web chat's transcript, the escalation
		// wake index, a campaign run, the delivery log and ledger.
		records := map[string]string{
			"analytics/" + p.id + "/visitor":      `{"customer":"` + p.id + `"}`,
			"web/transcript/" + p.web:             `{"consent":"granted","customer":"` + p.id + `","entries":[{"id":"m1","role":"user","message":{"text":"I am ` + p.name + `, ` + p.email + `"}}]}`,
			"escalation/wake/wa-" + p.id:          `{"conversation":"wa-` + p.id + `","customer":"` + p.id + `","channel":"whatsapp"}`,
			"proactive/run/" + p.id + "/win-back": `{"customer":"` + p.id + `","campaign":"win-back"}`,
			"proactive/log/" + p.id:               `[{"campaign":"win-back","to":"` + p.wa + `"}]`,
			"proactive/ledger/" + p.id:            `{"sent":["` + p.wa + `"]}`,
		}
		if err := review.Add(ctx, p.id, learn.Item{Conversation: "wa-" + p.id, Channel: "whatsapp",
			Text: "this is " + p.name + ", write to " + p.email, Reason: "unsure"}); err != nil {
			t.Fatal(err)
		}
		for k, v := range records {
			if _, err := store.Set(ctx, memory.Put{Key: k, Value: []byte(v), IfVersion: memory.AnyVersion}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := bot.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	// Stores outside the memory.Store: desk tickets, the actions' audit
	// log and pending approvals, analytics records, scheduled jobs.
	others := newOutside(t, ctx, people)

	eraser := privacy.NewEraser(append(privacy.StoreSources(store),
		privacy.PrefixSource("app_analytics", store, func(id string) string { return "analytics/" + id + "/" }),
		others.desk, action.PrivacySource(others.reg), privacy.ObserverSource(others.observer()),
		privacy.JobsSource(others.jobs), others.gaps, learn.PrivacySource(review),
	)...)
	ada, bob := people[0], people[1]

	// Right of access: the export holds everything, as JSON.
	data, err := eraser.Export(ctx, ada.id)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	var x privacy.Export
	if err := json.Unmarshal(data, &x); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	for _, src := range []string{"profile", "history", "sessions", "vault", "app_analytics", "web_transcripts", "escalation_wake", "proactive", "desk_tickets", "actions", "kb_gaps", "review_queue"} {
		if _, ok := x.Sources[src]; !ok {
			t.Errorf("export has no %q section", src)
		}
	}
	if rq, err := json.Marshal(x.Sources["review_queue"]); err != nil || !decoded(rq).has(ada.email) || decoded(rq).has(bob.email) {
		t.Errorf("the review queue's export is not Ada's items: %s (%v)", rq, err)
	}
	export := decoded(data)
	for _, want := range []string{ada.name, ada.email, ada.wa, "call me on [phone]", "win-back"} {
		if !export.has(want) {
			t.Errorf("export does not contain %q", want)
		}
	}
	if export.has(bob.id) {
		t.Errorf("Ada's export mentions Bob")
	}
	// Before erasure, her data is in the store.
	before := dumpStore(t, ctx, store)
	before.texts = append(before.texts, others.dump(t, ctx).texts...)
	if !before.has(ada.id) {
		t.Fatalf("scenario stored nothing about %s", ada.id)
	}
	for _, p := range people {
		if err := others.holds(t, ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, raw := range []string{ada.card, ada.phone} {
		if s, ok := before.find(raw); ok {
			t.Errorf("%q was stored despite redaction:\n%s", raw, excerpt(s, raw))
		}
	}

	if err := eraser.Erase(ctx, ada.id); err != nil {
		t.Fatalf("Erase: %v", err)
	}
	if err := eraser.Erase(ctx, ada.id); err != nil {
		t.Fatalf("second Erase: %v (erasure must be idempotent)", err)
	}
	after := dumpStore(t, ctx, store)
	after.texts = append(after.texts, others.dump(t, ctx).texts...)
	for _, gone := range []string{ada.id, ada.name, ada.email, ada.web, ada.wa, ada.phone, ada.card} {
		if s, ok := after.find(gone); ok {
			t.Errorf("after erasure Parley still holds %q:\n%s", gone, excerpt(s, gone))
		}
	}
	for _, kept := range []string{bob.id, bob.name, bob.wa, bob.email} {
		if !after.has(kept) {
			t.Errorf("erasing Ada removed Bob's %q", kept)
		}
	}
	if _, err := profiles.Load(ctx, bob.id); err != nil {
		t.Errorf("Bob's profile after Ada's erasure: %v", err)
	}
	if es, err := history.Recent(ctx, bob.id, 0); err != nil || len(es) == 0 {
		t.Errorf("Bob's history after Ada's erasure: %d entries, %v", len(es), err)
	}
}

// A dump is every record of a store, decoded: its keys and the strings
// of its values (JSON values are decoded, so escapes cannot hide or fake
// data; other values are taken as text). Checks match whole identifiers
// in it, never substrings, so random bytes (a vault token, a timestamp)
// can never look like a customer's data by chance.
type dump struct {
	texts []string // one per key, string leaf, map key and number
}

// dumpStore reads every key and value in store.
func dumpStore(t testing.TB, ctx context.Context, store memory.Store) dump {
	t.Helper()
	var d dump
	if err := store.Keys(ctx, "", func(k string) bool {
		rec, err := store.Get(ctx, k)
		if err != nil {
			t.Errorf("Get(%q): %v", k, err)
			return true
		}
		d.texts = append(d.texts, k)
		d.add(rec.Value)
		return true
	}); err != nil {
		t.Fatalf("Keys: %v", err)
	}
	return d
}

// decoded returns the dump of one JSON document (or text).
func decoded(b []byte) dump {
	var d dump
	d.add(b)
	return d
}

// add decodes a value: a JSON document into its strings, anything else as
// one text.
func (d *dump) add(b []byte) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		d.texts = append(d.texts, string(b))
		return
	}
	d.walk(v)
}

func (d *dump) walk(v any) {
	switch v := v.(type) {
	case string:
		d.texts = append(d.texts, v)
		// A string may itself hold JSON (a session's state).
		if len(v) > 1 && (v[0] == '{' || v[0] == '[') && json.Valid([]byte(v)) {
			d.add([]byte(v))
		}
	case json.Number:
		d.texts = append(d.texts, v.String())
	case []any:
		for _, e := range v {
			d.walk(e)
		}
	case map[string]any:
		for k, e := range v {
			d.texts = append(d.texts, k)
			d.walk(e)
		}
	}
}

// has reports whether the dump holds id as a whole identifier: a match
// not preceded or followed by a letter or digit ("cust-ada" is in
// "profile/cust-ada" and in "the cust-ada account", not in "cust-adam";
// "4111111111111111" is not in a token that merely contains those digits).
func (d dump) has(id string) bool {
	_, ok := d.find(id)
	return ok
}

// find returns the text holding id as a whole identifier.
func (d dump) find(id string) (string, bool) {
	for _, s := range d.texts {
		if wholeIn(s, id) {
			return s, true
		}
	}
	return "", false
}

// wholeIn reports whether id occurs in s with no letter or digit right
// before or after it.
func wholeIn(s, id string) bool {
	if id == "" {
		return false
	}
	for off := 0; ; {
		i := strings.Index(s[off:], id)
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(id)
		before, _ := utf8.DecodeLastRuneInString(s[:start])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if (start == 0 || !isIdent(before)) && (end == len(s) || !isIdent(after)) {
			return true
		}
		off = start + 1
	}
}

func isIdent(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// excerpt returns up to 200 bytes of text around id.
func excerpt(text, id string) string {
	i := max(strings.Index(text, id), 0)
	lo, hi := max(i-200, 0), min(i+200, len(text))
	return text[lo:hi]
}
