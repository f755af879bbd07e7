package carryover_test

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/memory/customer/carryover"
)

func ExampleMiddleware() {
	ctx := context.Background()
	store := memory.NewMap()
	sessions, history := memory.NewSessions(store), customer.NewHistory(store)
	carry := carryover.Middleware(sessions, history)
	app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if err := history.Append(ctx, t.CustomerID, t.ConversationID, memory.Entry{Role: memory.RoleUser, Text: t.Text(), Channel: t.Channel}); err != nil {
			return err
		}
		if from, ok := parley.Value(t, carryover.Key); ok {
			return w.Reply(ctx, parley.Text("Picking up our chat from "+from+"."))
		}
		return w.Reply(ctx, parley.Text("Hi!"))
	})
	bot := parley.NewBot(parley.Chain(app, carry), parley.WithSessions(sessions))
	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error { fmt.Println(m.Text); return nil })
	for _, t := range []*parley.Turn{
		{ConversationID: "web-7", CustomerID: "ada", Channel: "web", MessageID: "1", Message: parley.Text("my order is late")},
		{ConversationID: "wa-3", CustomerID: "ada", Channel: "whatsapp", MessageID: "2", Message: parley.Text("still late")},
	} {
		if err := bot.HandleTurn(ctx, w, t); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// Hi!
	// Picking up our chat from web-7.
}
