package flow_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/flow/flowtest"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/nlu"
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

func orderFlow(o *orders) *flow.Builder {
	return flow.New("order_status").Slots("status").Add(
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
	)
}

func menuFlow() *flow.Builder {
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
	)
}

// keywords stands in for the intent package's understanding: a text in
// the map is understood as its intent (with ents), any other is not
// understood.
func keywords(intents map[string]string, ents ...nlu.Entity) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			u := nlu.Understanding{Status: nlu.OutOfScope}
			if name, ok := intents[strings.ToLower(t.Text())]; ok {
				u = nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: name, Confidence: 0.9}, Entities: ents}
			}
			return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
		})
	}
}

// understands is keywords with an understanding per text.
func understands(us map[string]nlu.Understanding) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			u, ok := us[strings.ToLower(t.Text())]
			if !ok {
				u = nlu.Understanding{Status: nlu.OutOfScope}
			}
			return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
		})
	}
}

// mount puts e on a router with the given intents (intent to flow
// name), as an application does, and returns the whole pipeline.
func mount(e *flow.Engine, starts map[string]string, words map[string]string, opts ...intent.RouterOption) (*intent.Router, parley.Handler) {
	r := intent.NewRouter(opts...)
	r.Handle(flow.DefaultOwner, e)
	for in, name := range starts {
		r.Handle(in, e.Starter(name))
	}
	r.HandleSignal(dialog.SignalHandoffResolved, e)
	r.HandleCommand(dialog.CommandCancel, e.Cancel("OK, cancelled."))
	return r, parley.Chain(r, intent.Commands(), keywords(words))
}

type testBot struct {
	c       *parleytest.Tester
	engine  *flow.Engine
	router  *intent.Router
	handler parley.Handler
	orders  *orders
}

var testWords = map[string]string{
	"hi": "greeting", "hello": "greeting", "where is my order": "track_order", "i said where is my order": "track_order",
	"how long does shipping take?": "shipping_info",
}

func newTestBot(t *testing.T, opts ...intent.RouterOption) *testBot {
	t.Helper()
	tb := &testBot{orders: &orders{}}
	var h parley.HandlerFunc = func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
		return tb.handler.HandleTurn(ctx, w, turn)
	}
	tb.c = parleytest.NewTester(t, h, parleytest.WithCustomer("cus_1"))
	profiles := profilesFunc(func(_ context.Context, id string) (map[string]string, error) {
		if id == "cus_1" {
			return map[string]string{"name": "Ada"}, nil
		}
		return nil, memory.ErrNotFound
	})
	e, err := flow.NewEngine([]*flow.Builder{menuFlow(), orderFlow(tb.orders)},
		flow.WithProfiles(profiles), flow.WithHandOffer(tb.c.HandOffer()))
	require.NoError(t, err)
	tb.engine = e
	tb.router, tb.handler = mount(e, map[string]string{"greeting": "menu", "track_order": "order_status"}, testWords, opts...)
	tb.router.HandleCommand(dialog.CommandHuman, parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return tb.c.HandOffer().HandOff(ctx, w, t, dialog.HandoffRequest{Reason: "asked for a human"})
	}))
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
	c.ExpectEvent(flow.EventFeedback, map[string]string{"value": "yes"})
	// The greeting rotates.
	c.Send("hello").Expect(parleytest.Exact("Hello again, Ada!"))
}

func TestFeedbackQuestionNeverSwallowsTheNextRequest(t *testing.T) {
	c := newTestBot(t).c
	c.Send("hi").Tap("Track order").Send("A-1001").Expect(parleytest.Contains("helpful"))
	// Not an answer to "Was this helpful?": a new request, served.
	c.Send("where is my order").Expect(parleytest.Exact("What's your order number?")).Check(flowtest.Flow("order_status"))
	c.ExpectEvent(flow.EventStart, map[string]string{"flow": "order_status"})
	c.Send("A-1002").Expect(parleytest.Exact("Order A-1002 is shipped."), parleytest.Contains("helpful"))
	// Nonsense is not feedback either: the question is dropped, the
	// flow ends resolved, and the router asks to put it another way.
	c.Send("zzkk blah").Expect(parleytest.Contains("say it another way")).Check(flowtest.Flow(""))
	c.ExpectEvent(flow.EventDropped, map[string]string{"node": "fb"})
}

func TestRepromptThenFailRoute(t *testing.T) {
	c := newTestBot(t).c
	c.Send("hi").Send("track")
	c.Send("my order").Expect(parleytest.Exact("Order numbers look like A-1234. What's yours?"))
	c.Send("dunno").ExpectHandoff("order lookup").Expect(parleytest.Contains("Connecting you"))
	c.Check(flowtest.Node("human"))
	c.Signal(dialog.SignalHandoffResolved, nil).Expect(parleytest.Contains("helpful"))
	c.Send("no").Check(flowtest.Status(flow.Resolved))
}

func TestActionErrorRouteOffersAlternatives(t *testing.T) {
	b := newTestBot(t)
	b.orders.down = true
	b.c.Send("hi").Tap("Track order").Send("A-1")
	b.c.Expect(parleytest.Exact("I can't see orders right now."), parleytest.Contains("person")).
		ExpectQuickReplies("Talk to a person", "Later")
	b.c.ExpectEvent(flow.EventProblem, map[string]string{"what": "action", "node": "lookup"})
	// The subflow's End returns to the menu flow, which then ends itself,
	// unresolved as its subflow was.
	b.c.Tap("Later").Expect(parleytest.Exact("OK, try again later."), parleytest.Contains("Anything else")).
		ExpectEvent(flow.EventEnd, map[string]string{"flow": "menu", "status": "unresolved"}).
		ExpectEvent(flow.EventEnd, map[string]string{"flow": "order_status", "to": "menu"})
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

func TestCommands(t *testing.T) {
	t.Run("cancel ends the flow", func(t *testing.T) {
		c := newTestBot(t).c
		c.Send("hi").Tap("Refund").Send("Cancel").Expect(parleytest.Exact("OK, cancelled.")).
			Check(flowtest.Status(flow.Abandoned)).Check(flowtest.Flow(""))
		c.Send("$10").Expect(parleytest.Contains("say it another way"))
	})
	t.Run("human anywhere", func(t *testing.T) {
		c := newTestBot(t).c
		c.Send("hi").Tap("Track order").Send("talk to a human").ExpectHandoff("asked for a human")
	})
	t.Run("commands never get a tone", func(t *testing.T) {
		b := newTestBot(t)
		b.router.HandleCommand(dialog.CommandMenu, b.engine.Starter("menu"))
		angry := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			return b.handler.HandleTurn(ctx, w, parley.With(t, nlu.MoodKey, nlu.Mood{Score: 0.1, Label: "negative", Frustration: 0.9}))
		})
		parleytest.NewTester(t, angry, parleytest.WithCustomer("cus_1")).Send("menu").Expect(parleytest.Exact("Hi Ada!"))
	})
}

func TestDigressionResumesForm(t *testing.T) {
	faq := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("We ship in 2 days."))
	})
	c := newTestBot(t, intent.WithQuestions(faq)).c
	c.Send("hi").Tap("Refund").Send("how long does shipping take?").
		Expect(parleytest.Exact("We ship in 2 days."), parleytest.Exact("How much?")).Check(flowtest.Node("refund"))
	c.Send("$5").Check(flowtest.Status(flow.Resolved))
}

func TestEntitiesFillSlots(t *testing.T) { synctest.Test(t, testEntitiesFillSlots) } // "tomorrow" from the bubble's 2000-01-01

func testEntitiesFillSlots(t *testing.T) {
	book := flow.New("book").Add(
		&flow.Ask{ID: "dest", Slot: "destination", Entity: "city", Prompt: []string{"Where to?"}, Next: "date"},
		&flow.Ask{ID: "date", Slot: "date", Type: flow.DateSlot, Prompt: []string{"When?"}, Next: "ok"},
		&flow.End{ID: "ok", Status: flow.Resolved, Text: []string{"Booked {{slots.destination}} on {{slots.date}}."}},
	)
	e, err := flow.NewEngine([]*flow.Builder{book})
	require.NoError(t, err)
	h := understand("book_flight", e.Starter("book"),
		nlu.Entity{Type: "city", Text: "Paris", Value: "Paris"},
		nlu.Entity{Type: "date", Text: "next Friday", Value: "2026-01-09"})
	c := parleytest.NewTester(t, h)
	c.Send("Book a flight to Paris next Friday").Expect(parleytest.Exact("Booked Paris on 2026-01-09."))

	// Without the date entity, the date is asked and parsed by type.
	_, h2 := mount(e, nil, nil)
	first := true
	c2 := parleytest.NewTester(t, parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if first {
			first = false
			return understand("book_flight", e.Starter("book"), nlu.Entity{Type: "city", Text: "Rome", Value: "Rome"}).HandleTurn(ctx, w, t)
		}
		return h2.HandleTurn(ctx, w, t)
	}))
	c2.Send("fly to Rome").Expect(parleytest.Exact("When?"))
	c2.Send("tomorrow").Expect(parleytest.Exact("Booked Rome on 2000-01-02."))
}

// understand annotates every turn as the given intent, standing in for the
// intent package's middleware.
func understand(intent string, next parley.Handler, ents ...nlu.Entity) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u := nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: intent, Confidence: 0.9}, Entities: ents}
		return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
	})
}

func TestMultiIntentOneQuestionPerTurn(t *testing.T) {
	ret := flow.New("return").Add(
		&flow.Ask{ID: "why", Slot: "reason", Prompt: []string{"Why are you returning it?"}, Next: "ok"},
		&flow.End{ID: "ok", Status: flow.Resolved, Text: []string{"Return started."}},
	)
	stock := flow.New("stock").Add(
		&flow.End{ID: "ok", Status: flow.Resolved, Text: []string{"Yes, we have it in red, size M."}},
	)
	e, err := flow.NewEngine([]*flow.Builder{ret, stock})
	require.NoError(t, err)
	r, _ := mount(e, map[string]string{"return_item": "return", "check_stock": "stock"}, nil)
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return r.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, nlu.Understanding{Status: nlu.Understood,
			Intent: nlu.Intent{Name: "check_stock", Confidence: 0.9}, Then: []nlu.Intent{{Name: "return_item", Confidence: 0.8}}}))
	})
	c := parleytest.NewTester(t, h)
	c.Send("do you have it in red, size medium, and I need to return this blue shirt").
		Expect(parleytest.Exact("Yes, we have it in red, size M."), parleytest.Exact("Why are you returning it?"))
}

func TestLoopGuard(t *testing.T) {
	// A loop through an action that always routes back is legal (the
	// action could wait on the backend) but must not spin forever.
	f := flow.New("spin").Add(
		&flow.Action{ID: "a", Do: func(context.Context, *flow.Scope) (string, error) { return "again", nil },
			Routes: map[string]string{"again": "b"}, Next: "b", OnError: "b"},
		&flow.Call{ID: "b", Flow: "noop", Next: "a"},
	)
	noop := flow.New("noop").Add(&flow.End{ID: "e", Status: flow.Resolved})
	e, err := flow.NewEngine([]*flow.Builder{f, noop}, flow.WithMaxVisits(5))
	require.NoError(t, err)
	c := parleytest.NewTester(t, e.Starter("spin"))
	c.Send("go").Expect(parleytest.Contains("going round in circles")).Check(flowtest.Status(flow.Unresolved))
	c.ExpectEvent(flow.EventProblem, map[string]string{"what": "loop"})
}

func TestWaitForSignalAndTimeout(t *testing.T) { synctest.Test(t, testWaitForSignalAndTimeout) }

func testWaitForSignalAndTimeout(t *testing.T) {
	f := flow.New("cart").Add(
		&flow.Say{ID: "nudge", Text: []string{"You left something in your cart."}, Next: "wait"},
		&flow.Wait{ID: "wait", Signal: "checkout.done", Timeout: 24 * time.Hour, Next: "thanks", OnTimeout: "remind"},
		&flow.End{ID: "thanks", Status: flow.Resolved, Text: []string{"Thanks for your order!"}},
		&flow.End{ID: "remind", Status: flow.Unresolved, Text: []string{"Your cart expires soon."}},
	)
	e, err := flow.NewEngine([]*flow.Builder{f})
	require.NoError(t, err)
	r := intent.NewRouter()
	r.HandleSignal("cart.abandoned", e.Starter("cart"))
	r.HandleSignal("checkout.done", e)
	r.HandleSignal(flow.SignalTimer, e)

	c := parleytest.NewTester(t, r)
	c.Signal("cart.abandoned", nil).Expect(parleytest.Exact("You left something in your cart.")).Check(flowtest.Node("wait"))
	c.Signal("checkout.done", nil).Expect(parleytest.Exact("Thanks for your order!"))

	c2 := parleytest.NewTester(t, r)
	c2.Signal("cart.abandoned", nil)
	c2.Advance(23*time.Hour).Signal(flow.SignalTimer, nil).ExpectNoReply().Check(flowtest.Node("wait"))
	c2.Advance(2*time.Hour).Signal(flow.SignalTimer, nil).Expect(parleytest.Exact("Your cart expires soon.")).
		Check(flowtest.Status(flow.Unresolved))
}

func TestStateSurvivesRestart(t *testing.T) {
	store := memory.NewMap()
	b1 := newTestBot(t)
	c1 := parleytest.NewTester(t, b1.handler, parleytest.WithStore(store), parleytest.WithCustomer("cus_1"))
	c1.Send("hi").Tap("Refund").Check(flowtest.Node("refund"))

	// A new process: a new engine with the same flows and the same store.
	b2 := newTestBot(t)
	c2 := parleytest.NewTester(t, b2.handler, parleytest.WithStore(store), parleytest.WithCustomer("cus_1"))
	c2.Send("$12").Expect(parleytest.Exact("Refunded 12 USD."))
}

func TestVersions(t *testing.T) {
	v := func(version, text string) *flow.Builder {
		return flow.New("survey").Version(version).Add(
			&flow.Ask{ID: "q", Slot: "a", Prompt: []string{"Question " + version + "?"}, Next: "end"},
			&flow.End{ID: "end", Status: flow.Resolved, Text: []string{text}},
		)
	}
	deploy := func(opts []flow.EngineOption, fs ...*flow.Builder) parley.Handler {
		e, err := flow.NewEngine(fs, opts...)
		require.NoError(t, err)
		_, h := mount(e, map[string]string{"start": "survey"}, map[string]string{"start": "start"})
		return h
	}
	var live parley.Handler
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return live.HandleTurn(ctx, w, t)
	})
	store := memory.NewMap()
	live = deploy(nil, v("1", "Done with v1."))
	old := parleytest.NewTester(t, h, parleytest.WithStore(store), parleytest.WithConversation("old"))
	old.Send("start").Expect(parleytest.Exact("Question 1?"))

	// A new deployment with v2: new conversations start it, the one in
	// flight keeps v1.
	live = deploy(nil, v("1", "Done with v1."), v("2", "Done with v2."))
	fresh := parleytest.NewTester(t, h, parleytest.WithStore(store), parleytest.WithConversation("new"))
	fresh.Send("start").Expect(parleytest.Exact("Question 2?"))
	old.Send("yes").Expect(parleytest.Exact("Done with v1."))

	// A conversation on a removed version restarts with a message...
	again := parleytest.NewTester(t, h, parleytest.WithStore(store), parleytest.WithConversation("again"))
	live = deploy(nil, v("1", "Done with v1."))
	again.Send("start").Expect(parleytest.Exact("Question 1?"))
	live = deploy(nil, v("3", "Done with v3."))
	again.Send("x").Expect(parleytest.Contains("pick it up from the start"), parleytest.Exact("Question 3?"))

	// ...or is migrated by the hook.
	migrate := []flow.EngineOption{flow.WithMigration(func(_ context.Context, name, from, node string) (string, string, bool) {
		return "5", node, true
	})}
	live = deploy(migrate, v("4", "Done with v4."))
	mc := parleytest.NewTester(t, h, parleytest.WithStore(store), parleytest.WithConversation("m"))
	mc.Send("start").Expect(parleytest.Exact("Question 4?"))
	live = deploy(migrate, v("5", "Done with v5."))
	mc.Send("ok").Expect(parleytest.Exact("Done with v5."))
	mc.ExpectEvent(flow.EventMigrated, map[string]string{"from": "4", "to": "5"})
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
	desk := dialog.HandOfferFunc(func(context.Context, parley.ReplyWriter, *parley.Turn, dialog.HandoffRequest) error { return nil })
	e, err := flow.NewEngine([]*flow.Builder{menuFlow(), orderFlow(&orders{})}, flow.WithHandOffer(desk), flow.WithProfiles(profilesFunc(
		func(context.Context, string) (map[string]string, error) { return nil, errors.New("crm down") })))
	require.NoError(t, err)
	c := parleytest.NewTester(t, e.Starter("menu"), parleytest.WithCustomer("cus_1"))
	c.Send("hi").Expect(parleytest.Exact("Hi there!")).ExpectEvent(flow.EventProblem, map[string]string{"what": "profile"})
}

func TestToneVariants(t *testing.T) {
	f := flow.New("tone").Add(
		&flow.Say{ID: "s", Text: []string{"Your refund is on its way."}, Tones: map[string][]string{
			"empathetic": {"I'm sorry for the trouble. Your refund is on its way."},
		}, Next: "e"},
		&flow.End{ID: "e", Status: flow.Resolved},
	)
	e, err := flow.NewEngine([]*flow.Builder{f})
	require.NoError(t, err)
	angry := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return e.Starter("tone").HandleTurn(ctx, w, parley.With(t, nlu.MoodKey, nlu.Mood{Compound: -0.8, Score: 0.1, Label: "negative", Frustration: 0.9}))
	})
	parleytest.NewTester(t, angry).Send("this is ridiculous").Expect(parleytest.Exact("I'm sorry for the trouble. Your refund is on its way."))
	parleytest.NewTester(t, e.Starter("tone")).Send("ok").Expect(parleytest.Exact("Your refund is on its way."))
}

func TestNewEngineReportsEveryProblemBetweenFlows(t *testing.T) {
	a := flow.New("a").Add(&flow.Call{ID: "c", Flow: "ghost", Next: "h"}, &flow.Handoff{ID: "h", Reason: "x"})
	_, err := flow.NewEngine([]*flow.Builder{a, a, nil})
	var ce *flow.CompileError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []flow.Problem{
		{Flow: "a", Reason: `version "1" given twice`},
		{Reason: "flow #3 is nil"},
		{Flow: "a", Node: "c", Reason: `calls flow "ghost", which is not in the engine`},
		{Flow: "a", Node: "h", Reason: "hands off but the engine has no HandOffer (WithHandOffer)"},
	}, ce.Problems)
}

// The problems inside each flow and those between flows come in one
// error, each naming its flow and node.
func TestNewEngineReportsEveryProblemInOneError(t *testing.T) {
	menu := flow.New("menu").Add(
		&flow.Choice{ID: "pick", Prompt: []string{"What do you need?"}, Options: []flow.Option{
			{Title: "Refund", Next: "refund"}, {Title: "Track", Next: "track"}}},
		&flow.Call{ID: "refund", Flow: "refund", Next: "bye"},
		&flow.Call{ID: "track", Flow: "track", Next: "bye"},
		&flow.End{ID: "bye", Status: flow.Resolved, Text: []string{"Bye {{slots.nope}}"}},
	)
	refund := flow.New("refund").Add(
		&flow.Ask{ID: "order", Slot: "order", Prompt: []string{"Which order?"}, Next: "nowhere"},
	)
	_, err := flow.NewEngine([]*flow.Builder{menu, refund})
	var ce *flow.CompileError
	require.ErrorAs(t, err, &ce)
	assert.Empty(t, ce.Flow, "the error is the engine's, not one flow's")
	assert.Equal(t, []flow.Problem{
		{Flow: "menu", Node: "bye", Reason: `text: template names unknown variable {{slots.nope}} (no node collects slot "nope"; declare it with Builder.Slots)`},
		{Flow: "refund", Node: "order", Reason: `unknown target "nowhere"`},
		{Flow: "menu", Node: "track", Reason: `calls flow "track", which is not in the engine`},
	}, ce.Problems, "a Call to refund, which has problems of its own, is not reported as missing")
	assert.Equal(t, `flows: 3 problems
	flow "menu": node "bye": text: template names unknown variable {{slots.nope}} (no node collects slot "nope"; declare it with Builder.Slots)
	flow "refund": node "order": unknown target "nowhere"
	flow "menu": node "track": calls flow "track", which is not in the engine`, err.Error())
}

func TestEngineOutsideBot(t *testing.T) {
	e, err := flow.NewEngine(nil)
	require.NoError(t, err)
	err = e.HandleTurn(context.Background(), parley.ReplyFunc(func(context.Context, parley.Message) error { return nil }), &parley.Turn{})
	require.ErrorIs(t, err, dialog.ErrNoSession)
}

func TestUnknownFlow(t *testing.T) {
	e, err := flow.NewEngine(nil)
	require.NoError(t, err)
	s := &memory.Session{ID: "c"}
	err = e.Starter("nope").HandleTurn(context.Background(), nil, (&parley.Turn{}).WithSession(s))
	require.ErrorIs(t, err, flow.ErrUnknownFlow)
}

func TestUnderstoodIntentAsksAgain(t *testing.T) {
	c := newTestBot(t).c
	c.Send("where is my order").Expect(parleytest.Exact("What's your order number?")).Check(flowtest.Flow("order_status"))
	c.Send("hmm").Expect(parleytest.Contains("Order numbers look like"))
	// The request that started the flow, repeated: asked again, no attempt counted.
	c.Send("I said where is my order").Expect(parleytest.Exact("What's your order number?")).Check(flowtest.Node("ask_order"))
	c.Send("A-1").Expect(parleytest.Contains("shipped"))
}

func TestChangingYourMindSwitchesFlowButValidationNeverDoes(t *testing.T) {
	returns := flow.New("returns").Add(&flow.End{ID: "e", Status: flow.Resolved, Text: []string{"Return started."}})
	pay := flow.New("pay").Add(
		&flow.Ask{ID: "amount", Slot: "amount", Type: flow.MoneySlot, Prompt: []string{"How much?"},
			Validate: func(_ context.Context, v string) (string, error) {
				if v != "10 USD" {
					return "", &flow.InputError{Slot: "amount", Message: "Only $10 today."}
				}
				return v, nil
			}, Next: "ok"},
		&flow.End{ID: "ok", Status: flow.Resolved, Text: []string{"Paid."}})
	tc := parleytest.NewTester(t, parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }))
	e, err := flow.NewEngine([]*flow.Builder{orderFlow(&orders{}), returns, pay}, flow.WithHandOffer(tc.HandOffer()))
	require.NoError(t, err)
	_, h := mount(e, map[string]string{"track_order": "order_status", "return_item": "returns", "pay": "pay"},
		map[string]string{"where is it": "track_order", "i want to return it": "return_item", "pay": "pay", "500 usd": "return_item"})
	c := parleytest.NewTester(t, h)
	c.Send("where is it").Check(flowtest.Flow("order_status"))
	// At a text slot the validator is the parser: an answer it refuses
	// that is understood as another intent is a new request, served in
	// passing: the form it interrupted asks its question again.
	c.Send("I want to return it").Expect(parleytest.Exact("Return started."),
		parleytest.Exact("Back to your order status. What's your order number?")).Check(flowtest.Node("ask_order"))

	// At a typed slot, an answer of the right type that the validator
	// refuses never switches, however it was classified.
	c.Send("pay").Check(flowtest.Flow("pay"))
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
	desk := dialog.HandOfferFunc(func(context.Context, parley.ReplyWriter, *parley.Turn, dialog.HandoffRequest) error { return nil })
	e, err := flow.NewEngine([]*flow.Builder{menuFlow(), orderFlow(&orders{})}, flow.WithHandOffer(desk), flow.WithProfiles(flow.StoredProfiles(ps)))
	require.NoError(t, err)
	parleytest.NewTester(t, e.Starter("menu"), parleytest.WithCustomer("cus_9")).Send("hi").Expect(parleytest.Exact("Hi Grace!"))
	parleytest.NewTester(t, e.Starter("menu"), parleytest.WithCustomer("nobody")).Send("hi").Expect(parleytest.Exact("Hi there!"))
}

func TestLastVersionGivenIsTheOneStarted(t *testing.T) {
	v := func(version string) *flow.Builder {
		return flow.New("f").Version(version).Add(&flow.End{ID: "e", Status: flow.Resolved, Text: []string{"v" + version}})
	}
	e, err := flow.NewEngine([]*flow.Builder{v("3"), v("1"), v("2")})
	require.NoError(t, err)
	for i := range 5 {
		parleytest.NewTester(t, e.Starter("f"), parleytest.WithConversation(fmt.Sprint("c", i))).Send("hi").Expect(parleytest.Exact("v2"))
	}
}

func TestPrefillIsValidated(t *testing.T) {
	upper := func(_ context.Context, v string) (string, error) {
		if !strings.HasPrefix(strings.ToUpper(v), "A") {
			return "", &flow.InputError{Slot: "order", Message: "Order numbers start with A."}
		}
		return strings.ToUpper(v), nil
	}
	f := flow.New("refund").Add(
		&flow.Ask{ID: "order", Slot: "order", Entity: "order_id", Prompt: []string{"Which order?"}, Validate: upper, Next: "ok"},
		&flow.End{ID: "ok", Status: flow.Resolved, Text: []string{"Refunding {{slots.order}}."}},
	)
	e, err := flow.NewEngine([]*flow.Builder{f})
	require.NoError(t, err)
	tests := []struct {
		name, value, want string
	}{
		{name: "accepted and normalised", value: "a1001", want: "Refunding A1001."},
		{name: "refused: asked as usual", value: "B77", want: "Which order?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
				turn = parley.With(turn, nlu.UnderstandingKey, nlu.Understanding{Status: nlu.Understood,
					Intent:   nlu.Intent{Name: "refund", Confidence: 0.9},
					Entities: []nlu.Entity{{Type: "order_id", Value: tt.value}}})
				return e.Starter("refund").HandleTurn(ctx, w, turn)
			})
			parleytest.NewTester(t, h).Send("refund " + tt.value + " please").Expect(parleytest.Exact(tt.want))
		})
	}
}

func TestOutcomes(t *testing.T) {
	b := newTestBot(t)
	outcome := func() dialog.Outcome {
		o, _ := dialog.TurnOutcome((&parley.Turn{}).WithSession(b.c.Session()))
		return o
	}
	b.c.Send("hi")
	assert.Equal(t, dialog.Served, outcome())
	b.c.Tap("Refund").Send("no idea")
	assert.Equal(t, dialog.NotUnderstood, outcome(), "an answer that did not fit")
	b.c.Send("$5")
	assert.Equal(t, dialog.Resolved, outcome())
	b.orders.down = true
	b.c.Send("hi").Tap("Track order").Send("A-1")
	assert.Equal(t, dialog.Unresolved, outcome())
}

func TestFeedbackReadsThanksAsHelpful(t *testing.T) {
	for _, tc := range []struct{ say, value string }{
		{"thanks!", "yes"}, {"Thank you", "yes"}, {"that helped", "yes"}, {"gracias", "yes"},
		{"it didn't help", "no"}, {"not at all", "no"},
	} {
		t.Run(tc.say, func(t *testing.T) {
			c := newTestBot(t).c
			c.Send("hi").Tap("Track order").Send("A-1001").Expect(parleytest.Contains("helpful"))
			c.Send(tc.say)
			c.ExpectEvent(flow.EventFeedback, map[string]string{"value": tc.value})
		})
	}
}

// profilesFunc adapts a function to [flow.Profiles].
type profilesFunc func(ctx context.Context, customerID string) (map[string]string, error)

func (f profilesFunc) Profile(ctx context.Context, customerID string) (map[string]string, error) {
	return f(ctx, customerID)
}

// A flow called from the menu knows the intent it was entered with, so a
// change of mind at its first question is told from an answer even when
// the new request names a value of the asked type.
func TestChangeOfMindInACalledFlow(t *testing.T) {
	menu := flow.New("menu").Add(
		&flow.Choice{ID: "menu", Prompt: []string{"How can I help?"}, Options: []flow.Option{
			{Title: "Refund", Synonyms: []string{"i want a refund"}, Next: "refund"},
		}},
		&flow.Call{ID: "refund", Flow: "refund", Next: "done"},
		&flow.End{ID: "done", Status: flow.Resolved})
	refund := flow.New("refund").Add(
		&flow.Ask{ID: "order", Slot: "order", Entity: "order_id", Prompt: []string{"Which order?"}, Next: "ok"},
		&flow.End{ID: "ok", Status: flow.Resolved, Text: []string{"Refunding {{slots.order}}."}})
	track := flow.New("track").Add(&flow.End{ID: "e", Status: flow.Resolved, Text: []string{"Tracking."}})
	tc := parleytest.NewTester(t, parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }))
	e, err := flow.NewEngine([]*flow.Builder{menu, refund, track}, flow.WithHandOffer(tc.HandOffer()))
	require.NoError(t, err)
	r, _ := mount(e, map[string]string{"greeting": "menu", "refund": "refund", "track_order": "track"}, nil)
	a7 := []nlu.Entity{{Type: "order_id", Value: "A-7"}}
	words := understands(map[string]nlu.Understanding{
		"hi":                           {Status: nlu.Understood, Intent: nlu.Intent{Name: "greeting"}},
		"i want a refund":              {Status: nlu.Understood, Intent: nlu.Intent{Name: "refund"}},
		"where is my order a-7?":       {Status: nlu.Understood, Intent: nlu.Intent{Name: "track_order"}, Entities: a7},
		"actually no wait, it was a-7": {Status: nlu.Understood, Intent: nlu.Intent{Name: "track_order"}, Entities: a7},
		"actually, where is a-7?":      {Status: nlu.Understood, Intent: nlu.Intent{Name: "track_order"}, Entities: a7},
		"refund a-7 please":            {Status: nlu.Understood, Intent: nlu.Intent{Name: "refund"}, Entities: a7},
		"my money back or the parcel": {Status: nlu.Ambiguous, Ranked: []nlu.Intent{
			{Name: "refund", Confidence: 0.6}, {Name: "track_order", Confidence: 0.38}}},
	})
	c := parleytest.NewTester(t, parley.Chain(r, intent.Commands(), words))
	c.Send("hi").Expect(parleytest.Exact("How can I help?"))
	c.Send("I want a refund").Expect(parleytest.Exact("Which order?")).Check(flowtest.Flow("refund"))
	// A request served in passing: the form asks its question again.
	c.Send("where is my order A-7?").Expect(parleytest.Exact("Tracking."), parleytest.Exact("Back to your refund. Which order?"))
	// Said as a change of mind, it replaces the form.
	c.Send("actually, where is A-7?").Expect(parleytest.Exact("Tracking.")).
		ExpectEvent(flow.EventEnd, map[string]string{"flow": "refund", "status": "abandoned"}).Check(flowtest.Flow(""))

	// The same path answered plainly fills the slot and returns to the menu.
	c.Send("hi").Expect(parleytest.Exact("How can I help?"))
	c.Send("I want a refund").Expect(parleytest.Exact("Which order?"))
	c.Send("A-7").Expect(parleytest.Exact("Refunding A-7."))

	// An answer wrapped in fillers is an answer, even when the classifier
	// reads the order number as another request.
	c.Send("hi").Expect(parleytest.Exact("How can I help?"))
	c.Send("I want a refund").Expect(parleytest.Exact("Which order?"))
	c.Send("actually no wait, it was A-7").Expect(parleytest.Exact("Refunding A-7."))

	// A menu answer that is a whole request keeps its order number: the
	// router serves it instead of the option asking for it again.
	c.Send("hi").Expect(parleytest.Exact("How can I help?"))
	c.Send("refund A-7 please").Expect(parleytest.Exact("Refunding A-7."))

	// An ambiguous answer at the menu is no failed pick: the router asks
	// which of the two was meant.
	c.Send("hi").Expect(parleytest.Exact("How can I help?"))
	c.Send("my money back or the parcel").Expect(parleytest.Exact("Did you mean: Refund / Track order?"))
}

// An answer to a confirmation that changes an earlier amount is a
// correction: the amount is checked again and the confirmation asked
// again with it, never confirmed with the old one.
func TestCorrectionAtAConfirmation(t *testing.T) {
	pay := flow.New("pay").Add(
		&flow.Ask{ID: "amount", Slot: "amount", Type: flow.MoneySlot, Prompt: []string{"How much?"},
			Validate: func(_ context.Context, v string) (string, error) {
				if v == "500 USD" {
					return "", &flow.InputError{Slot: "amount", Message: "At most $100."}
				}
				return v, nil
			}, Next: "confirm"},
		&flow.Ask{ID: "confirm", Slot: "ok", Type: flow.YesNoSlot, Prompt: []string{"Pay {{slots.amount}}?"}, Next: "go"},
		&flow.Branch{ID: "go", Cases: []flow.Case{{Expr: `slots.ok == "yes"`, Next: "paid"}}, Else: "kept"},
		&flow.End{ID: "paid", Status: flow.Resolved, Text: []string{"Paid {{slots.amount}}."}},
		&flow.End{ID: "kept", Status: flow.Resolved, Text: []string{"Nothing paid."}})
	tc := parleytest.NewTester(t, parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }))
	e, err := flow.NewEngine([]*flow.Builder{pay}, flow.WithHandOffer(tc.HandOffer()))
	require.NoError(t, err)
	_, h := mount(e, map[string]string{"pay": "pay"}, map[string]string{"pay": "pay"})
	c := parleytest.NewTester(t, h)
	c.Send("pay").Expect(parleytest.Exact("How much?"))
	c.Send("$50").Expect(parleytest.Exact("Pay 50 USD?"))
	c.Send("wait, make it 20").Expect(parleytest.Exact("Pay 20 USD?"))
	// A correction the amount's check refuses is not taken: the
	// confirmation of the old amount is void, and the amount asked again
	// (a "yes" now would pay what the customer just corrected).
	c.Send("make it $500").Expect(parleytest.Exact("At most $100.")).Expect(parleytest.Exact("How much?"))
	c.Send("yes").Expect(parleytest.Contains("How much?"))
	c.Send("$30").Expect(parleytest.Exact("Pay 30 USD?"))
	c.Send("yes").Expect(parleytest.Exact("Paid 30 USD."))
}

// A free-text answer marked Correctable is corrected at the confirmation
// as an amount is: a new value its Validate accepts replaces it and the
// confirmation is asked again; anything else is still "yes or no?". A
// text slot without Validate cannot be Correctable.
func TestCorrectableTextAtAConfirmation(t *testing.T) {
	street := func(_ context.Context, v string) (string, error) {
		if !strings.ContainsFunc(v, unicode.IsDigit) || strings.Contains(v, "?") {
			return "", &flow.InputError{Slot: "address", Message: "Street and number, please."}
		}
		return v, nil
	}
	move := flow.New("move").Add(
		&flow.Ask{ID: "address", Slot: "address", Prompt: []string{"Where to?"}, Validate: street, Correctable: true, Next: "confirm"},
		&flow.Ask{ID: "confirm", Slot: "ok", Type: flow.YesNoSlot, Prompt: []string{"Send it to {{slots.address}}?"}, Next: "go"},
		&flow.Branch{ID: "go", Cases: []flow.Case{{Expr: `slots.ok == "yes"`, Next: "sent"}}, Else: "kept"},
		&flow.End{ID: "sent", Status: flow.Resolved, Text: []string{"Going to {{slots.address}}."}},
		&flow.End{ID: "kept", Status: flow.Resolved, Text: []string{"Left as it was."}})
	tc := parleytest.NewTester(t, parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }))
	e, err := flow.NewEngine([]*flow.Builder{move}, flow.WithHandOffer(tc.HandOffer()))
	require.NoError(t, err)
	_, h := mount(e, map[string]string{"move": "move"}, map[string]string{"move": "move"})
	c := parleytest.NewTester(t, h)
	c.Send("move").Expect(parleytest.Exact("Where to?"))
	c.Send("1 Main St").Expect(parleytest.Exact("Send it to 1 Main St?"))
	c.Send("9 High Rd").Expect(parleytest.Exact("Send it to 9 High Rd?"))
	c.Send("banana").Expect(parleytest.Contains("Please answer yes or no.")).Check(flowtest.Node("confirm"))
	c.Send("yes").Expect(parleytest.Exact("Going to 9 High Rd."))

	_, err = flow.New("f").Add(
		&flow.Ask{ID: "a", Slot: "s", Prompt: []string{"Name?"}, Correctable: true, Next: "e"},
		&flow.End{ID: "e", Status: flow.Resolved}).Compile()
	require.ErrorContains(t, err, "Correctable text slot needs a Validate")
}

// "No, thanks" to a choice that has no such option declines it: the
// router closes the question and the flow ends, nothing re-asked.
func TestNoThanksToAChoiceDeclinesIt(t *testing.T) {
	tc := parleytest.NewTester(t, parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }))
	e, err := flow.NewEngine([]*flow.Builder{menuFlow(), orderFlow(&orders{})}, flow.WithHandOffer(tc.HandOffer()))
	require.NoError(t, err)
	_, h := mount(e, map[string]string{"greeting": "menu"}, map[string]string{"hi": "greeting"})
	c := parleytest.NewTester(t, h)
	c.Send("hi").Expect(parleytest.Exact("How can I help?"))
	c.Send("No, thanks!").Expect(parleytest.Exact("No problem. I'm here whenever you need me.")).Check(flowtest.Flow(""))
}

// refundForm is a refund form as the example's: the order, then how much
// of what is left on it (the whole of it if the customer says so), then
// a confirmation.
func refundForm() *flow.Builder {
	left := map[string]string{"A-1": "39", "A-2": "129"}
	return flow.New("refund").Slots("left").Add(
		&flow.Ask{ID: "order", Slot: "order", Entity: "order_id", Prompt: []string{"Which order?"}, Next: "lookup",
			Validate: func(_ context.Context, v string) (string, error) {
				if v = strings.ToUpper(v); !strings.HasPrefix(v, "A-") {
					return "", &flow.InputError{Slot: "order", Message: "Orders start with A-."}
				}
				return v, nil
			}},
		&flow.Action{ID: "lookup", Do: func(_ context.Context, s *flow.Scope) (string, error) {
			s.SetSlot("left", left[s.Slot("order")])
			return "", nil
		}, Next: "amount", OnError: "done"},
		&flow.Ask{ID: "amount", Slot: "amount", Type: flow.MoneySlot, Prompt: []string{"How much of ${{slots.left}} on {{slots.order}}?"},
			Whole: func(s *flow.Scope) string {
				if s.Slot("left") == "" {
					return ""
				}
				return s.Slot("left") + " USD"
			}, Next: "confirm"},
		&flow.Ask{ID: "confirm", Slot: "ok", Type: flow.YesNoSlot, Prompt: []string{"Refund {{slots.amount}} on {{slots.order}}?"}, Next: "go"},
		&flow.Branch{ID: "go", Cases: []flow.Case{{Expr: `slots.ok == "yes"`, Next: "paid"}}, Else: "done"},
		&flow.End{ID: "paid", Status: flow.Resolved, Text: []string{"Refunded {{slots.amount}} on {{slots.order}}."}},
		&flow.End{ID: "done", Status: flow.Resolved, Text: []string{"Nothing refunded."}})
}

func refundTester(t *testing.T, us map[string]nlu.Understanding) *parleytest.Tester {
	t.Helper()
	track := flow.New("track").Add(&flow.End{ID: "e", Status: flow.Resolved, Text: []string{"Tracking."}})
	e, err := flow.NewEngine([]*flow.Builder{refundForm(), track})
	require.NoError(t, err)
	r := intent.NewRouter()
	r.Handle(flow.DefaultOwner, e)
	r.Handle("refund", e.Starter("refund"))
	r.Handle("track_order", e.Starter("track"))
	r.Handle("goodbye", parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Bye!"))
	}))
	us["refund"] = nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: "refund"}}
	return parleytest.NewTester(t, parley.Chain(r, intent.Commands(), understands(us)))
}

// "All of it" to "how much?" is the whole amount the form supplies, in
// English and Spanish, even when the classifier reads "todo" as a
// goodbye; and it corrects an amount at the confirmation too.
func TestWholeAmountAnswers(t *testing.T) {
	bye := nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: "goodbye", Confidence: 0.97}}
	for _, say := range []string{"all of it", "everything", "the full amount", "the whole thing", "all", "todo",
		"todo el importe", "el total", "lo que queda", "All of it, please!"} {
		t.Run(say, func(t *testing.T) {
			c := refundTester(t, map[string]nlu.Understanding{
				"a-1": {Status: nlu.Unsure, Entities: []nlu.Entity{{Type: "order_id", Value: "A-1"}}},
				"all": bye, "todo": bye,
			})
			c.Send("refund").Expect(parleytest.Exact("Which order?"))
			c.Send("A-1").Expect(parleytest.Exact("How much of $39 on A-1?"))
			c.Send(say).Expect(parleytest.Exact("Refund 39 USD on A-1?"))
		})
	}
	c := refundTester(t, map[string]nlu.Understanding{})
	c.Send("refund").Send("A-1")
	c.Send("$10").Expect(parleytest.Exact("Refund 10 USD on A-1?"))
	c.Send("no, all of it").Expect(parleytest.Exact("Refund 39 USD on A-1?"))
	c.Send("yes").Expect(parleytest.Exact("Refunded 39 USD on A-1."))
	// Not the whole: an ordinary failed answer.
	c.Send("refund").Send("A-1")
	c.Send("not all of it").Expect(parleytest.Contains("I need an amount")).Check(flowtest.Node("amount"))
}

// Without a value to give, a whole answer fails as any other; Whole is
// only for number and money slots.
func TestWholeWithoutAValue(t *testing.T) {
	c := refundTester(t, map[string]nlu.Understanding{})
	c.Send("refund").Send("A-9").Expect(parleytest.Exact("How much of $ on A-9?"))
	c.Send("all of it").Expect(parleytest.Contains("I need an amount")).Check(flowtest.Node("amount"))

	_, err := flow.New("f").Add(
		&flow.Ask{ID: "a", Slot: "s", Prompt: []string{"Name?"}, Whole: func(*flow.Scope) string { return "x" }, Next: "e"},
		&flow.End{ID: "e", Status: flow.Resolved}).Compile()
	require.ErrorContains(t, err, "Whole is for number and money slots")
}

// A correction of the order while the form asks how much, or at its
// confirmation, changes the refund's order and asks the amount again for
// it; it never starts a lookup of the order. A request that names an
// order is still a new request.
func TestCorrectingAnEarlierAnswer(t *testing.T) {
	a2 := []nlu.Entity{{Type: "order_id", Value: "A-2"}}
	a1 := []nlu.Entity{{Type: "order_id", Value: "A-1"}}
	c := refundTester(t, map[string]nlu.Understanding{
		"a-1":                           {Status: nlu.Unsure, Entities: a1},
		"no wait, make it a-2":          {Status: nlu.Unsure, Entities: a2},
		"actually the order was a-1":    {Status: nlu.Understood, Intent: nlu.Intent{Name: "track_order"}, Entities: a1},
		"no, era el a-2":                {Status: nlu.Unsure, Entities: a2},
		"where is my order a-2 by now?": {Status: nlu.Understood, Intent: nlu.Intent{Name: "track_order"}, Entities: a2},
		"no wait, make it a-1":          {Status: nlu.Understood, Intent: nlu.Intent{Name: "track_order"}, Entities: a1},
	})
	c.Send("refund").Send("A-1").Expect(parleytest.Exact("How much of $39 on A-1?"))
	c.Send("no wait, make it A-2").Expect(parleytest.Exact("How much of $129 on A-2?")).Check(flowtest.Node("amount"))
	c.Send("$20").Expect(parleytest.Exact("Refund 20 USD on A-2?"))
	// At the confirmation: the amount given for the old order is asked again.
	c.Send("actually the order was A-1").Expect(parleytest.Exact("How much of $39 on A-1?"))
	c.Send("no, era el A-2").Expect(parleytest.Exact("How much of $129 on A-2?"))
	c.Send("all").Expect(parleytest.Exact("Refund 129 USD on A-2?"))
	c.Send("yes").Expect(parleytest.Exact("Refunded 129 USD on A-2."))

	// The order already given, said again: the question stands.
	c.Send("refund").Send("A-1").Expect(parleytest.Exact("How much of $39 on A-1?"))
	c.Send("no wait, make it A-1").Expect(parleytest.Exact("How much of $39 on A-1?")).Check(flowtest.Node("amount"))

	c.Send("refund").Send("A-1").Expect(parleytest.Exact("How much of $39 on A-1?"))
	c.Send("where is my order A-2 by now?").Expect(parleytest.Exact("Tracking."))
}

// holdFlows are the refund form and the requests that may interrupt it:
// a lookup that asks for the order when it was not given and ends with a
// feedback question, a form of two questions, a choice without a slot
// (a menu), and a Spanish form that words its own introduction.
func holdFlows() []*flow.Builder {
	track := flow.New("track").Add(
		&flow.Ask{ID: "order", Slot: "order", Entity: "order_id", Prompt: []string{"Which order to track?"}, Next: "tell"},
		&flow.Say{ID: "tell", Text: []string{"Order {{slots.order}} has shipped."}, Next: "fb"},
		&flow.Feedback{ID: "fb", Kind: flow.Helpful, Next: "bye"},
		&flow.End{ID: "bye", Status: flow.Resolved, Text: []string{"Thanks!"}})
	address := flow.New("address").Add(
		&flow.Ask{ID: "order", Slot: "order", Entity: "order_id", Prompt: []string{"Which order goes elsewhere?"}, Next: "to"},
		&flow.Ask{ID: "to", Slot: "to", Prompt: []string{"New address?"}, Next: "done"},
		&flow.End{ID: "done", Status: flow.Resolved, Text: []string{"Address changed."}})
	plans := flow.New("plans").Add(
		&flow.Choice{ID: "plan", Prompt: []string{"Monthly or annual?"}, Options: []flow.Option{
			{Title: "Monthly", Next: "done"}, {Title: "Annual", Next: "done"}}},
		&flow.End{ID: "done", Status: flow.Resolved, Text: []string{"Plan kept."}})
	reembolso := flow.New("reembolso").Add(
		&flow.Ask{ID: "order", Slot: "order", Entity: "order_id", Prompt: []string{"¿Qué pedido es?"},
			ResumeText: "Volvamos a tu reembolso.", Next: "done"},
		&flow.End{ID: "done", Status: flow.Resolved, Text: []string{"Reembolso de {{slots.order}}."}})
	return []*flow.Builder{refundForm(), track, address, plans, reembolso}
}

// holdTester drives holdFlows through a router, as an application
// mounts them, over store.
func holdTester(t *testing.T, store memory.Store) *parleytest.Tester {
	t.Helper()
	e, err := flow.NewEngine(holdFlows())
	require.NoError(t, err)
	r := intent.NewRouter()
	r.Handle(flow.DefaultOwner, e)
	for in, name := range map[string]string{"refund": "refund", "track_order": "track", "change_address": "address",
		"plans": "plans", "reembolso": "reembolso"} {
		r.Handle(in, e.Starter(name))
	}
	r.HandleCommand(dialog.CommandCancel, e.Cancel("OK, cancelled."))
	order := func(id string) []nlu.Entity { return []nlu.Entity{{Type: "order_id", Value: id}} }
	track := func(ents ...nlu.Entity) nlu.Understanding {
		return nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: "track_order"}, Entities: ents}
	}
	us := map[string]nlu.Understanding{
		"where is my order?":                 track(),
		"where is a-7?":                      track(order("A-7")...),
		"¿dónde está a-7?":                   track(order("A-7")...),
		"actually, where is a-7?":            track(order("A-7")...),
		"forget it, where is a-7?":           track(order("A-7")...),
		"en realidad, ¿dónde está a-7?":      track(order("A-7")...),
		"mejor dime dónde está a-7":          track(order("A-7")...),
		"no wait, where is a-7?":             track(order("A-7")...),
		"no, espera, ¿dónde está a-7?":       track(order("A-7")...),
		"wait, where is a-7?":                track(order("A-7")...),
		"change my address":                  {Status: nlu.Understood, Intent: nlu.Intent{Name: "change_address"}},
		"plans":                              {Status: nlu.Understood, Intent: nlu.Intent{Name: "plans"}},
		"refund":                             {Status: nlu.Understood, Intent: nlu.Intent{Name: "refund"}},
		"quiero un reembolso":                {Status: nlu.Understood, Intent: nlu.Intent{Name: "reembolso"}},
		"a-1":                                {Status: nlu.Unsure, Entities: order("A-1")},
		"a-7":                                {Status: nlu.Unsure, Entities: order("A-7")},
		"where is a-7? and is the mejor one": track(order("A-7")...),
	}
	opts := []parleytest.Option{parleytest.WithCustomer("cus_1")}
	if store != nil {
		opts = append(opts, parleytest.WithStore(store))
	}
	return parleytest.NewTester(t, parley.Chain(r, intent.Commands(), understands(us)), opts...)
}

// held checks which form is set aside.
func held(name string) parleytest.Check {
	return snapshotForm("held", func(s flow.Snapshot) string { return s.Held }, name)
}

// snapshotForm checks that the form the flow snapshot's field names (the
// one of role what) is want.
func snapshotForm(what string, field func(flow.Snapshot) string, want string) parleytest.Check {
	return func(c *parleytest.Tester) error {
		s, err := flow.SnapshotOf(c.Session())
		if err != nil {
			return err
		}
		if got := field(s); got != want {
			return fmt.Errorf("%s form is %q, want %q", what, got, want)
		}
		return nil
	}
}

// says sends text and checks that the replies are want, exactly.
func says(t *testing.T, c *parleytest.Tester, text string, want ...string) {
	t.Helper()
	c.Send(text)
	assert.Equal(t, want, c.Texts(), "replies to %q", text)
}

// abandoned counts the events saying flow name ended abandoned.
func abandoned(c *parleytest.Tester, name string) int {
	n := 0
	for _, e := range c.Events() {
		if e.Kind == flow.EventEnd && e.Attrs["flow"] == name && e.Attrs["status"] == string(flow.Abandoned) {
			n++
		}
	}
	return n
}

// A request served in one turn sets the form aside and asks its question
// again, introduced, in place of the request's feedback question; the
// form keeps its answers and takes the next one.
func TestHeldFormResumesAfterOneTurnRequest(t *testing.T) {
	c := holdTester(t, nil)
	c.Send("refund")
	says(t, c, "A-1", "How much of $39 on A-1?")
	says(t, c, "where is A-7?", "Order A-7 has shipped.", "Back to your refund. How much of $39 on A-1?")
	c.Check(flowtest.Flow("refund"), flowtest.Node("amount"), flowtest.Slot("order", "A-1"), held(""))
	c.ExpectEvent(flow.EventDropped, map[string]string{"flow": "track", "node": "fb"}).
		ExpectEvent(flow.EventNode, map[string]string{"flow": "refund", "node": "amount", "resumed": "true"})
	assert.Zero(t, abandoned(c, "refund"))
	says(t, c, "$10", "Refund 10 USD on A-1?")

	// Ignored, then a second request in passing: asked again each time.
	says(t, c, "where is A-7?", "Order A-7 has shipped.", "Back to your refund. Refund 10 USD on A-1?")
	c.Send("yes").Expect(parleytest.Exact("Refunded 10 USD on A-1."))
}

// A lookup that asks for one detail is still a request in passing: the
// form waits in the session one turn for it.
func TestHeldFormWaitsForOneDetail(t *testing.T) {
	c := holdTester(t, nil)
	c.Send("refund")
	c.Send("where is my order?").Expect(parleytest.Exact("Which order to track?")).Check(flowtest.Flow("track"), held("refund"))
	says(t, c, "A-7", "Order A-7 has shipped.", "Back to your refund. Which order?")
	c.Check(flowtest.Flow("refund"), flowtest.Node("order"), held(""))
	c.Send("A-1").Expect(parleytest.Exact("How much of $39 on A-1?"))
}

// A change of mind in words replaces the form, in English and Spanish;
// "mejor" inside a sentence is no such word.
func TestChangeOfMindWordsDropTheForm(t *testing.T) {
	for _, say := range []string{"actually, where is A-7?", "forget it, where is A-7?", "en realidad, ¿dónde está A-7?", "mejor dime dónde está A-7",
		"no wait, where is A-7?", "no, espera, ¿dónde está A-7?"} {
		t.Run(say, func(t *testing.T) {
			c := holdTester(t, nil)
			c.Send("refund")
			c.Send(say)
			assert.Equal(t, []string{"Order A-7 has shipped.", "Was this helpful?"}, c.Texts())
			c.Check(flowtest.Flow("track"), held(""))
			assert.Equal(t, 1, abandoned(c, "refund"))
		})
	}
	c := holdTester(t, nil)
	c.Send("refund")
	says(t, c, "where is A-7? and is the mejor one", "Order A-7 has shipped.", "Back to your refund. Which order?")
	// "wait" without a "no" is a pause, not a change of mind.
	c = holdTester(t, nil)
	c.Send("refund")
	says(t, c, "wait, where is A-7?", "Order A-7 has shipped.", "Back to your refund. Which order?")
}

// A request that goes on as a form of its own, or asks the customer to
// choose, replaces the held form: it is not asked again afterwards.
func TestSecondFormReplacesTheHeldOne(t *testing.T) {
	c := holdTester(t, nil)
	c.Send("refund")
	c.Send("change my address").Expect(parleytest.Exact("Which order goes elsewhere?")).Check(held("refund"))
	c.Send("A-1").Expect(parleytest.Exact("New address?")).Check(flowtest.Flow("address"), held(""))
	assert.Equal(t, 1, abandoned(c, "refund"))
	says(t, c, "1 Main Street", "Address changed.")

	c = holdTester(t, nil)
	c.Send("refund")
	says(t, c, "plans", "Monthly or annual?")
	c.Check(flowtest.Flow("plans"), held(""))
	assert.Equal(t, 1, abandoned(c, "refund"))
	c.Tap("Annual")
	assert.Equal(t, []string{"Plan kept."}, c.Texts())
}

// cancel drops the held form with the request that interrupted it, and
// a form asked again like any other.
func TestCancelDropsTheHeldForm(t *testing.T) {
	c := holdTester(t, nil)
	c.Send("refund")
	c.Send("where is my order?").Check(held("refund"))
	says(t, c, "cancel", "OK, cancelled.")
	c.Check(flowtest.Flow(""), held(""))
	assert.Equal(t, 1, abandoned(c, "refund"))
	c.Send("A-7").Expect(parleytest.Contains("say it another way"))

	c = holdTester(t, nil)
	c.Send("refund")
	c.Send("where is A-7?").Check(flowtest.Flow("refund"))
	says(t, c, "cancel", "OK, cancelled.")
	c.Check(flowtest.Flow(""), held(""))
}

// A form words its own introduction (here in Spanish) with ResumeText.
func TestResumeTextIntroducesTheQuestion(t *testing.T) {
	c := holdTester(t, nil)
	says(t, c, "quiero un reembolso", "¿Qué pedido es?")
	says(t, c, "¿dónde está A-7?", "Order A-7 has shipped.", "Volvamos a tu reembolso. ¿Qué pedido es?")
	c.Send("A-1").Expect(parleytest.Exact("Reembolso de A-1."))
}

// The held form lives in the session: a new process (a new engine over
// the same store) asks it again once the request is served.
func TestHeldFormSurvivesRestart(t *testing.T) {
	store := memory.NewMap()
	c1 := holdTester(t, store)
	c1.Send("refund").Send("A-1")
	c1.Send("where is my order?").Check(held("refund"), flowtest.Flow("track"))
	s := c1.Session()
	assert.True(t, strings.Contains(string(s.State["flow"]), `"held":{"flow":"refund"`), "%s", s.State["flow"])

	c2 := holdTester(t, store)
	says(t, c2, "A-7", "Order A-7 has shipped.", "Back to your refund. How much of $39 on A-1?")
	c2.Send("$5").Expect(parleytest.Exact("Refund 5 USD on A-1?"))
}

// An engine without the held form's flow version any more drops it.
func TestHeldFormWithoutItsFlowIsDropped(t *testing.T) {
	store := memory.NewMap()
	c1 := holdTester(t, store)
	c1.Send("refund").Send("where is my order?").Check(held("refund"))

	s := c1.Session()
	s.State["flow"] = []byte(strings.Replace(string(s.State["flow"]), `"held":{"flow":"refund","version":"1"`, `"held":{"flow":"refund","version":"0"`, 1))
	require.NoError(t, memory.NewSessions(store).Save(context.Background(), s))
	c2 := holdTester(t, store)
	says(t, c2, "A-7", "Order A-7 has shipped.", "Was this helpful?")
	c2.Check(held(""))
}

// An answer that fits a later question of the form rather than the one
// asked ("12 Oak St, Leeds" while the address form asks which order) is
// kept for that question, which is then not asked; the current question
// is asked again. A value its validator refuses is not kept, and one of
// the current question's own type is the current question's answer.
func TestAnswerToALaterQuestionIsKept(t *testing.T) {
	address := func(_ context.Context, v string) (string, error) {
		if !strings.ContainsAny(v, "0123456789") {
			return "", &flow.InputError{Slot: "to", Message: "With the house number, please."}
		}
		return v, nil
	}
	order := func(_ context.Context, v string) (string, error) {
		if !strings.HasPrefix(strings.ToUpper(v), "A-") {
			return "", &flow.InputError{Slot: "order", Message: "Please pick an order."}
		}
		return strings.ToUpper(v), nil
	}
	f := flow.New("address").Add(
		&flow.Ask{ID: "order", Slot: "order", Entity: "order_id", Prompt: []string{"Which order goes elsewhere?"}, Validate: order, Next: "to"},
		&flow.Ask{ID: "to", Slot: "to", Entity: "address", Prompt: []string{"New address?"}, Validate: address, Next: "done"},
		&flow.End{ID: "done", Status: flow.Resolved, Text: []string{"{{slots.order}} goes to {{slots.to}}."}})
	e, err := flow.NewEngine([]*flow.Builder{f})
	require.NoError(t, err)
	r := intent.NewRouter()
	r.Handle(flow.DefaultOwner, e)
	r.Handle("change_address", e.Starter("address"))
	at := func(v string) nlu.Understanding {
		return nlu.Understanding{Status: nlu.Unsure, Entities: []nlu.Entity{{Type: "address", Value: v}}}
	}
	c := parleytest.NewTester(t, parley.Chain(r, intent.Commands(), understands(map[string]nlu.Understanding{
		"change my address":   {Status: nlu.Understood, Intent: nlu.Intent{Name: "change_address"}},
		"12 oak st, leeds":    at("12 Oak St, Leeds"),
		"oak street":          at("Oak Street"),
		"a-1":                 {Status: nlu.Unsure, Entities: []nlu.Entity{{Type: "order_id", Value: "A-1"}}},
		"no, 14 elm st, york": at("14 Elm St, York"),
	})))
	c.Send("change my address").Expect(parleytest.Exact("Which order goes elsewhere?"))
	c.Send("12 Oak St, Leeds").Expect(parleytest.Exact("Got it, I've noted that. Which order goes elsewhere?")).Check(flowtest.Node("order"))
	c.Send("A-1").Expect(parleytest.Exact("A-1 goes to 12 Oak St, Leeds."))

	// Refused by the later question's validator: not kept, the current
	// question's own refusal.
	c.Send("change my address")
	c.Send("Oak Street").Expect(parleytest.Exact("Please pick an order. Which order goes elsewhere?"))
	c.Send("A-1").Expect(parleytest.Exact("New address?"))
	c.Send("no, 14 Elm St, York").Expect(parleytest.Exact("A-1 goes to 14 Elm St, York."))
}
