package analytics_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/flow"
)

func ExampleNewRecorder() {
	agg := analytics.NewAggregator()
	rec := analytics.NewRecorder(agg)
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		t.Emit(ctx, parley.Event{Kind: flow.EventEnd, Attrs: map[string]string{"flow": "faq", "status": "resolved"}})
		return w.Reply(ctx, parley.Text("Refunds take 5 days."))
	}), parley.WithObserver(rec))
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	if err := bot.HandleTurn(context.Background(), w, &parley.Turn{ConversationID: "c1", Message: parley.Text("refund?")}); err != nil {
		fmt.Println(err)
	}
	if err := bot.Shutdown(context.Background()); err != nil {
		fmt.Println(err)
	}
	if err := rec.Close(context.Background()); err != nil { // writes what is buffered
		fmt.Println(err)
	}
	r, _ := agg.Record("c1")
	fmt.Println(r.Turns, r.Resolution)
	// Output: 1 resolved
}

func ExampleAggregator_KPIs() {
	agg := analytics.NewAggregator()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i, status := range []string{"resolved", "resolved", "unresolved"} {
		conv := fmt.Sprint("c", i)
		agg.Add(analytics.Event{Kind: parley.EventTurn, Conversation: conv, Time: at, Duration: time.Duration(i+1) * time.Second})
		agg.Add(analytics.Event{Kind: flow.EventEnd, Conversation: conv, Time: at, Attrs: map[string]string{"flow": "f", "status": status}})
	}
	k := agg.KPIs(analytics.Week(at))
	fmt.Printf("%d conversations, self-service %.0f%%, FRT p50 %v\n", k.Conversations, 100*k.SelfService, k.FRT.P50)
	// Output: 3 conversations, self-service 67%, FRT p50 2s
}
