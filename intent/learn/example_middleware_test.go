package learn_test

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/intent/learn"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/parleytest"
)

// The queue's middleware goes after the understander's: here a stand-in
// that is unsure of every message. The turn still reaches the router;
// its text waits for review.
func ExampleMiddleware() {
	ctx := context.Background()
	// Without a redactor the queue keeps no text; this one keeps it as
	// it is (a real one masks card numbers and the like).
	q := learn.NewQueue(memory.NewMap(), learn.WithRedactor(func(_ context.Context, _, text string) (string, error) { return text, nil }))
	unsure := func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			u := nlu.Understanding{Status: nlu.Unsure, Ranked: []nlu.Intent{{Name: "refund", Confidence: 0.4}}}
			return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
		})
	}
	router := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Sorry, I didn't follow that."))
	})
	h := parley.Chain(router, unsure, learn.Middleware(q))

	rec := parleytest.NewRecorder()
	if err := h.HandleTurn(ctx, rec, parleytest.NewTurn("my money back pls", parleytest.WithCustomer("cus_1"))); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rec.Texts())
	pending, err := q.Items(ctx, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range pending {
		fmt.Printf("%q: guess %s (%.1f), %s\n", it.Text, it.Guess, it.Confidence, it.Reason)
	}
	// Output:
	// [Sorry, I didn't follow that.]
	// "my money back pls": guess refund (0.4), unsure
}
