package intent_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/intent/entity"
	"github.com/parleyhq/parley/intent/train"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

func ExampleRouter() {
	examples, err := train.LoadFile("train/testdata/shop.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := train.Train(context.Background(), examples)
	if err != nil {
		fmt.Println(err)
		return
	}
	u := intent.New(m, intent.WithExtractors(entity.Builtins()...))
	router := intent.NewRouter(intent.WithMenu("I can help with:", "track_order", "refund"))
	router.HandleFunc("track_order", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		und, _ := parley.Value(t, nlu.UnderstandingKey)
		id, _ := und.Entity("order_id")
		return w.Reply(ctx, parley.Text("Looking up order "+id.Value))
	})
	h := parley.Chain(router, intent.Middleware(u))
	w := parley.ReplyFunc(func(ctx context.Context, m parley.Message) error {
		fmt.Println(m.Text, len(m.QuickReplies))
		return nil
	})
	// The Bot keeps each conversation's session; here, one by hand.
	sess := &memory.Session{ID: "c1"}
	for _, text := range []string{"where is my order #123456", "what is the meaning of life", "and the answer is 42"} {
		sess.Turns++
		t := (&parley.Turn{ConversationID: "c1", Message: parley.Text(text)}).WithSession(sess)
		if err := h.HandleTurn(context.Background(), w, t); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// Looking up order 123456 0
	// Sorry, I didn't quite get that. Could you say it another way? 0
	// Sorry, I still didn't get that. I can help with: 2
}

func ExampleUnderstander_Understand() {
	examples, err := train.LoadFile("train/testdata/shop.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := train.Train(context.Background(), examples)
	if err != nil {
		fmt.Println(err)
		return
	}
	u := intent.New(m, intent.WithExtractors(entity.Builtins()...))
	now := time.Date(2025, 6, 11, 12, 0, 0, 0, time.UTC)
	und, err := u.Understand(context.Background(),
		"I want a refund for the shirt I bought last week, and also check if you have it in red", "en", now, time.UTC)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(und.Status, und.Intent.Name, und.Then[0].Name)
	for _, e := range und.Entities {
		fmt.Println(e.Type, e.Value)
	}
	// Output:
	// understood refund product_info
	// daterange 2025-06-02/2025-06-08
}

func ExampleSplit() {
	for _, s := range intent.Split("Return this shirt, and also check if you have it in red") {
		fmt.Println(s.Text)
	}
	// Output:
	// Return this shirt
	// check if you have it in red
}

func ExampleRouter_HandleCommand() {
	router := intent.NewRouter()
	// A form: it asks for an order number, reads the answer, and hands
	// anything else back to the router.
	router.HandleFunc("refund", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if err := dialog.Ask(t, dialog.Question{ID: "order", Owner: "form", Text: "Which order?", Policy: dialog.Resume}); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text("Which order?"))
	})
	router.HandleFunc("form", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if !strings.HasPrefix(t.Text(), "A-") {
			return dialog.ErrNotAnswer
		}
		dialog.CloseQuestion(t)
		return w.Reply(ctx, parley.Text("Refunding "+t.Text()))
	})
	router.HandleCommand(dialog.CommandStop, parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("You won't get offers from us any more."))
	}))
	// Stand-in for language understanding: "refund" is understood.
	understand := func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if t.Text() == "refund" {
				t = parley.With(t, nlu.UnderstandingKey, nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: "refund", Confidence: 1}})
			}
			return next.HandleTurn(ctx, w, t)
		})
	}
	h := parley.Chain(router, intent.Commands(), understand)

	w := parley.ReplyFunc(func(ctx context.Context, m parley.Message) error {
		fmt.Println(m.Text)
		return nil
	})
	// A command works in any state and drops the open question, so the
	// order number that follows is no longer an answer.
	sess := &memory.Session{ID: "c1"}
	for _, text := range []string{"refund", "STOP", "A-1001"} {
		sess.Turns++
		if err := h.HandleTurn(context.Background(), w, (&parley.Turn{ConversationID: "c1", Message: parley.Text(text)}).WithSession(sess)); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// Which order?
	// You won't get offers from us any more.
	// Sorry, I didn't quite get that. Could you say it another way?
}
