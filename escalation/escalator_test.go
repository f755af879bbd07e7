package escalation

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// harness wires a Bot, an Escalator and a MemoryDesk the way an
// application does in main.
type harness struct {
	t      *testing.T
	bot    *parley.Bot
	desk   *MemoryDesk
	esc    *Escalator
	store  *memory.Map
	now    time.Time
	appRan int

	mu      sync.Mutex
	replies []parley.Message
	events  []parley.Event
	seq     int
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

func (h *harness) Reply(_ context.Context, m parley.Message) error {
	h.mu.Lock()
	h.replies = append(h.replies, m)
	h.mu.Unlock()
	return nil
}

func (h *harness) Observe(_ context.Context, e parley.Event) {
	h.mu.Lock()
	h.events = append(h.events, e)
	h.mu.Unlock()
}

func newHarness(t *testing.T, mw parley.Middleware, opts ...Option) *harness {
	t.Helper()
	h := &harness{t: t, now: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC), store: memory.NewMap()}
	deliver := DeliverFunc(func(ctx context.Context, turn *parley.Turn) error { return h.bot.HandleTurn(ctx, h, turn) })
	h.desk = NewMemoryDesk(deliver, WithDeskClock(h.clock))
	esc, err := New(h.desk, append([]Option{WithClock(h.clock), WithWaker(h.store, deliver, time.Second)}, opts...)...)
	require.NoError(t, err)
	h.esc = esc
	app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
		h.appRan++
		if u, ok := parley.Value(turn, parley.UnderstandingKey); ok && (u.Status == parley.Unsure || u.Status == parley.OutOfScope) {
			// What an intent router does with a turn it cannot place.
			turn.Emit(ctx, parley.Event{Kind: parley.EventFallback})
			return w.Reply(ctx, parley.Text("bot: sorry, I didn't get that"))
		}
		return w.Reply(ctx, parley.Text("bot: "+turn.Text()))
	})
	mws := []parley.Middleware{}
	if mw != nil {
		mws = append(mws, mw)
	}
	mws = append(mws, esc.Middleware)
	h.bot = parley.NewBot(parley.Chain(app, mws...), parley.WithStore(h.store), parley.WithObserver(h), parley.WithClock(h.clock))
	return h
}

// say sends a user message and returns the replies it produced.
func (h *harness) say(text string) []string {
	h.t.Helper()
	h.mu.Lock()
	h.seq++
	id := "m" + string(rune('0'+h.seq%10)) + time.Duration(h.seq).String()
	start := len(h.replies)
	h.mu.Unlock()
	require.NoError(h.t, h.bot.HandleTurn(context.Background(), h, &parley.Turn{ConversationID: "c1", CustomerID: "cu1", Channel: "web", MessageID: id, Message: parley.Text(text)}))
	return h.since(start)
}

func (h *harness) mark() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.replies)
}

func (h *harness) since(start int) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, m := range h.replies[start:] {
		out = append(out, m.Text)
	}
	return out
}

func (h *harness) last() parley.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.replies[len(h.replies)-1]
}

func (h *harness) state() State {
	h.t.Helper()
	s, err := h.bot.Sessions().Load(context.Background(), "c1")
	require.NoError(h.t, err)
	st, _, err := memory.GetState[State](s, StateName)
	require.NoError(h.t, err)
	return st
}

func (h *harness) kinds() []parley.EventKind {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []parley.EventKind
	for _, e := range h.events {
		if strings.HasPrefix(string(e.Kind), "escalation.") {
			out = append(out, e.Kind)
		}
	}
	return out
}

func (h *harness) event(k parley.EventKind) (parley.Event, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.events {
		if e.Kind == k {
			return e, true
		}
	}
	return parley.Event{}, false
}

func TestLifecycleAskForHuman(t *testing.T) {
	h := newHarness(t, nil)
	assert.Equal(t, []string{"bot: my order 1234 never arrived"}, h.say("my order 1234 never arrived"))
	got := h.say("I want to talk to a human")
	require.Len(t, got, 1)
	assert.Contains(t, got[0], "connecting you")

	q := h.desk.Queue()
	require.Len(t, q, 1)
	tk := q[0]
	assert.Equal(t, "c1-1", tk.ID)
	assert.Equal(t, "asked for a human", tk.Reason)
	assert.Equal(t, parley.PriorityHigh, tk.Priority)
	assert.Equal(t, StatusQueued, tk.Status)
	require.NotEmpty(t, tk.Transcript)
	assert.Equal(t, "my order 1234 never arrived", tk.Transcript[0].Text)
	assert.Contains(t, tk.Summary, "my order 1234 never arrived")
	assert.NotEmpty(t, tk.SuggestedReply)

	// The bot stays silent: the message goes to the desk.
	ran := h.appRan
	got = h.say("are you there?")
	assert.Equal(t, ran, h.appRan, "app must not run while a human owns the conversation")
	assert.Len(t, got, 1, "user is told the message was added")
	tk, _ = h.desk.Get("c1-1")
	require.Len(t, tk.Thread, 1)
	assert.Equal(t, "are you there?", tk.Thread[0].Text)

	h.advance(90 * time.Second)
	m := h.mark()
	require.NoError(t, h.desk.Reply(context.Background(), "c1-1", "Anna", "Hi, I'm Anna. I see order 1234 is late."))
	assert.Equal(t, []string{"Anna has joined the conversation.", "Hi, I'm Anna. I see order 1234 is late."}, h.since(m))
	e, ok := h.event(EventAssigned)
	require.True(t, ok)
	assert.Equal(t, 90*time.Second, e.Duration)

	got = h.say("thanks Anna")
	assert.Empty(t, got, "no bot reply while the agent owns the conversation")
	assert.Equal(t, ran, h.appRan)

	h.advance(5 * time.Minute)
	m = h.mark()
	require.NoError(t, h.desk.Resolve(context.Background(), "c1-1"))
	assert.Contains(t, h.since(m)[0], "How did we do?")
	assert.Len(t, h.last().QuickReplies, 5)
	e, ok = h.event(EventResolved)
	require.True(t, ok)
	assert.Equal(t, 90*time.Second+5*time.Minute, e.Duration)

	assert.Equal(t, []string{"Thanks for your feedback!"}, h.say("5"))
	e, ok = h.event(EventFeedback)
	require.True(t, ok)
	assert.Equal(t, "5", e.Attrs["rating"])
	assert.Equal(t, []string{"bot: what else"}, h.say("what else"), "back to the bot")
	assert.Equal(t, []parley.EventKind{EventTriggered, EventRequested, EventQueued, EventAssigned, EventResolved, EventFeedback}, h.kinds())
}

func TestDeskDownQueuedAndRetried(t *testing.T) {
	h := newHarness(t, nil)
	h.desk.SetFault(errors.New("connection refused"))
	got := h.say("agent please")
	require.Len(t, got, 2)
	assert.Contains(t, got[0], "connecting you")
	assert.Contains(t, got[1], "slow to respond", "user is told")
	assert.Empty(t, h.desk.Queue())
	st := h.state()
	require.NotNil(t, st.Pending)
	assert.Equal(t, StatusRequested, st.Status)

	// A message while the desk is down is kept.
	got = h.say("my order is 555")
	assert.Len(t, got, 1)
	assert.Len(t, h.state().Outbox, 1)

	// The desk comes back; the waker retries once the back-off is over.
	h.desk.SetFault(nil)
	h.advance(10 * time.Second)
	require.NoError(t, h.esc.Sweep(context.Background()))
	q := h.desk.Queue()
	require.Len(t, q, 1, "ticket submitted exactly once")
	assert.Equal(t, 1, q[0].Submits)
	require.Len(t, q[0].Thread, 1, "queued message relayed: nothing lost")
	assert.Equal(t, "my order 555"[:8], q[0].Thread[0].Text[:8])
	st = h.state()
	assert.Nil(t, st.Pending)
	assert.Empty(t, st.Outbox)
	_, ok := h.event(EventRetry)
	assert.True(t, ok)
}

func TestQueueTimeoutOffersCallback(t *testing.T) {
	h := newHarness(t, nil, WithQueueTimeout(2*time.Minute))
	h.say("human")
	h.advance(time.Minute)
	require.NoError(t, h.esc.Sweep(context.Background()))
	m := h.mark()
	h.advance(90 * time.Second)
	require.NoError(t, h.esc.Sweep(context.Background()))
	got := h.since(m)
	require.Len(t, got, 1, "a silent user still gets an answer")
	assert.Contains(t, got[0], "call back")
	qr := h.last().QuickReplies
	require.Len(t, qr, 5, "3 slots, keep waiting, email")
	// Sweeping again does not repeat the offer.
	require.NoError(t, h.esc.Sweep(context.Background()))
	assert.Len(t, h.since(m), 1)

	got = h.say(qr[0].Payload)
	require.Len(t, got, 1)
	assert.Contains(t, got[0], "call you back")
	tk, ok := h.desk.Get("c1-1")
	require.True(t, ok)
	assert.Equal(t, StatusCancelled, tk.Status)
	cb, ok := h.desk.Get("c1-2-callback")
	require.True(t, ok)
	require.NotNil(t, cb.Callback)
	assert.Equal(t, PhaseBot, h.state().Phase)
}

func TestClosedHoursOfferCallback(t *testing.T) {
	h := newHarness(t, nil, WithHours(OfficeHours(time.UTC)))
	h.advance(12 * time.Hour) // 22:00 on a Monday
	got := h.say("speak to someone")
	require.Len(t, got, 1)
	assert.Contains(t, got[0], "offline")
	qr := h.last().QuickReplies
	require.Len(t, qr, 4)
	assert.Equal(t, "callback:2026-01-06T09:00:00Z", qr[0].Payload)
	assert.Empty(t, h.desk.Queue())
	got = h.say(qr[3].Payload)
	assert.Contains(t, got[0], "email")
	_, ok := h.desk.Get("c1-1-callback")
	assert.True(t, ok)
}

func TestNoAgentOffersCallback(t *testing.T) {
	h := newHarness(t, nil)
	h.desk.SetAgents(0)
	got := h.say("I want a human")
	assert.Contains(t, got[0], "busy")
	e, ok := h.event(EventCallback)
	require.True(t, ok)
	assert.Equal(t, "no_agent", e.Attrs["why"])
}

func moodMW(m parley.Mood) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			return next.HandleTurn(ctx, w, parley.With(t, parley.MoodKey, m))
		})
	}
}

func TestOfferAcceptAndDecline(t *testing.T) {
	frustrated := parley.Mood{Score: 0.2, Label: "negative", Frustration: 0.9, Trend: 0.3}
	t.Run("accept", func(t *testing.T) {
		h := newHarness(t, moodMW(frustrated))
		got := h.say("this is ridiculous")
		require.Len(t, got, 3)
		assert.Equal(t, "bot: this is ridiculous", got[0], "the bot answers the message first: nothing is lost")
		assert.Contains(t, got[1], "sorry", "then de-escalates")
		assert.Contains(t, got[2], "connect you", "and offers a person")
		assert.Equal(t, PhaseOffered, h.state().Phase)
		h.say("handoff:yes")
		q := h.desk.Queue()
		require.Len(t, q, 1)
		assert.Equal(t, "frustrated", q[0].Reason)
		assert.Equal(t, parley.PriorityHigh, q[0].Priority)
	})
	t.Run("decline", func(t *testing.T) {
		h := newHarness(t, moodMW(frustrated))
		h.say("this is ridiculous")
		got := h.say("no thanks")
		assert.Contains(t, got[0], "keep helping")
		assert.Empty(t, h.desk.Queue())
		_, ok := h.event(EventOfferDeclined)
		assert.True(t, ok)
	})
}

func TestHandOffFromFlow(t *testing.T) {
	h := newHarness(t, nil)
	var turn *parley.Turn
	app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		turn = t
		return h.esc.HandOff(ctx, w, t, parley.HandoffRequest{Reason: "refund over $100", Priority: parley.PriorityUrgent, Data: map[string]string{"amount": "250"}})
	})
	h.bot = parley.NewBot(parley.Chain(app, h.esc.Middleware), parley.WithStore(h.store), parley.WithClock(h.clock))
	got := h.say("I want my 250 dollars back")
	require.NotNil(t, turn)
	require.Len(t, got, 1)
	q := h.desk.Queue()
	require.Len(t, q, 1)
	assert.Equal(t, "refund over $100", q[0].Reason)
	assert.Equal(t, parley.PriorityUrgent, q[0].Priority)
	assert.Equal(t, "250", q[0].Data["amount"])
	assert.Equal(t, PhaseWaiting, h.state().Phase)
}

func TestBadRuleExpressionIsStartupError(t *testing.T) {
	desk := NewMemoryDesk(DeliverFunc(func(context.Context, *parley.Turn) error { return nil }))
	_, err := New(desk, WithRules(Rule{Name: "bad", Expr: "score <"}))
	var re *RuleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "bad", re.Rule)
}

func TestSignalsIgnoredForOtherTickets(t *testing.T) {
	h := newHarness(t, nil)
	m := h.mark()
	require.NoError(t, h.bot.HandleTurn(context.Background(), h, LifecycleTurn(Ticket{ID: "other", ConversationID: "c1"}, parley.SignalAgentMessage, map[string]string{DataText: "hi"})))
	assert.Empty(t, h.since(m))
}

func TestDeclinedOfferIsNotRepeatedEveryTurn(t *testing.T) {
	h := newHarness(t, moodMW(parley.Mood{Score: 0.2, Label: "negative", Frustration: 0.9, Trend: 0.3}))
	h.say("this is ridiculous")
	h.say("no")
	got := h.say("still ridiculous")
	assert.Equal(t, []string{"bot: still ridiculous"}, got, "no new offer right after a decline")
	got = h.say("I want a human")
	assert.Contains(t, got[0], "connecting", "an explicit request still hands off")
}

func TestLocaleMessages(t *testing.T) {
	h := newHarness(t, nil, WithLocaleMessages(map[string]Messages{"es": {Connecting: "Te estoy conectando con una persona."}}))
	m := h.mark()
	require.NoError(t, h.bot.HandleTurn(context.Background(), h, &parley.Turn{ConversationID: "c1", MessageID: "x1", Locale: "es-MX", Message: parley.Text("quiero hablar con alguien")}))
	assert.Equal(t, []string{"Te estoy conectando con una persona."}, h.since(m))
}

func TestCallbackOfferIgnoredKeepsPlaceInQueue(t *testing.T) {
	h := newHarness(t, nil, WithQueueTimeout(time.Minute))
	h.say("human")
	h.advance(2 * time.Minute)
	require.NoError(t, h.esc.Sweep(context.Background()))
	assert.Equal(t, PhaseCallback, h.state().Phase)
	ran := h.appRan
	got := h.say("my order number is 77")
	assert.Equal(t, ran, h.appRan, "the bot stays silent")
	assert.Len(t, got, 1)
	assert.Equal(t, PhaseWaiting, h.state().Phase)
	tk, _ := h.desk.Get("c1-1")
	require.Len(t, tk.Thread, 1)
	assert.Equal(t, "my order number is 77", tk.Thread[0].Text)
}

func TestDefaultRulesEndToEnd(t *testing.T) {
	tests := []struct {
		name       string
		mood       parley.Mood
		status     parley.UnderstandingStatus
		turns      int
		wantReason string
	}{
		{"one negative message is not enough", parley.Mood{Score: 0.3, Label: "negative", Trend: 0.3}, parley.Understood, 1, ""},
		{"persistently negative", parley.Mood{Score: 0.3, Label: "negative", Trend: 0.3}, parley.Understood, 3, "persistently negative"},
		{"repeated fallbacks", parley.Mood{Score: 0.5, Label: "neutral", Trend: 0.5}, parley.Unsure, 3, "repeated fallbacks"},
		{"long conversation", parley.Mood{Score: 0.5, Label: "neutral", Trend: 0.5}, parley.Understood, 9, "long conversation without resolution"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mw := func(next parley.Handler) parley.Handler {
				return moodMW(tt.mood)(understandMW(tt.status)(next))
			}
			h := newHarness(t, mw)
			for range tt.turns {
				h.say("hmm")
			}
			e, ok := h.event(EventTriggered)
			assert.Equal(t, tt.wantReason != "", ok)
			assert.Equal(t, tt.wantReason, e.Attrs["reason"])
		})
	}
}

func understandMW(s parley.UnderstandingStatus) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			return next.HandleTurn(ctx, w, parley.With(t, parley.UnderstandingKey, parley.Understanding{Status: s, Intent: parley.Intent{Name: "x"}}))
		})
	}
}

func TestUnsureAnswersAcceptedByTheBotAreNotFallbacks(t *testing.T) {
	// A flow collecting an order number accepts "A-1001" although the
	// classifier is unsure about it: no fallback event, no escalation.
	h := newHarness(t, understandMW(parley.Unsure))
	h.bot = parley.NewBot(parley.Chain(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
		return w.Reply(ctx, parley.Text("got it"))
	}), understandMW(parley.Unsure), h.esc.Middleware), parley.WithStore(h.store), parley.WithObserver(h), parley.WithClock(h.clock))
	for range 4 {
		h.say("A-1001")
	}
	_, ok := h.event(EventTriggered)
	assert.False(t, ok)
	assert.Zero(t, h.state().Fallbacks)
}

func TestOfferWaitsForTheBotsQuestion(t *testing.T) {
	frustrated := parley.Mood{Score: 0.2, Label: "negative", Frustration: 0.9, Trend: 0.3}
	h := newHarness(t, moodMW(frustrated))
	asking := true
	app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
		if asking {
			return w.Reply(ctx, parley.Message{Text: "To confirm: refund $25?", QuickReplies: []parley.QuickReply{{Title: "Yes"}, {Title: "No"}}})
		}
		return w.Reply(ctx, parley.Text("Done!"))
	})
	h.bot = parley.NewBot(parley.Chain(app, moodMW(frustrated), h.esc.Middleware), parley.WithStore(h.store),
		parley.WithObserver(h), parley.WithClock(h.clock))

	// The bot asks a yes/no question: no offer on top of it, so the
	// customer's "yes" answers the bot.
	got := h.say("refund 25 dollars, this is ridiculous")
	assert.Equal(t, []string{"To confirm: refund $25?"}, got)
	assert.NotEqual(t, PhaseOffered, h.state().Phase)
	_, ok := h.event(EventOfferDeferred)
	assert.True(t, ok)

	asking = false
	got = h.say("yes")
	require.NotEmpty(t, got)
	assert.Equal(t, "Done!", got[0], "the yes went to the bot")
	assert.Empty(t, h.desk.Queue())
	assert.Contains(t, got[len(got)-1], "connect you", "the offer comes once the bot is not waiting for an answer")
}
