package analytics_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/nlu"
)

// understand stands in for intent.Middleware: "track" is understood as
// track_order, anything else is not understood; it emits what the real
// middleware emits.
func understand(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u := nlu.Understanding{Status: nlu.OutOfScope}
		if strings.Contains(t.Text(), "track") {
			u = nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: "track_order", Confidence: 0.9}}
		}
		t.Emit(ctx, parley.Event{Kind: intent.EventClassified, Attrs: map[string]string{
			"intent": u.Intent.Name, "status": string(u.Status), "confidence": "0.900"}})
		return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
	})
}

// TestBotRecords drives a real Bot, flow engine and router with the
// Recorder as observer: the events they emit today fold into the record
// analytics promises.
func TestBotRecords(t *testing.T) {
	f := flow.New("order_status").Add(
		&flow.Ask{ID: "ask", Slot: "order", Prompt: []string{"Which order?"}, Next: "tell"},
		&flow.Say{ID: "tell", Text: []string{"Order {{slots.order}} is on its way."}, Next: "fb"},
		&flow.Feedback{ID: "fb", Kind: flow.Rating, Next: "done"},
		&flow.End{ID: "done", Status: flow.Resolved, Text: []string{"Thanks!"}},
	)
	e, err := flow.NewEngine([]*flow.Builder{f})
	require.NoError(t, err)
	r := intent.NewRouter()
	r.Handle(flow.DefaultOwner, e)
	r.Handle("track_order", e.Starter("order_status"))
	agg := analytics.NewAggregator()
	rec := analytics.NewRecorder(agg)
	bot := parley.NewBot(parley.Chain(r, understand), parley.WithObserver(rec))
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	for i, text := range []string{"blah", "track my order", "A-1001", "5"} {
		require.NoError(t, bot.HandleTurn(context.Background(), w, &parley.Turn{ConversationID: "c1", CustomerID: "cus_1",
			Channel: "web", MessageID: string(rune('a' + i)), Message: parley.Text(text)}))
	}
	require.NoError(t, bot.Shutdown(context.Background()))
	require.NoError(t, rec.Close(context.Background()))

	got, ok := agg.Record("c1")
	require.True(t, ok)
	assert.Equal(t, "cus_1", got.Customer)
	assert.Equal(t, "web", got.Channel)
	assert.Equal(t, 4, got.Turns)
	assert.Len(t, got.ResponseTimes, 4)
	assert.Positive(t, got.FirstResponse)
	assert.Equal(t, 1, got.Fallbacks)
	assert.Equal(t, []analytics.FlowVisit{{Flow: "order_status", Nodes: []string{"ask", "tell", "fb", "done"}, Status: "resolved"}}, got.Flows)
	assert.Equal(t, 5, got.Feedback.CSAT)
	assert.Equal(t, analytics.Resolved, got.Resolution)
	require.Len(t, got.Intents, 1, "turns with no intent are not intent hits")
	assert.Equal(t, "track_order", got.Intents[0].Intent)
	assert.False(t, got.End.Before(got.Start))
	assert.Less(t, got.End.Sub(got.Start), time.Minute)
}

// The first response time runs from the customer's first message to the
// bot's first reply: not the length of a page event's turn nobody was
// answered in (QA9: every first_response_s was 0.000), nor the rest of
// the turn after the reply.
func TestFirstResponseIsTheFirstReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		agg := analytics.NewAggregator()
		rec := analytics.NewRecorder(agg)
		bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if t.Signal != nil {
				return nil // a page view: nothing to say
			}
			time.Sleep(300 * time.Millisecond) // thinking
			if err := w.Reply(ctx, parley.Text("Hi!")); err != nil {
				return err
			}
			time.Sleep(200 * time.Millisecond) // work after the answer
			return w.Reply(ctx, parley.Text("Anything else?"))
		}), parley.WithObserver(rec))
		w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
		ctx := context.Background()
		require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c1", Channel: "web", MessageID: "view",
			Signal: &parley.Signal{Name: "page_view"}}))
		time.Sleep(time.Minute)
		for _, id := range []string{"m1", "m2"} {
			require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c1", Channel: "web", MessageID: id, Message: parley.Text("hello")}))
		}
		require.NoError(t, bot.Shutdown(ctx))
		require.NoError(t, rec.Close(ctx))

		got, ok := agg.Record("c1")
		require.True(t, ok)
		assert.Equal(t, 300*time.Millisecond, got.FirstResponse)
		assert.Equal(t, []time.Duration{0, 500 * time.Millisecond, 500 * time.Millisecond}, got.ResponseTimes)
		assert.Equal(t, analytics.Percentiles{P50: 300 * time.Millisecond, P95: 300 * time.Millisecond, N: 1}, agg.KPIs(analytics.Window{}).FRT)
	})
}
