package memory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// stdSession is a Session without its MarshalJSON, so encoding/json's
// output can be compared with ours.
type stdSession Session

func TestSessionMarshalMatchesEncodingJSON(t *testing.T) {
	loc := time.FixedZone("X", -5*3600)
	s := &Session{
		ID: "c<1>&\"\\", CustomerID: "cus\u2028", Created: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		Updated: time.Date(2026, 1, 2, 3, 4, 5, 0, loc), Turns: 3, Messages: 7,
		History: []Entry{
			{Role: RoleUser, Text: "héllo\n\t\x01 \xff ok", Time: time.Unix(1, 0).UTC(), MessageID: "m1", Channel: "web"},
			{Role: RoleBot, Text: "", Time: time.Time{}, Meta: map[string]string{"b": "2", "a": "1"}},
		},
		State:  map[string]json.RawMessage{"flow": json.RawMessage(`{"node":"x"}`), "a": json.RawMessage(`[1,2]`)},
		Seen:   []string{"m1", "m2"},
		Format: 1,
	}
	got, err := json.Marshal(s)
	require.NoError(t, err)
	want, err := json.Marshal(stdSession(*s))
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))

	var back Session
	require.NoError(t, json.Unmarshal(got, &back))
	if diff := cmp.Diff(s.History[1].Meta, back.History[1].Meta); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func FuzzSessionMarshal(f *testing.F) {
	f.Add("id", "text", "meta")
	f.Add("\xff", "<\u2028>", "\x00")
	f.Fuzz(func(t *testing.T, id, text, meta string) {
		s := &Session{ID: id, History: []Entry{{Role: RoleUser, Text: text, Meta: map[string]string{meta: text}}}, Seen: []string{meta}}
		got, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(stdSession{ID: s.ID, History: s.History, Seen: s.Seen})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

// TestSessionSaveReusesOnlyUnchangedEntries: Save copies the JSON of the
// history entries loaded from the cache that did not change; whatever a
// caller does to the history between load and save, the record is the one
// encoding/json writes.
func TestSessionSaveReusesOnlyUnchangedEntries(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	entry := func(i int) Entry {
		return Entry{Role: RoleUser, Text: fmt.Sprintf("message %d", i), Time: at.Add(time.Duration(i) * time.Second), MessageID: fmt.Sprint(i), Channel: "web"}
	}
	tests := []struct {
		name   string
		change func(s *Session)
	}{
		{name: "append", change: func(s *Session) { s.Append(entry(100)) }},
		{name: "append past the window", change: func(s *Session) {
			for i := range 7 {
				s.Append(entry(100 + i))
			}
		}},
		{name: "text changed in place", change: func(s *Session) { s.History[2].Text = "redacted" }},
		{name: "time changed in place", change: func(s *Session) { s.History[0].Time = s.History[0].Time.In(time.FixedZone("X", 3600)) }},
		{name: "role and channel changed", change: func(s *Session) { s.History[1].Role, s.History[3].Channel = RoleAgent, "sms" }},
		{name: "meta added", change: func(s *Session) { s.History[1].Meta = map[string]string{"intent": "refund"} }},
		{name: "prepended", change: func(s *Session) { s.History = append([]Entry{entry(-1)}, s.History...) }},
		{name: "replaced", change: func(s *Session) { s.History = []Entry{entry(7), entry(8)} }},
		{name: "emptied", change: func(s *Session) { s.History = nil }},
		{name: "reversed", change: func(s *Session) { slices.Reverse(s.History) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			store := NewMap()
			ss := NewSessions(store, WithHistoryWindow(6))
			s := ss.New("c")
			for i := range 5 {
				s.Append(entry(i))
			}
			s.History[4].Meta = map[string]string{"k": "v"}
			require.NoError(t, ss.Save(ctx, s))
			// Changing the saved session must not matter.
			s.History[0].Text = "changed after save"

			s, err := ss.Load(ctx, "c")
			require.NoError(t, err)
			require.NotNil(t, s.enc, "loaded from the cache")
			tt.change(s)
			require.NoError(t, ss.Save(ctx, s))

			rec, err := store.Get(ctx, SessionKey("c"))
			require.NoError(t, err)
			want, err := json.Marshal(stdSession(*s))
			require.NoError(t, err)
			require.Equal(t, string(want), string(rec.Value))

			// And once more from that record.
			s, err = ss.Load(ctx, "c")
			require.NoError(t, err)
			s.Append(entry(200))
			require.NoError(t, ss.Save(ctx, s))
			rec, err = store.Get(ctx, SessionKey("c"))
			require.NoError(t, err)
			want, err = json.Marshal(stdSession(*s))
			require.NoError(t, err)
			require.Equal(t, string(want), string(rec.Value))
		})
	}
}
