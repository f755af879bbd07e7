package analytics_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
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
		assert.Equal(t, 2, got.Turns, "the page view is not the customer's turn")
		assert.Equal(t, []time.Duration{500 * time.Millisecond, 500 * time.Millisecond}, got.ResponseTimes)
		assert.Equal(t, analytics.Percentiles{P50: 300 * time.Millisecond, P95: 300 * time.Millisecond, N: 1}, agg.KPIs(analytics.Window{}).FRT)
	})
}

// TestAPageVisitIsNoConversation: a visitor whose only turns were the
// page's signals (a page view and an idle timer; products viewed three
// times and the bot's offer of help) is no conversation: not in the
// KPIs, the records, the live view or the trends (web12: a load of the
// demo page added an abandoned conversation to every rate, and an offer
// of help nobody read a resolved one). A visitor who then writes is one,
// with only their turns counted and not resolved by the offer of help
// their page views brought, as is one a campaign message reached;
// a log written before turns said which were signals counts every
// record.
func TestAPageVisitIsNoConversation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		nudge := flow.New("nudge").Add(
			&flow.Say{ID: "offer", Text: []string{"Need help with this product?"}, Next: "done"},
			&flow.End{ID: "done", Status: flow.Resolved})
		e, err := flow.NewEngine([]*flow.Builder{nudge})
		require.NoError(t, err)
		agg := analytics.NewAggregator()
		log := &memSink{}
		rec := analytics.NewRecorder(agg, analytics.WithSink(log))
		bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			switch {
			case t.Signal != nil && t.Signal.Name == "product_view" && t.Signal.Data["count_24h"] == "3":
				return e.Starter("nudge").HandleTurn(ctx, w, t) // the bot offers help; nobody answers
			case t.Signal != nil && t.Signal.Name == "campaign":
				t.Emit(ctx, parley.Event{Kind: analytics.EventSent, Attrs: map[string]string{"campaign": "cart"}})
				return w.Reply(ctx, parley.Text("You left something in your cart"))
			case t.Signal != nil:
				return nil
			}
			time.Sleep(time.Second)
			return w.Reply(ctx, parley.Text("Hi!"))
		}), parley.WithObserver(rec))
		w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
		ctx := context.Background()
		signal := func(conv, id, name string, data map[string]string) {
			t.Helper()
			require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: conv, Channel: "web", MessageID: id,
				Signal: &parley.Signal{Name: name, Data: data}}))
		}
		signal("visit", "p1", "page_view", nil)
		signal("visit", "idle", "page.idle", nil)
		for i := range 3 {
			signal("nudged", fmt.Sprint("v", i), "product_view", map[string]string{"count_24h": fmt.Sprint(i + 1)})
		}
		signal("chat", "p1", "page_view", nil)
		time.Sleep(time.Minute)
		require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "chat", Channel: "web", MessageID: "m1", Message: parley.Text("hello")}))
		signal("cart", "step1", "campaign", nil)
		for i := range 3 {
			signal("nudged-chat", fmt.Sprint("v", i), "product_view", map[string]string{"count_24h": fmt.Sprint(i + 1)})
		}
		time.Sleep(time.Minute)
		require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "nudged-chat", Channel: "web", MessageID: "m1", Message: parley.Text("hello")}))
		require.NoError(t, bot.Shutdown(ctx))
		require.NoError(t, rec.Close(ctx))

		for _, conv := range []string{"visit", "nudged"} {
			r, ok := agg.Record(conv)
			require.True(t, ok, "the visit %s is recorded", conv)
			assert.Equal(t, 0, r.Turns, conv)
		}
		all := analytics.Window{}
		var convs []string
		for _, r := range agg.Records(all) {
			convs = append(convs, r.Conversation)
		}
		assert.Equal(t, []string{"chat", "cart", "nudged-chat"}, convs, "records")
		k := agg.KPIs(all)
		assert.Equal(t, 3, k.Conversations)
		assert.Equal(t, 0, k.Resolved, "an offer of help nobody answered resolved nothing")
		nudged, _ := agg.Record("nudged-chat")
		assert.Equal(t, analytics.Abandoned, nudged.Resolution)
		assert.Equal(t, 2, k.Turns, "the customers' messages")
		assert.Equal(t, analytics.Percentiles{P50: time.Second, P95: time.Second, N: 2}, k.FRT,
			"the first response answers the customer, not the page")
		chat, _ := agg.Record("chat")
		assert.Equal(t, 1, chat.Turns)
		assert.Equal(t, []time.Duration{time.Second}, chat.ResponseTimes)
		assert.Equal(t, time.Second, chat.FirstResponse)
		assert.Equal(t, 3, agg.Live(time.Now()).Active, "the chats and the campaign's conversation")
		var trend int
		for _, d := range agg.Trend(analytics.Window{From: start, To: time.Now().Add(time.Second)}, time.Minute) {
			trend += d.Conversations
		}
		assert.Equal(t, 3, trend)

		// The same events in any order: the same figures and verdicts
		// (nodes of one instant may list in another order).
		for seed := range uint64(5) {
			es := log.events()
			rand.New(rand.NewPCG(seed, 1)).Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
			again := analytics.NewAggregator()
			for _, e := range es {
				again.Add(e)
			}
			assert.Equal(t, agg.KPIs(all), again.KPIs(all), "seed %d", seed)
			for _, r := range agg.Records(all) {
				x, _ := again.Record(r.Conversation)
				assert.Equal(t, []any{r.Resolution, r.Turns, r.FirstResponse}, []any{x.Resolution, x.Turns, x.FirstResponse}, "seed %d: %s", seed, r.Conversation)
			}
		}

		// The same events without "signal", as a log written before
		// turns said which were signals: every record counts.
		old := analytics.NewAggregator()
		for _, e := range log.events() {
			if e.Attrs["signal"] != "" {
				e.Attrs = nil
			}
			old.Add(e)
		}
		assert.Equal(t, 5, old.KPIs(all).Conversations)
	})
}

// memSink keeps the events written to it.
type memSink struct {
	mu sync.Mutex
	es []analytics.Event
}

func (s *memSink) Write(_ context.Context, es []analytics.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.es = append(s.es, es...)
	return nil
}

func (s *memSink) events() []analytics.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.es)
}
