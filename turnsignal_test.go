package parley_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
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

// TestHistoryKeepsWhatTheCustomerTapped: a tap on a quick reply arrives
// as its payload ("yes") and is kept so, for the handlers; the history
// entry also says the title the customer tapped ("Yes"), so that a
// transcript shown to a person reads what the customer saw (web12: the
// workspace read "Customer · yes"). A page event between the question
// and the tap does not lose it; text typed after another message, or a
// quick reply whose payload is its title, has no annotation.
func TestHistoryKeepsWhatTheCustomerTapped(t *testing.T) {
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal != nil {
			return nil
		}
		if t.Text() == "refund" {
			return w.Reply(ctx, parley.Message{Text: "To confirm: refund $80.00?", QuickReplies: []parley.QuickReply{
				{Title: "Yes", Payload: "yes"}, {Title: "No", Payload: "no"}, {Title: "Maybe"}}})
		}
		return w.Reply(ctx, parley.Text("ok"))
	}))
	ctx := context.Background()
	for i, tn := range []*parley.Turn{
		{Message: parley.Text("refund")},
		{Signal: &parley.Signal{Name: "page_view"}},
		{Message: parley.Text("yes")},
		{Message: parley.Text("refund")},
		{Message: parley.Text("Maybe")},
		{Message: parley.Text("no")},
	} {
		tn.ConversationID, tn.Channel, tn.MessageID = "c", "web", fmt.Sprint("m", i)
		require.NoError(t, bot.HandleTurn(ctx, &sink{}, tn))
	}
	s, err := bot.Sessions().Load(ctx, "c")
	require.NoError(t, err)
	var got []string
	for _, e := range s.History {
		if e.Role == memory.RoleUser && e.Text != "" {
			got = append(got, e.Text+" "+e.Meta["tapped"])
		}
	}
	assert.Equal(t, []string{"refund ", "yes Yes", "refund ", "Maybe ", "no "}, got)
}
