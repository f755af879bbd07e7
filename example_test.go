package parley_test

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
)

func ExampleBot() {
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("You said: "+t.Text()))
	})
	bot := parley.NewBot(h)
	defer func() {
		if err := bot.Shutdown(context.Background()); err != nil {
			fmt.Println("shutdown:", err)
		}
	}()

	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error {
		fmt.Println(m.Text)
		return nil
	})
	ctx := context.Background()
	t := &parley.Turn{ConversationID: "c1", Channel: "web", MessageID: "m1", Message: parley.Text("hello")}
	if err := bot.HandleTurn(ctx, w, t); err != nil {
		fmt.Println("error:", err)
	}
	// The same webhook delivered again is dropped.
	if err := bot.HandleTurn(ctx, w, t); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// You said: hello
}

func ExampleChain() {
	logging := func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			fmt.Println("turn in", t.ConversationID)
			return next.HandleTurn(ctx, w, t)
		})
	}
	h := parley.Chain(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		fmt.Println("handled", t.Text())
		return nil
	}), logging)
	if err := h.HandleTurn(context.Background(), nil, &parley.Turn{ConversationID: "c1", Message: parley.Text("hi")}); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// turn in c1
	// handled hi
}

func ExampleWith() {
	type tier string
	tierKey := parley.NewKey[tier]("tier")
	t := &parley.Turn{ConversationID: "c1"}
	t2 := parley.With(t, tierKey, tier("gold"))
	v, ok := parley.Value(t2, tierKey)
	_, onOriginal := parley.Value(t, tierKey)
	fmt.Println(v, ok, onOriginal)
	// Output: gold true false
}
