package carryover_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/memory/customer/carryover"
)

// stepKey keeps orderFlow's step in the session.
var stepKey = memory.NewStateKey[string]("flow")

// orderFlow asks for an order number, then an email, keeping its step in
// the session state; it also records each turn in the history, as
// privacy.Remember does.
func orderFlow(history *customer.History) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		s := t.Session()
		step, _, err := stepKey.Get(s)
		if err != nil {
			return err
		}
		var reply string
		switch step {
		case "":
			step, reply = "ask_order", "What is your order number?"
		case "ask_order":
			step, reply = "ask_email", "Thanks. And your email?"
		default:
			step, reply = "done", "All set."
		}
		if from, ok := parley.Value(t, carryover.Key); ok {
			reply = "Welcome back (continuing " + from + "). " + reply
		}
		if err := stepKey.Set(s, step); err != nil {
			return err
		}
		if err := history.Append(ctx, t.CustomerID, t.ConversationID, memory.Entry{Role: memory.RoleUser, Text: t.Text(), Channel: t.Channel}); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text(reply))
	})
}

func TestCarryOverAcrossChannels(t *testing.T) {
	synctest.Test(t, testCarryOverAcrossChannels)
}

func testCarryOverAcrossChannels(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	history := customer.NewHistory(store)
	sessions := memory.NewSessions(store)
	carry := carryover.Middleware(sessions, history)
	bot := parley.NewBot(parley.Chain(orderFlow(history), carry), parley.WithSessions(sessions))
	var replies []string
	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error { replies = append(replies, m.Text); return nil })
	n := 0
	say := func(customer, channel, conv, text string) {
		n++
		require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: conv, CustomerID: customer, Channel: channel, MessageID: fmt.Sprint(n), Message: parley.Text(text)}))
	}
	say("ada", "web", "web-1", "my order is late")
	say("ada", "whatsapp", "wa-1", "order 42")
	say("bob", "whatsapp", "wa-2", "hello")
	assert.Equal(t, []string{
		"What is your order number?",
		"Welcome back (continuing web-1). Thanks. And your email?",
		"What is your order number?",
	}, replies, "Ada continues where she left off; Bob starts afresh")

	s, err := sessions.Load(ctx, "wa-1")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(s.History), 3)
	assert.Equal(t, "my order is late", s.History[0].Text, "the web history came along")

	time.Sleep(48 * time.Hour)
	say("ada", "email", "mail-1", "hi again")
	assert.Equal(t, "What is your order number?", replies[len(replies)-1], "too old to continue")

	assert.Panics(t, func() { carryover.Middleware(nil, history) }, "nil sessions is a programmer error")
}

func TestCarryOverRespectsAllow(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	history := customer.NewHistory(store)
	sessions := memory.NewSessions(store)
	carry := carryover.Middleware(sessions, history, carryover.WithAllow(func(*parley.Turn) bool { return false }))
	bot := parley.NewBot(parley.Chain(orderFlow(history), carry), parley.WithSessions(sessions))
	var last string
	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error { last = m.Text; return nil })
	require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "web-1", CustomerID: "ada", MessageID: "1", Message: parley.Text("hi")}))
	require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "wa-1", CustomerID: "ada", MessageID: "2", Message: parley.Text("hi")}))
	assert.Equal(t, "What is your order number?", last)
}
