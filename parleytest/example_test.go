package parleytest_test

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
)

func ExampleNewRecorder() {
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if err := parley.Typing(ctx, w); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text("Which order is it?"))
	})
	rec := parleytest.NewRecorder()
	if err := h.HandleTurn(context.Background(), rec, parleytest.NewTurn("I want a refund")); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rec.Texts(), rec.Typed())
	// Output: [Which order is it?] 1
}

func ExampleNewTurn() {
	// A handler that keeps state in the session, called twice on one
	// session as a Bot would.
	count := memory.NewStateKey[int]("example.count")
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		n, _, err := count.Get(t.Session())
		if err != nil {
			return err
		}
		if err := count.Set(t.Session(), n+1); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text(fmt.Sprintf("message %d from %s", n+1, t.CustomerID)))
	})
	first := parleytest.NewTurn("hi", parleytest.WithCustomer("cus_1"))
	second := parleytest.NewTurn("again", parleytest.WithCustomer("cus_1"), parleytest.WithSession(first.Session()))
	rec := parleytest.NewRecorder()
	for _, t := range []*parley.Turn{first, second} {
		if err := h.HandleTurn(context.Background(), rec, t); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(rec.Texts())
	// Output: [message 1 from cus_1 message 2 from cus_1]
}
