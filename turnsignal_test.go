package parley_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

// TestTurnEventSaysWhichTurnsWereSignals: the EventTurn of a turn the
// customer did not send (a page event, a timer) names its signal in
// Attrs "signal", through HandleTurn and through Enqueue; a message, and
// a signal carrying the customer's text (a button's), have none. A page
// visit that never opened the chat counted as a conversation without it.
func TestTurnEventSaysWhichTurnsWereSignals(t *testing.T) {
	turns := []*parley.Turn{
		{ConversationID: "c", MessageID: "m1", Channel: "web", Signal: &parley.Signal{Name: "product_view"}},
		{ConversationID: "c", MessageID: "m2", Channel: "web", Message: parley.Text("hello")},
		{ConversationID: "c", MessageID: "m3", Channel: "web", Message: parley.Text("Yes"), Signal: &parley.Signal{Name: "button"}},
		{ConversationID: "c", MessageID: "m4", Channel: "web", Signal: &parley.Signal{Name: "page.idle", Data: map[string]string{"page": "/cart"}}},
	}
	want := []map[string]string{{"signal": "product_view"}, nil, nil, {"signal": "page.idle"}}
	check := func(t *testing.T, ev *events) {
		t.Helper()
		got := ev.of(parley.EventTurn)
		require.Len(t, got, len(want))
		for i, e := range got {
			assert.Equal(t, turns[i].MessageID, e.MessageID)
			assert.Equal(t, want[i], e.Attrs, "turn %s", e.MessageID)
		}
	}
	t.Run("HandleTurn", func(t *testing.T) {
		ev := &events{}
		bot := parley.NewBot(echo, parley.WithObserver(ev))
		for _, tn := range turns {
			require.NoError(t, bot.HandleTurn(context.Background(), &sink{}, tn))
		}
		check(t, ev)
	})
	t.Run("Enqueue", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ev := &events{}
			bot := parley.NewBot(echo, parley.WithObserver(ev), parley.WithSender("web", newOutbox()))
			ctx := context.Background()
			for _, tn := range turns {
				require.NoError(t, bot.Enqueue(ctx, tn))
			}
			require.NoError(t, bot.Shutdown(ctx))
			check(t, ev)
		})
	})
}
