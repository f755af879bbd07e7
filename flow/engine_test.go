package flow_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/flow/flowtest"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/parleytest"
)

// orders is a fake backend.
type orders struct {
	down bool
}

func (o *orders) status(_ context.Context, id string) (string, error) {
	if o.down {
		return "", errors.New("orders service: connection refused")
	}
	if id == "A-404" {
		return "", nil
	}
	return "shipped", nil
}

func orderFlow(o *orders) *flow.Flow {
	return flow.New("order_status").TriggeredBy("track_order").Slots("status").Add(
		&flow.Ask{ID: "ask_order", Slot: "order", Prompt: []string{"What's your order number?"},
			Reprompt: []string{"Order numbers look like A-1234. What's yours?"},
			Validate: func(_ context.Context, v string) (string, error) {
				v = strings.ToUpper(strings.TrimSpace(v))
				if !strings.HasPrefix(v, "A-") {
					return "", &flow.InputError{Slot: "order", Message: "That isn't an order number."}
				}
				return v, nil
			},
			MaxAttempts: 2, OnFail: "human", Next: "lookup"},
		&flow.Action{ID: "lookup", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			st, err := o.status(ctx, s.Slot("order"))
			if err != nil {
				return "", err
			}
			if st == "" {
				return "unknown", nil
			}
			s.SetSlot("status", st)
			return "", nil
		}, Routes: map[string]string{"unknown": "not_found"}, Next: "tell",
			OnError: "offer", ErrorText: []string{"I can't see orders right now."}},
		&flow.Say{ID: "tell", Text: []string{"Order {{slots.order}} is {{slots.status}}."}, Next: "fb"},
		&flow.Say{ID: "not_found", Text: []string{"I couldn't find {{slots.order}}."}, Next: "fb"},
		&flow.Choice{ID: "offer", Prompt: []string{"Would you like a person to check, or try later?"}, Options: []flow.Option{
			{Title: "Talk to a person", Payload: "human", Next: "human"},
			{Title: "Later", Next: "later"},
		}},
		&flow.End{ID: "later", Status: flow.Unresolved, Text: []string{"OK, try again later."}},
		&flow.Handoff{ID: "human", Reason: "order lookup", Next: "fb"},
		&flow.Feedback{ID: "fb", Kind: flow.Helpful, Next: "done"},
		&flow.End{ID: "done", Status: flow.Resolved, Text: []string{"Thanks!"}},
	).MustCompile()
}

func menuFlow() *flow.Flow {
	return flow.New("menu").Add(
		&flow.Say{ID: "hello", Text: []string{`Hi {{customer.name | "there"}}!`, `Hello again, {{customer.name | "there"}}!`}, Next: "menu"},
		&flow.Choice{ID: "menu", Prompt: []string{"How can I help?"}, Options: []flow.Option{
			{Title: "Track order", Payload: "track", Synonyms: []string{"where is my order"}, Next: "track"},
			{Title: "Refund", Next: "refund"},
		}, OnFail: "bye"},
		&flow.Call{ID: "track", Flow: "order_status", Next: "after"},
		&flow.Ask{ID: "refund", Slot: "amount", Type: flow.MoneySlot, Prompt: []string{"How much?"}, Next: "check"},
		&flow.Branch{ID: "check", Cases: []flow.Case{{Expr: `float(split(slots.amount, " ")[0]) > 50`, Next: "big"}}, Else: "small"},
		&flow.End{ID: "big", Status: flow.Escalated, Text: []string{"A person will approve {{slots.amount}}."}},
		&flow.End{ID: "small", Status: flow.Resolved, Text: []string{"Refunded {{slots.amount}}."}},
		&flow.End{ID: "after", Status: flow.Resolved, Text: []string{"Anything else? Just ask."}},
		&flow.End{ID: "bye", Status: flow.Abandoned},
	).MustCompile()
}

type testBot struct {
	c      *parleytest.Tester
	engine *flow.Engine
	orders *orders
}

func newTestBot(t *testing.T, opts ...flow.EngineOption) *testBot {
	t.Helper()
	tb := &testBot{orders: &orders{}}
	var h parley.HandlerFunc = func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
		return tb.engine.HandleTurn(ctx, w, turn)
	}
	tb.c = parleytest.NewTester(t, h, parleytest.WithCustomer("cus_1"))
	profiles := flow.ProfilesFunc(func(_ context.Context, id string) (map[string]string, error) {
		if id == "cus_1" {
			return map[string]string{"name": "Ada"}, nil
		}
		return nil, memory.ErrNotFound
	})
	base := []flow.EngineOption{
		flow.WithStart("menu"), flow.WithProfiles(profiles), flow.WithHandOffer(tb.c.HandOffer()),
		flow.WithGlobals(
			flow.Global{Name: "human", Phrases: []string{"talk to a human", "agent"}, Handoff: &parley.HandoffRequest{Reason: "asked for a human"}},
			flow.Global{Name: "cancel", Phrases: []string{"cancel"}, Say: []string{"OK, cancelled."}, End: flow.Abandoned},
			flow.Global{Name: "help", Phrases: []string{"help"}, Say: []string{"I can track orders and refunds."}, Resume: true},
		),
	}
	tb.engine = flow.NewEngine(append(base, opts...)...)
	require.NoError(t, tb.engine.Register(menuFlow()))
	require.NoError(t, tb.engine.Register(orderFlow(tb.orders)))
	require.NoError(t, tb.engine.Check())
	return tb
}

func TestHappyPathWithSubflowAndFeedback(t *testing.T) {
	c := newTestBot(t).c
	c.Send("hi").Expect(parleytest.Exact("Hi Ada!"), parleytest.Exact("How can I help?")).
		ExpectQuickReplies("Track order", "Refund").Check(flowtest.Node("menu"))
	c.Tap("Track order").Expect(parleytest.Exact("What's your order number?")).Check(flowtest.Flow("order_status"))
	c.Send("a-1001").Expect(parleytest.Exact("Order A-1001 is shipped."), parleytest.Contains("helpful")).
		Check(flowtest.Slot("order", "A-1001"))
	c.Tap("Yes").Expect(parleytest.Exact("Thanks!"), parleytest.Contains("Anything else")).
		Check(flowtest.Status(flow.Resolved)).Check(flowtest.Flow(""))
	c.ExpectEvent("flow.feedback", map[string]string{"value": "yes"})
	// The greeting rotates.
	c.Send("hello").Expect(parleytest.Exact("Hello again, Ada!"))
}

func TestRepromptThenFailRoute(t *testing.T) {
	c := newTestBot(t).c
	c.Send("hi").Send("track")
	c.Send("my order").Expect(parleytest.Exact("Order numbers look like A-1234. What's yours?"))
	c.Send("dunno").ExpectHandoff("order lookup").Expect(parleytest.Contains("Connecting you"))
	c.Check(flowtest.Node("human"))
	c.Signal(parley.SignalHandoffResolved, nil).Expect(parleytest.Contains("helpful"))
	c.Send("no").Check(flowtest.Status(flow.Resolved))
}

func TestActionErrorRouteOffersAlternatives(t *testing.T) {
	b := newTestBot(t)
	b.orders.down = true
	b.c.Send("hi").Tap("Track order").Send("A-1")
	b.c.Expect(parleytest.Exact("I can't see orders right now."), parleytest.Contains("person")).
		ExpectQuickReplies("Talk to a person", "Later")
	b.c.ExpectEvent("flow.action_error", map[string]string{"node": "lookup"})
	// The subflow's End returns to the menu flow, which then ends itself.
	b.c.Tap("Later").Expect(parleytest.Exact("OK, try again later."), parleytest.Contains("Anything else")).
		ExpectEvent("flow.end", map[string]string{"flow": "menu", "status": "resolved"}).
		ExpectEvent("flow.return", map[string]string{"from": "order_status"})
}

func TestActionOutcomeRoute(t *testing.T) {
	c := newTestBot(t).c
	c.Send("hi").Tap("Track order").Send("A-404").Expect(parleytest.Exact("I couldn't find A-404."))
}

func TestChoiceMatching(t *testing.T) {
	tests := []struct {
		give string
		want string
	}{
		{"Track order", "What's your order number?"},
		{"track", "What's your order number?"},
		{"1", "What's your order number?"},
		{"Trak ordr", "What's your order number?"},
		{"where is my order", "What's your order number?"},
		{"2", "How much?"},
		{"REFUND!", "How much?"},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			c := newTestBot(t).c
			c.Send("hi").Send(tt.give).Expect(parleytest.Exact(tt.want))
		})
	}
}

func TestBranchExpression(t *testing.T) {
	c := newTestBot(t).c
	c.Send("hi").Tap("Refund").Send("about $20").Expect(parleytest.Exact("Refunded 20 USD.")).Check(flowtest.Status(flow.Resolved))
	c.Send("hi").Tap("Refund").Send("75 euros").Expect(parleytest.Exact("A person will approve 75 EUR.")).Check(flowtest.Status(flow.Escalated))
}

func TestGlobals(t *testing.T) {
	t.Run("help resumes the same slot", func(t *testing.T) {
		c := newTestBot(t).c
		c.Send("hi").Tap("Refund").Send("help").
			Expect(parleytest.Exact("I can track orders and refunds."), parleytest.Exact("How much?")).Check(flowtest.Node("refund"))
		c.Send("$10").Check(flowtest.Status(flow.Resolved))
	})
	t.Run("cancel ends the flow", func(t *testing.T) {
		c := newTestBot(t).c
		c.Send("hi").Tap("Refund").Send("Cancel").Expect(parleytest.Exact("OK, cancelled.")).
			Check(flowtest.Status(flow.Abandoned)).Check(flowtest.Flow(""))
	})
	t.Run("human anywhere", func(t *testing.T) {
		c := newTestBot(t).c
		c.Send("hi").Tap("Track order").Send("talk to a human").ExpectHandoff("asked for a human").
			Check(flowtest.Status(flow.Escalated))
	})
	t.Run("intent global", func(t *testing.T) {
		b := newTestBot(t, flow.WithGlobals(flow.Global{Name: "human-intent", Intents: []string{"human"},
			Handoff: &parley.HandoffRequest{Reason: "intent human"}}))
		c := parleytest.NewTester(t, understand("human", b.engine))
		c.Send("get me someone real").Expect(parleytest.Contains("Connecting you"))
		b.c.ExpectHandoff("intent human") // b's engine hands off through b.c's recorder
	})
}

// understand annotates every turn as the given intent, standing in for the
// intent package's middleware.
func understand(intent string, next parley.Handler, ents ...parley.Entity) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u := parley.Understanding{Status: parley.Understood, Intent: parley.Intent{Name: intent, Confidence: 0.9}, Entities: ents}
		return next.HandleTurn(ctx, w, parley.With(t, parley.UnderstandingKey, u))
	})
}

func TestDigressionResumesForm(t *testing.T) {
	faq := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("We ship in 2 days."))
	})
	c := newTestBot(t, flow.WithDigression(faq)).c
	c.Send("hi").Tap("Refund").Send("how long does shipping take?").
		Expect(parleytest.Exact("We ship in 2 days."), parleytest.Exact("How much?")).Check(flowtest.Node("refund"))
	c.Send("$5").Check(flowtest.Status(flow.Resolved))
}

func TestEntitiesFillSlotsAndTriggers(t *testing.T) {
	synctest.Test(t, testEntitiesFillSlotsAndTriggers) // "tomorrow" from the bubble's 2000-01-01
}

func testEntitiesFillSlotsAndTriggers(t *testing.T) {
	book := flow.New("book").TriggeredBy("book_flight").Add(
		&flow.Ask{ID: "dest", Slot: "destination", Entity: "city", Prompt: []string{"Where to?"}, Next: "date"},
		&flow.Ask{ID: "date", Slot: "date", Type: flow.DateSlot, Prompt: []string{"When?"}, Next: "ok"},
		&flow.End{ID: "ok", Status: flow.Resolved, Text: []string{"Booked {{slots.destination}} on {{slots.date}}."}},
	).MustCompile()
	e := flow.NewEngine()
	require.NoError(t, e.Register(book))
	h := understand("book_flight", e,
		parley.Entity{Type: "city", Text: "Paris", Value: "Paris"},
		parley.Entity{Type: "date", Text: "next Friday", Value: "2026-01-09"})
	c := parleytest.NewTester(t, h)
	c.Send("Book a flight to Paris next Friday").Expect(parleytest.Exact("Booked Paris on 2026-01-09."))

	// Without the date entity, the date is asked and parsed by type.
	h2 := understand("book_flight", e, parley.Entity{Type: "city", Text: "Rome", Value: "Rome"})
	c2 := parleytest.NewTester(t, h2)
	c2.Send("fly to Rome").Expect(parleytest.Exact("When?"))
	c2.Send("tomorrow").Expect(parleytest.Exact("Booked Rome on 2000-01-02."))
}

func TestMultiIntentRunsSecondAfterFirst(t *testing.T) {
	ret := flow.New("return").TriggeredBy("return_item").Add(
		&flow.Ask{ID: "why", Slot: "reason", Prompt: []string{"Why are you returning it?"}, Next: "ok"},
		&flow.End{ID: "ok", Status: flow.Resolved, Text: []string{"Return started."}},
	).MustCompile()
	stock := flow.New("stock").TriggeredBy("check_stock").Add(
		&flow.End{ID: "ok", Status: flow.Resolved, Text: []string{"Yes, we have it in red, size M."}},
	).MustCompile()
	e := flow.NewEngine()
	require.NoError(t, e.Register(ret))
	require.NoError(t, e.Register(stock))
	first := true
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if first {
			first = false
			t = parley.With(t, parley.UnderstandingKey, parley.Understanding{Status: parley.Understood,
				Intent: parley.Intent{Name: "return_item", Confidence: 0.9}, Then: []parley.Intent{{Name: "check_stock", Confidence: 0.8}}})
		}
		return e.HandleTurn(ctx, w, t)
	})
	c := parleytest.NewTester(t, h)
	c.Send("I need to return this blue shirt I bought last week, and also check if you have it in red, size medium").
		Expect(parleytest.Exact("Why are you returning it?"))
	c.Send("too small").Expect(parleytest.Exact("Return started."), parleytest.Exact("Yes, we have it in red, size M."))
	c.Check(flowtest.Status(flow.Resolved)).ExpectEvent("flow.end", map[string]string{"flow": "stock"})
}

func TestLoopGuard(t *testing.T) {
	// A loop through an action that always routes back is legal (the
	// action could wait on the backend) but must not spin forever.
	f := flow.New("spin").Add(
		&flow.Action{ID: "a", Do: func(context.Context, *flow.Scope) (string, error) { return "again", nil },
			Routes: map[string]string{"again": "b"}, Next: "b", OnError: "b"},
		&flow.Call{ID: "b", Flow: "noop", Next: "a"},
	).MustCompile()
	noop := flow.New("noop").Add(&flow.End{ID: "e", Status: flow.Resolved}).MustCompile()
	e := flow.NewEngine(flow.WithStart("spin"), flow.WithMaxVisits(5))
	require.NoError(t, e.Register(f))
	require.NoError(t, e.Register(noop))
	c := parleytest.NewTester(t, e)
	c.Send("go").Expect(parleytest.Contains("going round in circles")).Check(flowtest.Status(flow.Unresolved))
	c.ExpectEvent("flow.loop_guard", nil)
}

func TestWaitForSignalAndTimeout(t *testing.T) { synctest.Test(t, testWaitForSignalAndTimeout) }

func testWaitForSignalAndTimeout(t *testing.T) {
	f := flow.New("cart").OnSignal("cart.abandoned").Add(
		&flow.Say{ID: "nudge", Text: []string{"You left something in your cart."}, Next: "wait"},
		&flow.Wait{ID: "wait", Signal: "checkout.done", Timeout: 24 * time.Hour, Next: "thanks", OnTimeout: "remind"},
		&flow.End{ID: "thanks", Status: flow.Resolved, Text: []string{"Thanks for your order!"}},
		&flow.End{ID: "remind", Status: flow.Unresolved, Text: []string{"Your cart expires soon."}},
	).MustCompile()
	e := flow.NewEngine()
	require.NoError(t, e.Register(f))

	c := parleytest.NewTester(t, e)
	c.Signal("cart.abandoned", nil).Expect(parleytest.Exact("You left something in your cart.")).Check(flowtest.Node("wait"))
	c.Signal("checkout.done", nil).Expect(parleytest.Exact("Thanks for your order!"))

	c2 := parleytest.NewTester(t, e)
	c2.Signal("cart.abandoned", nil)
	c2.Advance(23*time.Hour).Signal(flow.SignalTimer, nil).ExpectNoReply().Check(flowtest.Node("wait"))
	c2.Advance(2*time.Hour).Signal(flow.SignalTimer, nil).Expect(parleytest.Exact("Your cart expires soon.")).
		Check(flowtest.Status(flow.Unresolved))
}

func TestStateSurvivesRestart(t *testing.T) {
	store := memory.NewMap()
	b1 := newTestBot(t)
	c1 := parleytest.NewTester(t, b1.engine, parleytest.WithStore(store), parleytest.WithCustomer("cus_1"))
	c1.Send("hi").Tap("Refund").Check(flowtest.Node("refund"))

	// A new process: a new engine with the same flows and the same store.
	b2 := newTestBot(t)
	c2 := parleytest.NewTester(t, b2.engine, parleytest.WithStore(store), parleytest.WithCustomer("cus_1"))
	c2.Send("$12").Expect(parleytest.Exact("Refunded 12 USD."))
}

func TestVersions(t *testing.T) {
	v := func(version, text string) *flow.Flow {
		return flow.New("survey").Version(version).Add(
			&flow.Ask{ID: "q", Slot: "a", Prompt: []string{"Question " + version + "?"}, Next: "end"},
			&flow.End{ID: "end", Status: flow.Resolved, Text: []string{text}},
		).MustCompile()
	}
	store := memory.NewMap()
	e := flow.NewEngine(flow.WithStart("survey"))
	require.NoError(t, e.Register(v("1", "Done with v1.")))
	old := parleytest.NewTester(t, e, parleytest.WithStore(store), parleytest.WithConversation("old"))
	old.Send("start").Expect(parleytest.Exact("Question 1?"))

	require.NoError(t, e.Register(v("2", "Done with v2.")))
	require.ErrorIs(t, e.Register(v("2", "again")), flow.ErrDuplicateVersion)
	fresh := parleytest.NewTester(t, e, parleytest.WithStore(store), parleytest.WithConversation("new"))
	fresh.Send("start").Expect(parleytest.Exact("Question 2?"))

	// The in-flight conversation keeps v1.
	old.Send("yes").Expect(parleytest.Exact("Done with v1."))

	// A conversation on a removed version restarts with a message...
	again := parleytest.NewTester(t, e, parleytest.WithStore(store), parleytest.WithConversation("again"))
	e.Unregister("survey", "2")
	again.Send("start").Expect(parleytest.Exact("Question 1?"))
	require.NoError(t, e.Register(v("3", "Done with v3.")))
	e.Unregister("survey", "1")
	again.Send("x").Expect(parleytest.Contains("pick it up from the start"), parleytest.Exact("Question 3?"))

	// ...or is migrated by the hook.
	m := flow.NewEngine(flow.WithStart("survey"), flow.WithMigration(func(_ context.Context, name, from, node string) (string, string, bool) {
		return "5", node, true
	}))
	require.NoError(t, m.Register(v("4", "Done with v4.")))
	mc := parleytest.NewTester(t, m)
	mc.Send("start").Expect(parleytest.Exact("Question 4?"))
	m.Unregister("survey", "4")
	require.NoError(t, m.Register(v("5", "Done with v5.")))
	mc.Send("ok").Expect(parleytest.Exact("Done with v5."))
	mc.ExpectEvent("flow.migrated", map[string]string{"from": "4", "to": "5"})
}

func TestBadInputNeverPanics(t *testing.T) {
	for _, give := range []string{"", "   ", "\x00\x01\x02", "\xff\xfe", strings.Repeat("a", 1<<20), "🙂🙂🙂"} {
		t.Run(fmt.Sprintf("%.10q", give), func(t *testing.T) {
			c := newTestBot(t).c
			c.Send("hi").Tap("Refund")
			c.Send(give)
			require.NotEmpty(t, c.Replies(), "every input gets a reply")
		})
	}
}

func TestProfileOutageDoesNotBlock(t *testing.T) {
	e := flow.NewEngine(flow.WithStart("menu"), flow.WithProfiles(flow.ProfilesFunc(
		func(context.Context, string) (map[string]string, error) { return nil, errors.New("crm down") })))
	require.NoError(t, e.Register(menuFlow()))
	c := parleytest.NewTester(t, e, parleytest.WithCustomer("cus_1"))
	c.Send("hi").Expect(parleytest.Exact("Hi there!")).ExpectEvent("flow.profile_error", nil)
}

func TestToneVariants(t *testing.T) {
	f := flow.New("tone").Add(
		&flow.Say{ID: "s", Text: []string{"Your refund is on its way."}, Tones: map[string][]string{
			"empathetic": {"I'm sorry for the trouble. Your refund is on its way."},
		}, Next: "e"},
		&flow.End{ID: "e", Status: flow.Resolved},
	).MustCompile()
	e := flow.NewEngine(flow.WithStart("tone"))
	require.NoError(t, e.Register(f))
	angry := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return e.HandleTurn(ctx, w, parley.With(t, parley.MoodKey, parley.Mood{Compound: -0.8, Score: 0.1, Label: "negative", Frustration: 0.9}))
	})
	parleytest.NewTester(t, angry).Send("this is ridiculous").Expect(parleytest.Exact("I'm sorry for the trouble. Your refund is on its way."))
	parleytest.NewTester(t, e).Send("ok").Expect(parleytest.Exact("Your refund is on its way."))
}

func TestRegisterRequiresHandOffer(t *testing.T) {
	e := flow.NewEngine()
	err := e.Register(flow.New("h").Add(&flow.Handoff{ID: "h", Reason: "x"}).MustCompile())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no HandOffer")
}

func TestCheckFindsUnknownFlows(t *testing.T) {
	e := flow.NewEngine(flow.WithStart("nope"))
	require.NoError(t, e.Register(flow.New("a").Add(&flow.Call{ID: "c", Flow: "ghost", Next: "e"}, &flow.End{ID: "e", Status: flow.Resolved}).MustCompile()))
	err := e.Check()
	require.ErrorIs(t, err, flow.ErrUnknownFlow)
	assert.Contains(t, err.Error(), `start flow "nope"`)
	assert.Contains(t, err.Error(), `calls "ghost"`)
}

func TestEngineOutsideBot(t *testing.T) {
	e := flow.NewEngine()
	err := e.HandleTurn(context.Background(), parley.ReplyFunc(func(context.Context, parley.Message) error { return nil }), &parley.Turn{})
	require.ErrorIs(t, err, flow.ErrNoSession)
}

func TestUnderstoodIntentSwitchesFlow(t *testing.T) {
	b := newTestBot(t)
	var intentName string
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
		if intentName != "" {
			turn = parley.With(turn, parley.UnderstandingKey, parley.Understanding{Status: parley.Understood,
				Intent: parley.Intent{Name: intentName, Confidence: 0.95}})
		}
		return b.engine.HandleTurn(ctx, w, turn)
	})
	c := parleytest.NewTester(t, h)
	intentName = "track_order"
	c.Send("where is my order").Expect(parleytest.Exact("What's your order number?")).Check(flowtest.Flow("order_status"))
	intentName = "" // an order number is not an intent
	c.Send("hmm").Expect(parleytest.Contains("Order numbers look like"))
	intentName = "track_order"
	c.Send("I said where is my order").Expect(parleytest.Exact("What's your order number?")).Check(flowtest.Node("ask_order"))
	c.Send("A-1").Expect(parleytest.Contains("shipped"))
}

func TestFallbackTakesClassifiedTurnsWithoutTrigger(t *testing.T) {
	faq := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Shipping takes 2 days."))
	})
	b := newTestBot(t, flow.WithFallback(faq))
	c := parleytest.NewTester(t, understand("shipping_info", b.engine))
	c.Send("how long is shipping").Expect(parleytest.Exact("Shipping takes 2 days.")).Check(flowtest.Flow(""))
	// Without understanding, the start flow greets.
	parleytest.NewTester(t, b.engine).Send("hi").Expect(parleytest.Exact("Hi there!"))
}

func TestValidationFailureNeverSwitchesFlow(t *testing.T) {
	b := newTestBot(t)
	require.NoError(t, b.engine.Register(flow.New("returns").TriggeredBy("return_item").Add(
		&flow.End{ID: "e", Status: flow.Resolved, Text: []string{"Return started."}}).MustCompile()))
	var intentName = "track_order"
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
		return understand(intentName, b.engine).HandleTurn(ctx, w, turn)
	})
	c := parleytest.NewTester(t, h)
	c.Send("where is it").Check(flowtest.Flow("order_status"))
	// At a text slot the validator is the parser: an answer it refuses
	// that is understood as another flow's intent switches flows.
	intentName = "return_item"
	c.Send("I want to return it").Expect(parleytest.Exact("Return started.")).ExpectEvent("flow.switch", map[string]string{"to": "returns"})

	// At a typed slot, an answer of the right type that the validator
	// refuses never switches, however it was classified.
	require.NoError(t, b.engine.Register(flow.New("pay").TriggeredBy("pay").Add(
		&flow.Ask{ID: "amount", Slot: "amount", Type: flow.MoneySlot, Prompt: []string{"How much?"},
			Validate: func(_ context.Context, v string) (string, error) {
				if v != "10 USD" {
					return "", &flow.InputError{Slot: "amount", Message: "Only $10 today."}
				}
				return v, nil
			}, Next: "ok"},
		&flow.End{ID: "ok", Status: flow.Resolved, Text: []string{"Paid."}}).MustCompile()))
	intentName = "pay"
	c.Send("pay").Check(flowtest.Flow("pay"))
	intentName = "return_item"
	c.Send("500 USD").Expect(parleytest.Contains("Only $10 today.")).Check(flowtest.Flow("pay"))
	c.Send("$10").Expect(parleytest.Exact("Paid."))
}

func TestStoredProfiles(t *testing.T) {
	ps := customer.NewProfiles(memory.NewMap())
	_, err := ps.Update(context.Background(), "cus_9", func(p *customer.Profile) error {
		p.Name = "Grace"
		return nil
	})
	require.NoError(t, err)
	e := flow.NewEngine(flow.WithStart("menu"), flow.WithProfiles(flow.StoredProfiles(ps)))
	require.NoError(t, e.Register(menuFlow()))
	parleytest.NewTester(t, e, parleytest.WithCustomer("cus_9")).Send("hi").Expect(parleytest.Exact("Hi Grace!"))
	parleytest.NewTester(t, e, parleytest.WithCustomer("nobody")).Send("hi").Expect(parleytest.Exact("Hi there!"))
}

func TestUnregisterLatestFallsBackToPreviousVersion(t *testing.T) {
	v := func(version string) *flow.Flow {
		return flow.New("f").Version(version).Add(&flow.End{ID: "e", Status: flow.Resolved, Text: []string{"v" + version}}).MustCompile()
	}
	e := flow.NewEngine(flow.WithStart("f"))
	for _, ver := range []string{"1", "2", "3"} {
		require.NoError(t, e.Register(v(ver)))
	}
	e.Unregister("f", "3")
	// Always the most recently registered remaining version, never an
	// arbitrary one.
	for i := range 5 {
		parleytest.NewTester(t, e, parleytest.WithConversation(fmt.Sprint("c", i))).Send("hi").Expect(parleytest.Exact("v2"))
	}
	e.Unregister("f", "2")
	e.Unregister("f", "1")
	require.ErrorIs(t, e.Check(), flow.ErrUnknownFlow)
}

func TestPrefillIsValidated(t *testing.T) {
	upper := func(_ context.Context, v string) (string, error) {
		if !strings.HasPrefix(strings.ToUpper(v), "A") {
			return "", &flow.InputError{Slot: "order", Message: "Order numbers start with A."}
		}
		return strings.ToUpper(v), nil
	}
	f := flow.New("refund").TriggeredBy("refund").Add(
		&flow.Ask{ID: "order", Slot: "order", Entity: "order_id", Prompt: []string{"Which order?"}, Validate: upper, Next: "ok"},
		&flow.End{ID: "ok", Status: flow.Resolved, Text: []string{"Refunding {{slots.order}}."}},
	).MustCompile()
	e := flow.NewEngine()
	require.NoError(t, e.Register(f))
	tests := []struct {
		name, value, want string
	}{
		{name: "accepted and normalised", value: "a1001", want: "Refunding A1001."},
		{name: "refused: asked as usual", value: "B77", want: "Which order?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
				turn = parley.With(turn, parley.UnderstandingKey, parley.Understanding{Status: parley.Understood,
					Intent:   parley.Intent{Name: "refund", Confidence: 0.9},
					Entities: []parley.Entity{{Type: "order_id", Value: tt.value}}})
				return e.HandleTurn(ctx, w, turn)
			})
			parleytest.NewTester(t, h).Send("refund " + tt.value + " please").Expect(parleytest.Exact(tt.want))
		})
	}
}
