// Package proactivetest runs campaigns in memory for tests: a
// [proactive.Engine] with its [proactive.Policy], an in-memory scheduler
// and a [parley.Bot] whose sends are recorded, meant to run inside
// [testing/synctest.Test] so that days pass in milliseconds:
//
//	synctest.Test(t, func(t *testing.T) {
//		env := proactivetest.New(t, []*proactive.Campaign{renewal})
//		env.AddCustomer(&customer.Profile{CustomerID: "ada", TimeZone: "Europe/London"})
//		env.Consent("ada")
//		env.Ingest(proactive.Event{Type: proactive.SubscriptionExpiring, CustomerID: "ada",
//			Attributes: map[string]string{"expires_at": in10days}})
//		env.Advance(7 * 24 * time.Hour)
//		// env.Texts("ada") holds the day -7 and day -3 reminders;
//		// env.Reasons("ada") why anything was held or not sent.
//	})
package proactivetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/proactive"
	"github.com/parleyhq/parley/schedule"
)

// Channel is the channel of the customers [Env.AddCustomer] adds without
// an identity of their own.
const Channel = "test"

// A Sent is a message the Bot delivered.
type Sent struct {
	Time    time.Time
	To      parley.Address
	Message parley.Message
}

// Env is a running engine over in-memory stores. Build it with [New]
// inside a synctest bubble; it stops when the test ends. Its fields are
// the parts, for wiring and for assertions the methods do not cover.
//
// An Env is safe for concurrent use.
type Env struct {
	tb        testing.TB
	Store     memory.Store
	Profiles  *customer.Profiles
	Policy    *proactive.Policy
	Engine    *proactive.Engine
	Scheduler *schedule.Scheduler
	Bot       *parley.Bot

	mu     sync.Mutex
	sent   []Sent
	fail   error
	events []parley.Event
}

// An Option configures an [Env].
type Option func(*config)

type config struct {
	policy  []proactive.PolicyOption
	engine  []proactive.Option
	handler parley.Handler
	store   memory.Store
	wrap    func(proactive.Enqueuer) proactive.Enqueuer
}

// WithEnqueuer wraps the Bot as the engine's jobs see it, to test what
// happens when an enqueue fails or is repeated.
func WithEnqueuer(wrap func(proactive.Enqueuer) proactive.Enqueuer) Option {
	return func(c *config) { c.wrap = wrap }
}

// WithPolicyOptions configures the policy.
func WithPolicyOptions(opts ...proactive.PolicyOption) Option {
	return func(c *config) { c.policy = append(c.policy, opts...) }
}

// WithEngineOptions configures the engine.
func WithEngineOptions(opts ...proactive.Option) Option {
	return func(c *config) { c.engine = append(c.engine, opts...) }
}

// WithHandler sets the bot behind the engine's middleware (default: it
// answers every message with "ok" and ignores signals).
func WithHandler(h parley.Handler) Option { return func(c *config) { c.handler = h } }

// WithStore sets the store of profiles, sessions and the engine's records
// (default a new [memory.Map]); tests of outages wrap one.
func WithStore(s memory.Store) Option { return func(c *config) { c.store = s } }

// New builds and starts an Env running campaigns; it fails the test if
// they do not compile. Call it inside [synctest.Test].
func New(tb testing.TB, campaigns []*proactive.Campaign, opts ...Option) *Env {
	tb.Helper()
	cfg := config{handler: parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal != nil {
			return nil
		}
		return w.Reply(ctx, parley.Text("ok"))
	})}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.store == nil {
		cfg.store = memory.NewMap()
	}
	e := &Env{tb: tb, Store: cfg.store}
	e.Profiles = customer.NewProfiles(e.Store)
	e.Policy = proactive.NewPolicy(e.Store, e.Profiles, cfg.policy...)
	e.Scheduler = schedule.New(schedule.NewMemory())
	eng, err := proactive.New(e.Policy, e.Scheduler, campaigns, cfg.engine...)
	if err != nil {
		tb.Fatalf("proactivetest: %v", err)
	}
	e.Engine = eng
	sender := parley.SenderFunc(e.send)
	e.Bot = parley.NewBot(parley.Chain(cfg.handler, proactive.Middleware(eng)), parley.WithStore(e.Store),
		parley.WithSender(Channel, sender), parley.WithSender("web", sender), parley.WithSender("whatsapp", sender),
		parley.WithSender("sms", sender), parley.WithSender("email", sender),
		parley.WithObserver(parley.ObserverFunc(func(_ context.Context, ev parley.Event) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.events = append(e.events, ev)
		})))
	var q proactive.Enqueuer = e.Bot
	if cfg.wrap != nil {
		q = cfg.wrap(q)
	}
	e.Scheduler.Handle(proactive.JobKind, eng.Jobs(q))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Scheduler.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			tb.Errorf("proactivetest: scheduler: %v", err)
		}
		if err := e.Bot.Shutdown(context.Background()); err != nil {
			tb.Errorf("proactivetest: bot: %v", err)
		}
	})
	return e
}

func (e *Env) send(_ context.Context, to parley.Address, m parley.Message) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail != nil {
		return e.fail
	}
	e.sent = append(e.sent, Sent{Time: time.Now(), To: to, Message: m})
	return nil
}

// FailSends makes every send fail with err until it is called with nil.
func (e *Env) FailSends(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.fail = err
}

// AddCustomer saves a profile. A profile without identities gets one on
// [Channel] with the customer ID as its ID.
func (e *Env) AddCustomer(p *customer.Profile) {
	e.tb.Helper()
	p = p.Clone()
	if len(p.Identities) == 0 {
		p.Identities = []customer.Identity{{Channel: Channel, ID: p.CustomerID}}
	}
	if err := e.Profiles.Save(context.Background(), p); err != nil {
		e.tb.Fatalf("proactivetest: save %q: %v", p.CustomerID, err)
	}
}

// Consent records the customer's yes to marketing messages.
func (e *Env) Consent(customerID string) {
	e.tb.Helper()
	if err := e.Policy.Consent(context.Background(), customerID, Channel, true, "test", time.Now()); err != nil {
		e.tb.Fatalf("proactivetest: %v", err)
	}
}

// Ingest takes an event and fails the test on an error.
func (e *Env) Ingest(ev proactive.Event) {
	e.tb.Helper()
	if err := e.Engine.Ingest(context.Background(), ev); err != nil {
		e.tb.Fatalf("proactivetest: %v", err)
	}
	synctest.Wait()
}

// Say delivers a message from the customer into their conversation (the
// first identity of their profile) and waits for the Bot to handle it.
func (e *Env) Say(customerID, text string) {
	e.tb.Helper()
	p, err := e.Profiles.Load(context.Background(), customerID)
	if err != nil || len(p.Identities) == 0 {
		e.tb.Fatalf("proactivetest: customer %q: no profile with an identity (%v)", customerID, err)
	}
	id := p.Identities[0]
	err = e.Bot.Enqueue(context.Background(), &parley.Turn{ConversationID: id.ID, CustomerID: customerID, Channel: id.Channel,
		Recipient: id.ID, Message: parley.Text(text)})
	if err != nil {
		e.tb.Fatalf("proactivetest: say: %v", err)
	}
	synctest.Wait()
}

// Advance lets d of fake time pass, firing whatever comes due, and
// waits until everything it started has settled.
func (e *Env) Advance(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

// AdvanceTo lets fake time pass until t (in any zone).
func (e *Env) AdvanceTo(t time.Time) { e.Advance(time.Until(t)) }

// Sent returns every message the Bot delivered to the customer.
func (e *Env) Sent(customerID string) []Sent {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Sent
	for _, s := range e.sent {
		if s.To.CustomerID == customerID {
			out = append(out, s)
		}
	}
	return out
}

// Texts returns the texts of the messages the Bot delivered to the
// customer, in order.
func (e *Env) Texts(customerID string) []string {
	var out []string
	for _, s := range e.Sent(customerID) {
		out = append(out, s.Message.Text)
	}
	return out
}

// Suppressed returns the customer's record of messages not sent or held.
func (e *Env) Suppressed(customerID string) []proactive.Suppression {
	e.tb.Helper()
	s, err := e.Engine.Suppressed(context.Background(), customerID)
	if err != nil {
		e.tb.Fatalf("proactivetest: %v", err)
	}
	return s
}

// Reasons returns the reasons of [Env.Suppressed], in order.
func (e *Env) Reasons(customerID string) []proactive.Reason {
	var out []proactive.Reason
	for _, s := range e.Suppressed(customerID) {
		out = append(out, s.Reason)
	}
	return out
}

// Events returns the Bot's observer events of kind so far.
func (e *Env) Events(kind parley.EventKind) []parley.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []parley.Event
	for _, ev := range e.events {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}
