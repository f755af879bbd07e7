package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/health"
	"github.com/parleyhq/parley/i18n"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/intent/learn"
	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbbot"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/privacy"
	"github.com/parleyhq/parley/proactive"
	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/sentiment"
)

// app is the wired-up example: what a real service builds in main.
type app struct {
	// staffPassword guards the staff pages; staff signs staff in.
	staffPassword string
	staff         *staffAuth
	dash          *dashboard // analytics at /dashboard/
	learn         *learning  // the review queue and retrains (learn.go)
	shop          *shop
	actions       *actions
	desk          *desk.Memory
	journal       *deskJournal // the desk's open tickets, in the store
	esc           *escalation.Escalator
	bot           *parley.Bot
	handler       parley.Handler // the whole pipeline, without the Bot
	gaps          *kb.Gaps
	store         memory.Store
	ret           *retention  // campaigns (proactive.go)
	health        *churnWatch // customer health and churn risk (health.go)
	eraser        *forgetting // "forget this customer" (privacy.go)

	mu     sync.Mutex
	outbox func(conversationID string) parley.ReplyWriter
	// divert, if set, receives lifecycle turns instead of the Bot (tests
	// feed them to their own Bot).
	divert  func(t *parley.Turn)
	pending []*parley.Turn // used by tests with divert
}

// errNoOutbox is returned for agent messages before a channel is wired.
var errNoOutbox = errors.New("retention: no channel to deliver agent messages to")

// setOutbox tells the app how to reach a conversation outside its turns
// (an agent's message, the end of a hand-off): the channel's push.
func (a *app) setOutbox(f func(conversationID string) parley.ReplyWriter) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.outbox = f
}

// deliver runs a lifecycle turn from the agents' desk through the Bot, so
// it is ordered with the customer's own turns, replying on the channel.
func (a *app) deliver(ctx context.Context, t *parley.Turn) error {
	if err := a.journal.closed(ctx, t); err != nil {
		return err
	}
	a.mu.Lock()
	out, divert := a.outbox, a.divert
	a.mu.Unlock()
	if divert != nil {
		divert(t)
		return nil
	}
	if out == nil {
		return errNoOutbox
	}
	return a.bot.HandleTurn(ctx, out(t.ConversationID), t)
}

// config is the example's set-up.
type config struct {
	customer      string                   // who anonymous visitors are
	writes        bool                     // whether actions may change data
	model         llm.Model                // optional: answers what the flows do not understand
	staffPassword string                   // of the staff pages; empty: a random one
	policy        []proactive.PolicyOption // the campaigns' delivery policy, beyond its defaults
	quiet         string                   // the quiet hours policy has, as -quiet gives them ("21-9"), for /simulate/; empty: the default
	analyticsLog  string                   // JSON Lines file of analytics events; empty: memory only
	store         memory.Store             // conversations, profiles, approvals; nil: in memory
	jobs          schedule.Store           // the campaigns' steps; nil: in memory
	media         *mediaOptions            // speech and vision servers; nil: text only
	today         time.Time                // the demo data's dates are relative to it; zero: now
	hours         escalation.Hours         // the team's working hours (teamHours); zero: always open
}

// newAppWith wires the example. Every turn is understood (intent and
// entities), its mood read, escalation rules checked, and then the flows
// run; an intent router asks clarifying questions and falls back; a
// knowledge base answers questions; an agents' desk takes hand-offs.
// cfg.customer is who anonymous web visitors are (a demo "sign-in").
func newAppWith(cfg config, opts ...parley.Option) (*app, error) {
	demoCustomer := cfg.customer
	if cfg.staffPassword == "" {
		b := make([]byte, 9)
		_, _ = rand.Read(b) // crypto/rand.Read never fails
		cfg.staffPassword = base64.RawURLEncoding.EncodeToString(b)
	}
	ctx := context.Background()
	dash, err := newDashboard(cfg.analyticsLog)
	if err != nil {
		return nil, err
	}
	if cfg.store == nil {
		cfg.store = memory.NewMap()
	}
	if cfg.jobs == nil {
		cfg.jobs = schedule.NewMemory()
	}
	if cfg.today.IsZero() {
		cfg.today = time.Now()
	}
	a := &app{staffPassword: cfg.staffPassword, staff: newStaffAuth(cfg.staffPassword), shop: newShop(cfg.today), gaps: kb.NewGaps(0), store: cfg.store,
		dash: dash}
	deliver := escalation.DeliverFunc(a.deliver)
	a.desk = desk.NewMemory(deliver, desk.WithAgents(2))
	a.journal = &deskJournal{Memory: a.desk, store: a.store}
	if _, err := a.journal.restore(ctx); err != nil {
		return nil, err
	}
	esc, err := escalation.New(a.journal,
		escalation.WithRules(escalationRules( // angry.go: the defaults, and "it arrived broken" at a form's question
			escalation.Rule{Name: "VIP customer upset", When: escalation.And(escalation.ProfileIs("tier", "gold"), escalation.ScoreBelow(0.3)),
				Action: escalation.Offer, Priority: dialog.PriorityHigh},
			unhappyAfterRating(), // detractor.go: "1" out of 5, then something not understood
		)...),
		escalation.WithProfiles(escalation.ProfileFunc(a.profileWithHealth)),
		// Wake waiting customers for call-back offers and desk retries.
		escalation.WithWaker(a.store, deliver, 5*time.Second),
		escalation.WithHours(cfg.hours), // greeting.go teamHours: the help centre's hours
	)
	if err != nil {
		return nil, err
	}
	a.esc = esc

	idx, err := newHelpCentre() // faq.go
	if err != nil {
		return nil, err
	}
	answerer := kb.NewAnswerer(idx, kb.WithGaps(a.gaps))
	answers := kbbot.New(answerer, kbbot.WithHandOffer(esc))
	speakMedia, readMedia, imageRoute, err := mediaMiddleware(cfg.media, answerer, esc)
	if err != nil {
		return nil, err
	}

	// Refunds waiting for a person, the results of changes already made
	// and the budgets' counts are kept in the store (durable_budgets.go).
	reg, err := newActions(a.shop, cfg.writes, durableActions(a.store)...)
	if err != nil {
		return nil, err
	}
	a.actions = newActionRunner(reg)
	var asst *assistant
	if cfg.model != nil {
		// Card numbers, security codes and the like are masked before
		// any request leaves for the model provider.
		asst = newAssistant(privacy.RedactModel(cfg.model, newRedactor(), action.CustomerFrom), reg, esc, idx)
	}
	var e *flow.Engine
	ret, err := newRetention(ctx, a.store, cfg.jobs, reg, cfg.policy, func(name string) parley.Handler { return e.Starter(name) })
	if err != nil {
		return nil, err
	}
	a.ret = ret
	ret.quiet = cfg.quiet
	a.health = newChurnWatch(ret)
	ret.shop = a.shop
	e, err = newEngine(deps{shop: a.shop, handoff: esc, act: a.actions, hours: cfg.hours, extra: append(retentionFlows(ret), churnFlow()),
		greeted: greeting(ret.profiles)})
	if err != nil {
		return nil, err
	}
	if asst != nil {
		asst.callback = e.Starter("callback") // the model's call-backs go through the flow's reading of times
	}
	rt := routes{
		answers: answeredOutcome(answers, idx), // answered.go: a help-centre answer resolves
		human:   esc,                           // the customer asked: hand off
		// STOP, whoever owns the conversation: the agent reads it too (approvals.go)
		optOut:  a.toldWorkspace(ret.optOut(parley.Text(optOutText))),
		optIn:   ret.optIn,
		pending: refundStatus(a.actions, a.shop),
		act:     a.actions,
		shop:    a.shop,
	}
	if asst != nil {
		// What no intent covers goes to the model; if it fails, the
		// customer is asked to put it another way.
		rt.fallback = parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if err := asst.HandleTurn(ctx, w, t); err == nil {
				return nil
			}
			return w.Reply(ctx, parley.Text("Sorry, I didn't quite get that. Could you say it another way?"))
		})
	}
	router := newRouter(e, rt)
	planRoutes(router, e, a.shop) // plans.go: plan questions, objections, complaints, codes

	understander, english, err := newUnderstander(ctx)
	if err != nil {
		return nil, err
	}
	if a.learn, err = newLearning(ctx, a.store, understander, english, ret.sched); err != nil {
		return nil, err
	}
	// The trained model for English (embedded in the sentiment package),
	// the Spanish word list for turns in Spanish (the i18n middleware
	// sets the locale).
	mood, err := moodModel()
	if err != nil {
		return nil, err
	}
	moodES, err := sentiment.NewSpanish()
	if err != nil {
		return nil, err
	}
	spanish, err := i18n.ReadCatalog(bytes.NewReader(spanishYAML))
	if err != nil {
		return nil, err
	}
	if err := spanish.Add("es", dataSpanish); err != nil { // datarequest.go
		return nil, err
	}
	if err := spanish.Add("es", zoneCitiesSpanish()); err != nil { // zones.go
		return nil, err
	}
	a.handler = parley.Chain(router,
		widgetHuman,                // widgetstate.go: the widget's "Talk to a human" button follows the hand-off
		a.demoSignIn(demoCustomer), // demo.go: "/as ben", the page's customer selector
		// Answer in the customer's language; everything inside replies
		// through it, and reads the turn's locale it sets.
		speakMedia, // replies to a voice note spoken, as translated
		// Voice notes and screenshots as text first, so that the
		// language is detected from the transcript; "please type" is
		// translated all the same.
		readBeforeLanguage(readMedia, i18n.Middleware(spanish, i18n.WithDetector(intent.DetectLanguage), i18n.WithDates(), i18n.WithMoney())),
		ret.remember,
		noteTalked(ret.profiles),      // greeting.go: "Welcome back" next time
		ret.signals,                   // the widget's page events, as behaviour events
		proactive.Middleware(ret.eng), // campaign steps, before escalation: they wait for a person rather than vanish
		ret.campaignReplies,           // campaignreply.go: "why did you message me?", "not now" right after a campaign message
		a.approvalDecisions,           // told as its own message, whoever owns the conversation
		forgetUnanswered,
		behaviour,
		disclose, // care.go: "is this a bot?" gets an honest answer, not a hand-off
		intent.Commands(intent.WithCommandPhrases(dialog.CommandStart, "start")), // START after STOP (optin.go)
		e.UndoCommand(),            // "no wait" right after a cancel takes it back (flow/takeback.go)
		waitAtPlanCancel,           // planwait.go: "no, espera" at the plan's cancellation
		notePlanKept,               // cancelnote.go: "never mind" at the win-back offer says the plan is unchanged
		dataRequests{a}.middleware, // datarequest.go: "delete my data", "export my data"
		orderDigits(a.shop),        // ordernumber.go: "order 1002", "#1001", "A 1001" are A-1002, A-1001
		intent.Middleware(understander),
		bookedCallTurns,                    // callback.go: "what happens next?" after a call-back, "thanks" at its confirmation
		orderCorrection(a.shop, e),         // correction.go: "not the shirt, I meant the lamp" mid-form
		changeOfMind(a.shop, e),            // plans.go: "actually I'd rather switch to annual" while cancelling the plan
		orderRefs(a.shop),                  // followup.go: "when will it arrive?", "the blanket", "2"
		orderPrices(a.shop),                // price.go: "how much was the lamp?"
		billingQuestions,                   // plans.go: "when do I get charged next"
		orderNumberAlone,                   // nlu.go: "A-1002" alone asks for its status
		refundWord,                         // refundword.go: "reembolso A-1001" is a refund; "reembolso" alone asks which
		addressAlone,                       // address.go: "12 Main St, Springfield" alone starts an address change
		orderRequests,                      // orderrequest.go: "refund the blanket", "any news on the blanket?"
		thanksAnyLanguage,                  // ack.go: "gracias" in an English conversation
		helpTaps,                           // help.go: a tap on what "help" said again offered, in any language
		noteAnswered,                       // ack.go: whether anything was answered yet, for a lone "ok" (reads the command and intent)
		planReasons,                        // plans.go: "I don't use it, cancel my plan" is one request
		parcelTrouble(a.shop.orderNamed),   // care.go: "arrived damaged", "never got it", "the wrong lamp"
		parcelInContext(a.shop.orderNamed), // care.go: "never got it" right after an order's status is about that order
		cancelOrderRequest(a.shop),         // cancelorder.go: "cancel my order A-1010"
		notACode,                           // plans.go: "doesn't work" at the refund amount is no discount code
		pendingRefundQuestions(a.actions),  // pendingask.go: "how long does approval take?", "withdraw my refund"
		learn.Middleware(a.learn.queue),    // unsure turns wait for review (learn.go)
		amountAnswers,                      // amountanswer.go: "39, it was too small" at the refund amount is $39
		unlessCommand(sentiment.Middleware(mood, sentiment.ContinueOnError(), sentiment.ForLanguage("es", moodES))),
		health.Middleware(a.health.tracker), // health and churn risk, from every message
		// Shorter replies for upset customers, no sentence twice in a row.
		sentiment.Style(),
		servedInAnger, // angry.go: "wtf is going on with my shirt" is a request said in anger
		escalation.Middleware(esc),
		sarcasm,                 // sarcasm.go: "thanks for nothing" is not thanked
		greetMidForm(e, a.shop), // greeting.go: "hola" mid-form greets and asks the form's question again
		askWhichPrice,           // price.go: "precio" alone: shipping or plans?
		acknowledge(func(t *parley.Turn) bool { return asst != nil && asst.pending(t) }), // ack.go: a lone "👍" or "ok" after an answer
		imageRoute, // described screenshots: the help centre, or a person with the image
		assistantFirst(asst),
		complaints,           // plans.go: "I hate this" asks what to put right
		helpCentreFirst(idx), // faq.go: what the intents missed and the help centre knows
		oneRequestAtATime,    // onerequest.go: "where is my blanket and can I get a refund on the shirt?"
	)
	a.bot = parley.NewBot(a.handler, append([]parley.Option{parley.WithStore(a.store), parley.WithObserver(a.dash.rec),
		parley.WithSender(outboxChannel, parley.SenderFunc(a.sendOutbox))}, opts...)...)
	ret.attach(a.bot)
	a.eraser = newForgetting(a, reg, cfg.jobs)
	return a, nil
}

// forgetUnanswered drops the assistant's confirmation question once a
// turn has passed without an answer to it.
func forgetUnanswered(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if err := forget(t); err != nil {
			return err
		}
		return next.HandleTurn(ctx, w, t)
	})
}

// unlessCommand skips mw for turns that carry a global command: a "STOP"
// or a "cancel" is an instruction, never a mood.
func unlessCommand(mw parley.Middleware) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		wrapped := mw(next)
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if _, ok := parley.Value(t, dialog.CommandKey); ok {
				return next.HandleTurn(ctx, w, t)
			}
			return wrapped.HandleTurn(ctx, w, t)
		})
	}
}

// assistantFirst gives the model's pending confirmation the next turn,
// unless the turn is a command or a request the intents cover.
func assistantFirst(asst *assistant) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if _, cmd := parley.Value(t, dialog.CommandKey); asst != nil && !cmd && !understood(t) && asst.pending(t) {
				if err := asst.HandleTurn(ctx, w, t); err == nil {
					return nil
				}
			}
			return next.HandleTurn(ctx, w, t)
		})
	}
}

// understood reports whether the intent model recognised the turn.
func understood(t *parley.Turn) bool {
	u, ok := parley.Value(t, nlu.UnderstandingKey)
	return ok && u.Status == nlu.Understood
}
