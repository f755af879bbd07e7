package flow

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// stdState has state's fields and tags, without its encoder.
type stdState state

func TestStateEncodingMatchesEncodingJSON(t *testing.T) {
	tests := []state{
		{},
		{Flow: "f<>", Version: "1", Node: "n\u2028", Waiting: true, Attempts: 2, Since: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
			Stack: []frame{{Flow: "a", Version: "2", Node: "x"}}, Slots: map[string]string{"b": "2", "a": "\x00é"},
			Visits: map[string]int{"f/n": 3}, Rotation: map[string]int{"f/s": 1}, Intent: "refund",
			Last: Resolved, LastFlow: "g"},
		{Flow: "order_status", Node: "fb", Stack: []frame{{Flow: "menu", Version: "1", Node: "done", Intent: "greeting"}},
			Held: &state{Flow: "refund", Version: "2", Node: "order", Waiting: true, Slots: map[string]string{"reason": "late"},
				Stack: []frame{{Flow: "main", Version: "1", Node: "end"}}, Visits: map[string]int{"refund/order": 1}, Intent: "refund"},
			HeldAt: 7},
	}
	for _, tt := range tests {
		want, err := json.Marshal(stdState(tt))
		require.NoError(t, err)
		require.Equal(t, string(want), string(tt.appendJSON(nil)))
		var back state
		require.NoError(t, json.Unmarshal(tt.appendJSON(nil), &back))
		again, err := json.Marshal(stdState(back))
		require.NoError(t, err)
		require.Equal(t, string(want), string(again), "decoded and encoded again")
	}
}

func FuzzStateEncoding(f *testing.F) {
	f.Add("flow", "node", "slot", "value", 3)
	f.Fuzz(func(t *testing.T, fl, node, k, v string, n int) {
		st := state{Flow: fl, Node: node, Slots: map[string]string{k: v}, Visits: map[string]int{k: n}, Intent: "refund"}
		want, err := json.Marshal(stdState(st))
		if err != nil {
			t.Fatal(err)
		}
		if got := st.appendJSON(nil); string(got) != string(want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}
