package escalation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// StateName is the name under which the escalator keeps a conversation's
// [State] in its session.
const StateName = "escalation"

// Event kinds emitted by the [Escalator]. Attrs always hold "ticket" when
// a ticket exists, and "reason" and "priority" when a rule or flow asked.
const (
	// EventTriggered: a rule fired; Attrs["action"] is offer or handoff.
	EventTriggered parley.EventKind = "escalation.triggered"
	// EventOfferDeclined: the user declined the offer of a human.
	EventOfferDeclined parley.EventKind = "escalation.declined"
	// EventOfferDeferred: an offer was held back because the bot had just
	// asked the customer a question with answers to pick (Attrs["rule"]).
	EventOfferDeferred parley.EventKind = "escalation.offer_deferred"
	// EventRequested: a hand-off was requested (the escalation itself).
	EventRequested parley.EventKind = "escalation.requested"
	// EventQueued: the desk accepted the ticket.
	EventQueued parley.EventKind = "escalation.queued"
	// EventRetry: the desk failed; the submission is retried. Err holds
	// the cause.
	EventRetry parley.EventKind = "escalation.retry"
	// EventAssigned: an agent took the ticket; Duration is the time to
	// assignment.
	EventAssigned parley.EventKind = "escalation.assigned"
	// EventResolved: the agent handed back; Duration is the time to
	// resolution from the request.
	EventResolved parley.EventKind = "escalation.resolved"
	// EventCallback: a call-back was offered (Attrs["why"] is timeout,
	// closed or no_agent) or booked (Attrs["slot"]).
	EventCallback parley.EventKind = "escalation.callback"
	// EventFeedback: the user rated the hand-off; Attrs["rating"] is 1-5.
	EventFeedback parley.EventKind = "escalation.feedback"
	// EventError: something failed that the user was shielded from (a
	// relay retried, a notification, a rule expression at run time).
	EventError parley.EventKind = "escalation.error"
)

// Phase is what the conversation is doing with respect to humans.
type Phase string

// Phases.
const (
	PhaseBot      Phase = ""
	PhaseOffered  Phase = "offered"
	PhaseWaiting  Phase = "waiting"
	PhaseAssigned Phase = "assigned"
	PhaseCallback Phase = "callback"
	PhaseFeedback Phase = "feedback"
)

// State is a conversation's escalation state, kept in the session under
// [StateName].
type State struct {
	Phase Phase `json:"phase,omitempty"`
	// Seq counts hand-offs; ticket IDs are "<conversation>-<seq>".
	Seq      int             `json:"seq,omitempty"`
	TicketID string          `json:"ticket,omitempty"`
	Status   Status          `json:"status,omitempty"`
	Reason   string          `json:"reason,omitempty"`
	Priority parley.Priority `json:"priority,omitempty"`
	Agent    string          `json:"agent,omitempty"`
	// Pending holds a ticket the desk has not accepted yet, and Outbox
	// customer messages not yet relayed: nothing is lost while the desk
	// is down.
	Pending     *Ticket          `json:"pending,omitempty"`
	Outbox      []parley.Message `json:"outbox,omitempty"`
	Attempts    int              `json:"attempts,omitempty"`
	NextRetry   time.Time        `json:"next_retry,omitzero"`
	RequestedAt time.Time        `json:"requested_at,omitzero"`
	AssignedAt  time.Time        `json:"assigned_at,omitzero"`
	// Offer holds the rule an offer was made for.
	Offer *HandoffOffer `json:"offer,omitempty"`
	// Slots are the call-back times offered.
	Slots []time.Time `json:"slots,omitempty"`
	// Fallbacks counts consecutive turns the bot answered with a fallback
	// ([parley.EventFallback]); Turns the
	// user turns since the start or the last resolution.
	Fallbacks int `json:"fallbacks,omitempty"`
	Turns     int `json:"turns,omitempty"`
	// FirstScore is the first turn's sentiment score.
	FirstScore float64 `json:"first_score,omitempty"`
	// Seen counts all user turns; rules that only offer stay quiet until
	// Seen reaches QuietUntil (after an offer was declined or ignored, or
	// a hand-off was resolved), so the user is not asked every turn.
	Seen       int `json:"seen,omitempty"`
	QuietUntil int `json:"quiet_until,omitempty"`
	// Ignored counts offers in a row the user answered with something
	// else.
	Ignored int `json:"ignored,omitempty"`
	// Intents and Entities seen, most recent first.
	Intents  []parley.Intent `json:"intents,omitempty"`
	Entities []parley.Entity `json:"entities,omitempty"`
}

// A HandoffOffer is a pending offer of a human.
type HandoffOffer struct {
	Request parley.HandoffRequest `json:"request"`
}

// HumanOwns reports whether a human owns the conversation (or is about
// to): the bot stays silent.
func (s State) HumanOwns() bool { return s.Phase == PhaseWaiting || s.Phase == PhaseAssigned }

// LoadState returns the conversation's escalation state from the turn's
// session.
func LoadState(t *parley.Turn) (State, error) {
	s := t.Session()
	if s == nil {
		return State{}, nil
	}
	st, _, err := memory.GetState[State](s, StateName)
	return st, err
}

// A ProfileSource returns a customer's attributes (name, tier, plan) for
// rules and for the agent. It returns an empty map for an unknown
// customer. Implementations must be safe for concurrent use.
type ProfileSource interface {
	Profile(ctx context.Context, customerID string) (map[string]string, error)
}

// ProfileFunc adapts a function to a [ProfileSource].
type ProfileFunc func(ctx context.Context, customerID string) (map[string]string, error)

// Profile calls f(ctx, customerID).
func (f ProfileFunc) Profile(ctx context.Context, id string) (map[string]string, error) {
	return f(ctx, id)
}

// Messages are what the escalator tells the user. Zero fields take the
// English defaults of [DefaultMessages].
type Messages struct {
	Offer, Yes, No  string
	Declined        string
	DeEscalate      string
	Connecting      string
	Delayed         string
	Queued          string // the desk accepted a request after a delay
	StillWaiting    string
	Assigned        string // %s is the agent's name
	Relayed         string // sent when a relay had to be queued
	Busy            string // no agent / timeout: offer of a call-back
	Closed          string // outside hours: offer of a call-back
	KeepWaiting     string
	OtherChannel    string // the alternative channel, as a quick reply title
	OtherChannelMsg string // what to say when the user picks it
	CallbackBooked  string // %s is the slot
	Resolved        string
	FeedbackThanks  string
}

// DefaultMessages returns the English messages.
func DefaultMessages() Messages {
	return Messages{
		Offer:           "Would you like me to connect you with a person from our team?",
		Yes:             "Yes, please",
		No:              "No, thanks",
		Declined:        "No problem, I'll keep helping. What can I do?",
		DeEscalate:      "I'm sorry this has been frustrating. I want to get this sorted for you.",
		Connecting:      "I'm connecting you with a member of our team. They can see our conversation, so you won't need to repeat anything.",
		Delayed:         "Our help desk is slow to respond right now. Your request is saved and we keep trying: stay here and you'll hear from us.",
		Queued:          "Your request has reached our team. An agent will be with you shortly.",
		StillWaiting:    "Thanks, I've added that to your request. An agent will be with you shortly.",
		Assigned:        "%s has joined the conversation.",
		Relayed:         "Your message is saved and will reach the agent shortly.",
		Busy:            "All our agents are busy right now. Would you like a call back? Pick a time, or keep waiting.",
		Closed:          "Our team is offline right now. Would you like a call back? Pick a time.",
		KeepWaiting:     "Keep waiting",
		OtherChannel:    "Email me instead",
		OtherChannelMsg: "Of course: our team will reply by email with everything from this conversation.",
		CallbackBooked:  "Done: we'll call you back on %s. Our team will have this conversation at hand.",
		Resolved:        "You're back with the assistant. How did we do? Rate your experience from 1 to 5.",
		FeedbackThanks:  "Thanks for your feedback!",
	}
}

func (m Messages) withDefaults() Messages {
	d := DefaultMessages()
	pick := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	return Messages{
		Offer: pick(m.Offer, d.Offer), Yes: pick(m.Yes, d.Yes), No: pick(m.No, d.No),
		Declined: pick(m.Declined, d.Declined), DeEscalate: pick(m.DeEscalate, d.DeEscalate),
		Connecting: pick(m.Connecting, d.Connecting), Delayed: pick(m.Delayed, d.Delayed), Queued: pick(m.Queued, d.Queued),
		StillWaiting: pick(m.StillWaiting, d.StillWaiting), Assigned: pick(m.Assigned, d.Assigned),
		Relayed: pick(m.Relayed, d.Relayed), Busy: pick(m.Busy, d.Busy), Closed: pick(m.Closed, d.Closed),
		KeepWaiting: pick(m.KeepWaiting, d.KeepWaiting), OtherChannel: pick(m.OtherChannel, d.OtherChannel),
		OtherChannelMsg: pick(m.OtherChannelMsg, d.OtherChannelMsg), CallbackBooked: pick(m.CallbackBooked, d.CallbackBooked),
		Resolved: pick(m.Resolved, d.Resolved), FeedbackThanks: pick(m.FeedbackThanks, d.FeedbackThanks),
	}
}

// Escalator evaluates the escalation policy on every turn and runs the
// hand-off lifecycle: offer, hand-off, queueing with retries, relaying
// while a human owns the conversation, time-outs and call-backs, return
// to the bot and feedback. It implements [parley.HandOffer] for flows.
//
// An Escalator is safe for concurrent use. It starts no goroutines; the
// application runs [Escalator.Run] to get time-outs and retries without
// waiting for the user's next message.
type Escalator struct {
	desk          Desk
	policy        *Policy
	msgs          Messages
	locales       map[string]Messages
	now           func() time.Time
	timeout       time.Duration
	hours         Hours
	profiles      ProfileSource
	summarizer    Summarizer
	store         memory.Store
	deliver       Deliverer
	tick          time.Duration
	submitTimeout time.Duration
	backoff       time.Duration
	maxBackoff    time.Duration
	slots         int
	lead          time.Duration
}

var _ parley.HandOffer = (*Escalator)(nil)

// An Option configures an [Escalator].
type Option func(*Escalator) error

// WithRules sets the policy's rules (default [DefaultRules]); they are
// compiled by [New], which returns their errors.
func WithRules(rules ...Rule) Option {
	return func(e *Escalator) error {
		p, err := NewPolicy(rules...)
		if err != nil {
			return err
		}
		e.policy = p
		return nil
	}
}

// WithPolicy sets a compiled policy.
func WithPolicy(p *Policy) Option {
	return func(e *Escalator) error {
		if p == nil {
			return errors.New("escalation: nil policy")
		}
		e.policy = p
		return nil
	}
}

// WithMessages sets what the escalator tells the user.
func WithMessages(m Messages) Option {
	return func(e *Escalator) error { e.msgs = m.withDefaults(); return nil }
}

// WithLocaleMessages sets the messages for other languages, keyed by BCP
// 47 tag or language ("es", "pt-BR"). A turn's locale picks them by exact
// tag, then by language; other turns get the default messages. Empty
// fields take the English defaults.
func WithLocaleMessages(m map[string]Messages) Option {
	return func(e *Escalator) error {
		e.locales = make(map[string]Messages, len(m))
		for k, v := range m {
			e.locales[strings.ToLower(k)] = v.withDefaults()
		}
		return nil
	}
}

// WithClock sets the clock.
func WithClock(now func() time.Time) Option {
	return func(e *Escalator) error { e.now = now; return nil }
}

// WithQueueTimeout sets how long a customer waits for an agent before a
// call-back is offered (default 5 minutes).
func WithQueueTimeout(d time.Duration) Option {
	return func(e *Escalator) error {
		if d <= 0 {
			return fmt.Errorf("escalation: queue timeout %v must be positive", d)
		}
		e.timeout = d
		return nil
	}
}

// WithHours sets the agents' working hours (default: always open).
// Outside them a call-back is offered instead of a queue.
func WithHours(h Hours) Option {
	return func(e *Escalator) error {
		if err := h.validate(); err != nil {
			return err
		}
		e.hours = h
		return nil
	}
}

// WithProfiles sets where customer attributes come from.
func WithProfiles(p ProfileSource) Option {
	return func(e *Escalator) error { e.profiles = p; return nil }
}

// WithSummarizer sets an LLM (or other) summarizer for tickets; the
// default is [ExtractiveSummary] and [SuggestedReply].
func WithSummarizer(s Summarizer) Option {
	return func(e *Escalator) error { e.summarizer = s; return nil }
}

// WithRetry sets the desk's submission timeout (default 10s) and the
// first and largest delay between retries (default 5s and 2m, doubling).
func WithRetry(submitTimeout, first, largest time.Duration) Option {
	return func(e *Escalator) error {
		if submitTimeout <= 0 || first <= 0 || largest < first {
			return errors.New("escalation: retry: want positive timeout and 0 < first <= largest")
		}
		e.submitTimeout, e.backoff, e.maxBackoff = submitTimeout, first, largest
		return nil
	}
}

// WithWaker lets [Escalator.Run] wake waiting conversations: it keeps an
// index of them in store and delivers [SignalTick] turns through d every
// interval (default 5s).
func WithWaker(store memory.Store, d Deliverer, interval time.Duration) Option {
	return func(e *Escalator) error {
		if store == nil || d == nil {
			return errors.New("escalation: WithWaker needs a store and a deliverer")
		}
		if interval > 0 {
			e.tick = interval
		}
		e.store, e.deliver = store, d
		return nil
	}
}

// New returns an escalator over desk. It returns an error when an option
// is invalid, including rules that do not compile. It panics if desk is
// nil.
func New(desk Desk, opts ...Option) (*Escalator, error) {
	if desk == nil {
		panic("escalation: New with nil desk")
	}
	e := &Escalator{desk: desk, msgs: DefaultMessages(), now: time.Now, timeout: 5 * time.Minute,
		submitTimeout: 10 * time.Second, backoff: 5 * time.Second, maxBackoff: 2 * time.Minute,
		tick: 5 * time.Second, slots: 3, lead: 30 * time.Minute}
	var errs []error
	for _, o := range opts {
		if err := o(e); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if e.policy == nil {
		p, err := NewPolicy(DefaultRules()...)
		if err != nil {
			return nil, err
		}
		e.policy = p
	}
	return e, nil
}

// Policy returns the escalator's policy.
func (e *Escalator) Policy() *Policy { return e.policy }

// turnCtx carries one turn's state through the escalator.
type turnCtx struct {
	e  *Escalator
	w  parley.ReplyWriter
	t  *parley.Turn
	st State
	// offer is a rule's offer of a human, made after the rest of the bot
	// has answered the turn, so the customer's message is never lost.
	offer *Rule
}

func (e *Escalator) load(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) *turnCtx {
	st, err := LoadState(t)
	if err != nil {
		t.Emit(ctx, parley.Event{Kind: EventError, Err: err, Attrs: map[string]string{"what": "state reset"}})
		st = State{}
	}
	return &turnCtx{e: e, w: w, t: t, st: st}
}

func (tc *turnCtx) save() error {
	if s := tc.t.Session(); s != nil {
		return memory.SetState(s, StateName, tc.st)
	}
	return nil
}

// msgs returns the messages for the turn's locale.
func (tc *turnCtx) msgs() *Messages {
	if loc := strings.ToLower(tc.t.Locale); loc != "" && tc.e.locales != nil {
		if m, ok := tc.e.locales[loc]; ok {
			return &m
		}
		lang, _, _ := strings.Cut(loc, "-")
		if m, ok := tc.e.locales[lang]; ok {
			return &m
		}
	}
	return &tc.e.msgs
}

func (tc *turnCtx) reply(ctx context.Context, m parley.Message) error { return tc.w.Reply(ctx, m) }

func (tc *turnCtx) emit(ctx context.Context, kind parley.EventKind, err error, d time.Duration, attrs ...string) {
	a := map[string]string{}
	if tc.st.TicketID != "" {
		a["ticket"] = tc.st.TicketID
	}
	if tc.st.Reason != "" {
		a["reason"] = tc.st.Reason
	}
	if tc.st.Priority != "" {
		a["priority"] = string(tc.st.Priority)
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		a[attrs[i]] = attrs[i+1]
	}
	tc.t.Emit(ctx, parley.Event{Kind: kind, Err: err, Duration: d, Attrs: a})
}

// HandOff implements [parley.HandOffer]: it hands the conversation to a
// human now, telling the user what happens next, and returns once the
// request is recorded. While the desk is down the request is kept in the
// session and retried.
func (e *Escalator) HandOff(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, r parley.HandoffRequest) error {
	tc := e.load(ctx, w, t)
	if tc.st.HumanOwns() {
		// Already with a human: nothing new to request.
		return tc.reply(ctx, parley.Text(tc.msgs().StillWaiting))
	}
	if err := tc.handOff(ctx, r); err != nil {
		return err
	}
	return tc.save()
}

// Middleware evaluates the policy on every turn and runs the lifecycle.
// While a human owns the conversation it relays the user's messages to
// the desk and does not call next. Place it after the intent and
// sentiment middleware, whose annotations its rules read:
//
//	h := parley.Chain(app, nlu.Middleware, sentiment.Middleware(an), esc.Middleware)
func (e *Escalator) Middleware(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		tc := e.load(ctx, w, t)
		handled, err := tc.turn(ctx)
		if err != nil {
			return err
		}
		if err := tc.save(); err != nil {
			return err
		}
		if handled {
			return nil
		}
		// Count the bot's fallbacks (parley.EventFallback) as they happen
		// in the rest of the bot; the rules read the count next turn.
		fellBack := false
		t2 := t.WithEmitter(func(ctx context.Context, ev parley.Event) {
			if ev.Kind == parley.EventFallback {
				fellBack = true
			}
			t.Emit(ctx, ev)
		})
		aw := &askWatcher{ReplyWriter: w}
		if err := next.HandleTurn(ctx, aw, t2); err != nil {
			return err
		}
		if aw.asked && tc.offer != nil {
			// The bot has just asked the customer something with answers
			// to pick ("To confirm: refund $25?" [Yes | No]). An offer now
			// would put two questions on the screen and read their "yes"
			// as a yes to a person: defer it. The rule is evaluated again
			// next turn.
			tc.emit(ctx, EventOfferDeferred, nil, 0, "rule", tc.offer.Name)
			tc.offer = nil
		}
		if t.Signal != nil || t.Session() == nil {
			if tc.offer != nil {
				return tc.makeOffer(ctx)
			}
			return nil
		}
		// Reload: the rest of the bot may have changed the state (a flow
		// handing off through HandOff).
		st, err := LoadState(t)
		if err != nil {
			return err
		}
		if fellBack {
			st.Fallbacks++
		} else {
			st.Fallbacks = 0
		}
		if tc.offer != nil {
			tc.st = st
			if err := tc.makeOffer(ctx); err != nil {
				return err
			}
			st = tc.st
		}
		return memory.SetState(t.Session(), StateName, st)
	})
}

// turn runs the lifecycle for one turn; handled means next must not run.
func (tc *turnCtx) turn(ctx context.Context) (bool, error) {
	if sig := tc.t.Signal; sig != nil {
		return tc.signal(ctx, sig)
	}
	tc.observe()
	text := strings.TrimSpace(tc.t.Text())
	switch tc.st.Phase {
	case PhaseWaiting, PhaseAssigned:
		return true, tc.whileHuman(ctx)
	case PhaseOffered:
		return tc.answerOffer(ctx, text)
	case PhaseCallback:
		return tc.answerCallback(ctx, text)
	case PhaseFeedback:
		return tc.answerFeedback(ctx, text)
	}
	return tc.evaluate(ctx, text)
}

// observe updates the conversation facts the rules read.
func (tc *turnCtx) observe() {
	st := &tc.st
	st.Turns++
	st.Seen++
	if u, ok := parley.Value(tc.t, parley.UnderstandingKey); ok {
		if u.Status == parley.Understood && u.Intent.Name != "" {
			st.Intents = slices.DeleteFunc(st.Intents, func(i parley.Intent) bool { return i.Name == u.Intent.Name })
			st.Intents = append([]parley.Intent{u.Intent}, st.Intents...)
			st.Intents = st.Intents[:min(len(st.Intents), 5)]
		}
		for _, en := range slices.Backward(u.Entities) {
			st.Entities = slices.DeleteFunc(st.Entities, func(x parley.Entity) bool { return x.Type == en.Type && x.Value == en.Value })
			en.Start, en.End = 0, 0
			st.Entities = append([]parley.Entity{en}, st.Entities...)
		}
		st.Entities = st.Entities[:min(len(st.Entities), 10)]
	}
	if m, ok := parley.Value(tc.t, parley.MoodKey); ok {
		if st.Turns == 1 || st.FirstScore == 0 {
			st.FirstScore = m.Score
		}
		if m.Delight >= 0.5 {
			// The user is happy: count the conversation as resolved so far.
			st.Turns = 0
		}
	}
}

func (tc *turnCtx) input(ctx context.Context, text string) *Input {
	in := &Input{Turn: tc.t, Text: text, Fallbacks: tc.st.Fallbacks, Turns: tc.st.Turns, FirstScore: tc.st.FirstScore}
	in.Mood, in.HasMood = parley.Value(tc.t, parley.MoodKey)
	in.Understanding, in.HasUnderstanding = parley.Value(tc.t, parley.UnderstandingKey)
	if !in.HasMood {
		in.FirstScore = 0.5
	}
	in.Profile = tc.profile(ctx)
	return in
}

func (tc *turnCtx) profile(ctx context.Context) map[string]string {
	if tc.e.profiles == nil || tc.t.CustomerID == "" {
		return nil
	}
	p, err := tc.e.profiles.Profile(ctx, tc.t.CustomerID)
	if err != nil {
		tc.emit(ctx, EventError, fmt.Errorf("escalation: profile %q: %w", tc.t.CustomerID, err), 0, "what", "profile")
		return nil
	}
	return p
}

func (tc *turnCtx) evaluate(ctx context.Context, text string) (bool, error) {
	in := tc.input(ctx, text)
	rule, ok, err := tc.e.policy.evaluate(ctx, in, tc.st.Seen < tc.st.QuietUntil)
	if err != nil {
		tc.emit(ctx, EventError, err, 0, "what", "rule")
	}
	if !ok {
		return false, nil
	}
	req := parley.HandoffRequest{Reason: rule.Name, Priority: rule.Priority}
	tc.st.Reason, tc.st.Priority = rule.Name, rule.Priority
	tc.emit(ctx, EventTriggered, nil, 0, "action", string(rule.Action))
	if rule.Action == Offer {
		// Let the bot answer the message first; the offer follows it.
		tc.offer = &rule
		return false, nil
	}
	if rule.DeEscalate {
		if err := tc.reply(ctx, parley.Text(tc.msgs().DeEscalate)); err != nil {
			return true, err
		}
	}
	return true, tc.handOff(ctx, req)
}

// makeOffer offers a human after the bot answered the turn, unless the
// bot handed off meanwhile.
func (tc *turnCtx) makeOffer(ctx context.Context) error {
	rule := tc.offer
	if tc.st.Phase != PhaseBot && tc.st.Phase != "" {
		return nil
	}
	if rule.DeEscalate {
		if err := tc.reply(ctx, parley.Text(tc.msgs().DeEscalate)); err != nil {
			return err
		}
	}
	req := parley.HandoffRequest{Reason: rule.Name, Priority: rule.Priority}
	tc.st.Reason, tc.st.Priority = rule.Name, rule.Priority
	tc.st.Phase, tc.st.Offer = PhaseOffered, &HandoffOffer{Request: req}
	return tc.reply(ctx, parley.Message{Text: tc.msgs().Offer, QuickReplies: []parley.QuickReply{
		{Title: tc.msgs().Yes, Payload: "handoff:yes"}, {Title: tc.msgs().No, Payload: "handoff:no"}}})
}

// quietTurns is how many user turns offers stay quiet after a decline
// or a resolution.
const quietTurns = 5

var yesWords = []string{"yes", "y", "yeah", "yep", "sure", "ok", "okay", "please", "yes please", "handoff yes", "si", "sí", "oui", "ja", "sim"}
var noWords = []string{"no", "n", "nope", "no thanks", "not now", "handoff no", "non", "nein", "não", "nao"}

func matchesAny(text string, words []string) bool {
	n := normalizeText(text)
	for _, w := range words {
		if n == w || strings.HasPrefix(n, w+" ") && len(w) > 1 {
			return true
		}
	}
	return false
}

func (tc *turnCtx) answerOffer(ctx context.Context, text string) (bool, error) {
	offer := tc.st.Offer
	tc.st.Offer = nil
	tc.st.Phase = PhaseBot
	switch {
	case offer != nil && (text == "handoff:yes" || text == tc.msgs().Yes || matchesAny(text, yesWords) || AskedForHuman().Match(&Input{Text: text})):
		tc.st.Ignored = 0
		return true, tc.handOff(ctx, offer.Request)
	case text == "handoff:no" || text == tc.msgs().No || matchesAny(text, noWords):
		tc.emit(ctx, EventOfferDeclined, nil, 0)
		tc.st.Reason, tc.st.Priority, tc.st.Ignored = "", "", 0
		tc.st.QuietUntil = tc.st.Seen + quietTurns
		return true, tc.reply(ctx, parley.Text(tc.msgs().Declined))
	}
	// Something else: the user moved on. The rules look at the new
	// message (still upset: offer again); after a second ignored offer
	// they stay quiet for a while.
	tc.st.Reason, tc.st.Priority = "", ""
	tc.st.Ignored++
	if tc.st.Ignored >= 2 {
		tc.st.Ignored = 0
		tc.st.QuietUntil = tc.st.Seen + quietTurns
		return false, nil
	}
	return tc.evaluate(ctx, text)
}

// handOff builds and submits a ticket, or offers a call-back when nobody
// can take it.
func (tc *turnCtx) handOff(ctx context.Context, r parley.HandoffRequest) error {
	e := tc.e
	if r.Priority == "" {
		r.Priority = parley.PriorityNormal
	}
	tc.st.Reason, tc.st.Priority = r.Reason, r.Priority
	now := e.now()
	if !e.hours.IsOpen(now) {
		return tc.offerCallback(ctx, "closed")
	}
	if ac, ok := e.desk.(AgentCounter); ok {
		n, err := ac.AgentsAvailable(ctx)
		if err == nil && n <= 0 {
			return tc.offerCallback(ctx, "no_agent")
		}
	}
	tc.st.Seq++
	tk := tc.ticket(ctx, r, now)
	tc.st.TicketID, tc.st.Status, tc.st.Phase = tk.ID, StatusRequested, PhaseWaiting
	tc.st.RequestedAt, tc.st.AssignedAt, tc.st.Agent = now, time.Time{}, ""
	tc.st.Attempts, tc.st.Pending, tc.st.Outbox = 0, &tk, nil
	tc.emit(ctx, EventRequested, nil, 0)
	if err := tc.reply(ctx, parley.Text(tc.msgs().Connecting)); err != nil {
		return err
	}
	if !tc.submitPending(ctx) {
		if err := tc.reply(ctx, parley.Text(tc.msgs().Delayed)); err != nil {
			return err
		}
	}
	return tc.setWake(ctx)
}

// submitPending tries to submit the pending ticket once; it reports
// whether the desk accepted it.
func (tc *turnCtx) submitPending(ctx context.Context) bool {
	e := tc.e
	tk := tc.st.Pending
	if tk == nil {
		return true
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.submitTimeout)
	err := e.desk.Submit(sctx, *tk)
	cancel()
	var nerr *NotifyError
	if errors.As(err, &nerr) {
		tc.emit(ctx, EventError, err, 0, "what", "notify")
		err = nil
	}
	tc.st.Attempts++
	if err != nil {
		d := e.backoff << min(tc.st.Attempts-1, 16)
		d = min(d, e.maxBackoff)
		tc.st.NextRetry = e.now().Add(d)
		tc.emit(ctx, EventRetry, err, d, "attempt", strconv.Itoa(tc.st.Attempts))
		return false
	}
	tc.st.Pending, tc.st.Status, tc.st.NextRetry = nil, StatusQueued, time.Time{}
	// The queue time-out counts from acceptance.
	tc.emit(ctx, EventQueued, nil, e.now().Sub(tc.st.RequestedAt))
	tc.flushOutbox(ctx)
	return true
}

func (tc *turnCtx) flushOutbox(ctx context.Context) {
	for len(tc.st.Outbox) > 0 {
		if err := tc.relay(ctx, tc.st.Outbox[0]); err != nil {
			return
		}
		tc.st.Outbox = tc.st.Outbox[1:]
	}
	tc.st.Outbox = nil
}

func (tc *turnCtx) relay(ctx context.Context, m parley.Message) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tc.e.submitTimeout)
	defer cancel()
	err := tc.e.desk.Relay(sctx, tc.st.TicketID, m)
	if err != nil {
		tc.emit(ctx, EventError, err, 0, "what", "relay")
	}
	return err
}

func (tc *turnCtx) ticket(ctx context.Context, r parley.HandoffRequest, now time.Time) Ticket {
	t := tc.t
	tk := Ticket{
		ID: fmt.Sprintf("%s-%d", t.ConversationID, tc.st.Seq), ConversationID: t.ConversationID,
		CustomerID: t.CustomerID, Channel: t.Channel, Locale: t.Locale, Reason: r.Reason, Priority: r.Priority,
		Note: r.Note, Data: r.Data, Profile: tc.profile(ctx), Created: now,
		Intents: slices.Clone(tc.st.Intents), Entities: slices.Clone(tc.st.Entities),
	}
	if s := t.Session(); s != nil {
		tk.Transcript = slices.Clone(s.History)
		if ss, ok, err := memory.GetState[sentimentState](s, "sentiment"); err == nil && ok {
			tk.Sentiment.Smoothed, tk.Sentiment.Min, tk.Sentiment.Scores = ss.Trend, ss.Min, slices.Clone(ss.Scores)
			if len(ss.Scores) > 0 {
				tk.Sentiment.Change = ss.Scores[len(ss.Scores)-1] - ss.First
			}
		}
	}
	if m, ok := parley.Value(t, parley.MoodKey); ok {
		tk.Sentiment.Score, tk.Sentiment.Label = m.Score, m.Label
		if tk.Sentiment.Smoothed == 0 {
			tk.Sentiment.Smoothed = m.Trend
		}
		tk.Sentiment.Emotions.Frustration, tk.Sentiment.Emotions.Confusion, tk.Sentiment.Emotions.Urgency = m.Frustration, m.Confusion, m.Urgency
	}
	tk.Summary, tk.SuggestedReply = ExtractiveSummary(tk), SuggestedReply(tk)
	if tc.e.summarizer != nil {
		s, rep, err := tc.e.summarizer.Summarize(ctx, tk)
		switch {
		case err != nil:
			tc.emit(ctx, EventError, err, 0, "what", "summarize")
		default:
			if s != "" {
				tk.Summary = s
			}
			if rep != "" {
				tk.SuggestedReply = rep
			}
		}
	}
	return tk
}

// sentimentState mirrors the part of sentiment.State the ticket shows,
// read from the session without importing the sentiment package.
type sentimentState struct {
	Scores []float64 `json:"scores"`
	Trend  float64   `json:"trend"`
	Min    float64   `json:"min"`
	First  float64   `json:"first"`
}

// whileHuman handles a user message while a human owns the conversation.
func (tc *turnCtx) whileHuman(ctx context.Context) error {
	m := tc.t.Message
	if tc.st.Pending != nil {
		if !tc.retryDue() || !tc.submitPending(ctx) {
			tc.st.Outbox = append(tc.st.Outbox, m)
			return tc.reply(ctx, parley.Text(tc.msgs().Relayed))
		}
	}
	if tc.timedOut() {
		tc.st.Outbox = append(tc.st.Outbox, m)
		return tc.offerCallback(ctx, "timeout")
	}
	tc.flushOutbox(ctx)
	if len(tc.st.Outbox) > 0 || tc.relay(ctx, m) != nil {
		tc.st.Outbox = append(tc.st.Outbox, m)
		if err := tc.setWake(ctx); err != nil {
			return err
		}
		return tc.reply(ctx, parley.Text(tc.msgs().Relayed))
	}
	if tc.st.Phase == PhaseWaiting {
		return tc.reply(ctx, parley.Text(tc.msgs().StillWaiting))
	}
	return nil
}

func (tc *turnCtx) retryDue() bool { return !tc.e.now().Before(tc.st.NextRetry) }

func (tc *turnCtx) timedOut() bool {
	return tc.st.Phase == PhaseWaiting && tc.st.Status == StatusQueued && tc.e.now().Sub(tc.st.RequestedAt) >= tc.e.timeout
}

const callbackPrefix = "callback:"

func (tc *turnCtx) offerCallback(ctx context.Context, why string) error {
	e := tc.e
	now := e.now()
	hours := e.hours
	tc.st.Slots = hours.Slots(now, e.lead, e.slots)
	prev := tc.st.Phase
	tc.st.Phase = PhaseCallback
	tc.emit(ctx, EventCallback, nil, 0, "why", why)
	text := tc.msgs().Busy
	if why == "closed" {
		text = tc.msgs().Closed
	}
	msg := parley.Message{Text: text}
	for _, s := range tc.st.Slots {
		msg.QuickReplies = append(msg.QuickReplies, parley.QuickReply{Title: s.Format("Mon 2 Jan 15:04 MST"), Payload: callbackPrefix + s.Format(time.RFC3339)})
	}
	if why == "timeout" && prev == PhaseWaiting {
		msg.QuickReplies = append(msg.QuickReplies, parley.QuickReply{Title: tc.msgs().KeepWaiting, Payload: callbackPrefix + "wait"})
	}
	msg.QuickReplies = append(msg.QuickReplies, parley.QuickReply{Title: tc.msgs().OtherChannel, Payload: callbackPrefix + "email"})
	if err := tc.clearWake(ctx); err != nil {
		return err
	}
	return tc.reply(ctx, msg)
}

func (tc *turnCtx) answerCallback(ctx context.Context, text string) (bool, error) {
	e := tc.e
	choice := strings.TrimPrefix(text, callbackPrefix)
	for _, s := range tc.st.Slots {
		if choice == s.Format(time.RFC3339) || strings.EqualFold(text, s.Format("Mon 2 Jan 15:04 MST")) {
			return true, tc.bookCallback(ctx, &s, fmt.Sprintf(tc.msgs().CallbackBooked, s.Format("Mon 2 Jan at 15:04 MST")))
		}
	}
	switch {
	case choice == "email" || strings.EqualFold(text, tc.msgs().OtherChannel):
		return true, tc.bookCallback(ctx, nil, tc.msgs().OtherChannelMsg)
	case choice == "wait" || strings.EqualFold(text, tc.msgs().KeepWaiting):
		if tc.st.TicketID != "" && tc.st.Status == StatusQueued {
			tc.st.Phase, tc.st.RequestedAt = PhaseWaiting, e.now()
			tc.st.Slots = nil
			if err := tc.setWake(ctx); err != nil {
				return true, err
			}
			return true, tc.reply(ctx, parley.Text(tc.msgs().StillWaiting))
		}
	}
	tc.st.Slots = nil
	if tc.st.TicketID != "" && tc.st.Status == StatusQueued {
		// The ticket is still in the queue: the user keeps their place and
		// their message goes to it.
		tc.st.Phase, tc.st.RequestedAt = PhaseWaiting, tc.e.now()
		if err := tc.setWake(ctx); err != nil {
			return true, err
		}
		return true, tc.whileHuman(ctx)
	}
	// Anything else: the bot answers.
	tc.st.Phase = PhaseBot
	return false, nil
}

// bookCallback replaces a queued ticket (if any) with a call-back or
// email ticket: the team gets the conversation either way.
func (tc *turnCtx) bookCallback(ctx context.Context, slot *time.Time, confirm string) error {
	e := tc.e
	if tc.st.TicketID != "" && tc.st.Status == StatusQueued {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.submitTimeout)
		err := e.desk.Cancel(cctx, tc.st.TicketID, "replaced by call-back")
		cancel()
		if err != nil {
			tc.emit(ctx, EventError, err, 0, "what", "cancel")
		}
	}
	tc.st.Seq++
	tk := tc.ticket(ctx, parley.HandoffRequest{Reason: tc.st.Reason, Priority: tc.st.Priority}, e.now())
	tk.ID += "-callback"
	if slot == nil {
		tk.Data = mergeData(tk.Data, map[string]string{"contact": "email"})
	} else {
		s := *slot
		tk.Callback = &s
	}
	tc.st.TicketID, tc.st.Status, tc.st.Slots = tk.ID, StatusRequested, nil
	tc.st.Pending, tc.st.Attempts = &tk, 0
	attrs := []string{"slot", "email"}
	if slot != nil {
		attrs = []string{"slot", slot.Format(time.RFC3339)}
	}
	tc.emit(ctx, EventCallback, nil, 0, attrs...)
	ok := tc.submitPending(ctx)
	tc.st.Phase = PhaseBot
	if !ok {
		// Keep retrying in the background of later turns and ticks.
		if err := tc.setWake(ctx); err != nil {
			return err
		}
	}
	return tc.reply(ctx, parley.Text(confirm))
}

func mergeData(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func (tc *turnCtx) answerFeedback(ctx context.Context, text string) (bool, error) {
	tc.st.Phase = PhaseBot
	rating := 0
	n := normalizeText(text)
	if len(n) == 1 && n[0] >= '1' && n[0] <= '5' {
		rating = int(n[0] - '0')
	} else if c := strings.Count(text, "⭐"); c >= 1 && c <= 5 {
		rating = c
	}
	if rating == 0 {
		return false, nil
	}
	tc.emit(ctx, EventFeedback, nil, 0, "rating", strconv.Itoa(rating))
	return true, tc.reply(ctx, parley.Text(tc.msgs().FeedbackThanks))
}

// signal handles lifecycle turns.
func (tc *turnCtx) signal(ctx context.Context, sig *parley.Signal) (bool, error) {
	e := tc.e
	id := sig.Data[DataTicket]
	mine := id != "" && id == tc.st.TicketID
	switch sig.Name {
	case SignalAssigned:
		if !mine || !tc.st.HumanOwns() {
			return true, nil
		}
		first := tc.st.AssignedAt.IsZero()
		tc.st.Phase, tc.st.Status, tc.st.Agent = PhaseAssigned, StatusAssigned, sig.Data[DataAgent]
		if !first {
			return true, nil
		}
		tc.st.AssignedAt = e.now()
		tc.emit(ctx, EventAssigned, nil, tc.st.AssignedAt.Sub(tc.st.RequestedAt), "agent", tc.st.Agent)
		if err := tc.clearWake(ctx); err != nil {
			return true, err
		}
		name := tc.st.Agent
		if name == "" {
			name = "An agent"
		}
		return true, tc.reply(ctx, parley.Text(fmt.Sprintf(tc.msgs().Assigned, name)))
	case parley.SignalAgentMessage:
		if !mine || tc.st.Status == StatusResolved || tc.st.Status == StatusCancelled {
			return true, nil
		}
		if tc.st.Phase != PhaseAssigned {
			tc.st.Phase, tc.st.Status = PhaseAssigned, StatusAssigned
			if tc.st.AssignedAt.IsZero() {
				tc.st.AssignedAt = e.now()
				tc.st.Agent = sig.Data[DataAgent]
				tc.emit(ctx, EventAssigned, nil, tc.st.AssignedAt.Sub(tc.st.RequestedAt), "agent", tc.st.Agent)
			}
			if err := tc.clearWake(ctx); err != nil {
				return true, err
			}
		}
		agent := sig.Data[DataAgent]
		if agent == "" {
			agent = "agent"
		}
		return true, tc.reply(ctx, parley.Message{Text: sig.Data[DataText], Agent: agent})
	case parley.SignalHandoffResolved:
		if !mine || tc.st.Status == StatusResolved {
			return true, nil
		}
		tc.emit(ctx, EventResolved, nil, e.now().Sub(tc.st.RequestedAt), "agent", tc.st.Agent)
		tc.st.Phase, tc.st.Status = PhaseFeedback, StatusResolved
		tc.st.Turns, tc.st.Fallbacks, tc.st.Pending, tc.st.Outbox = 0, 0, nil, nil
		tc.st.QuietUntil = tc.st.Seen + quietTurns
		if err := tc.clearWake(ctx); err != nil {
			return true, err
		}
		qr := make([]parley.QuickReply, 5)
		for i := range qr {
			qr[i] = parley.QuickReply{Title: strconv.Itoa(i + 1)}
		}
		return true, tc.reply(ctx, parley.Message{Text: tc.msgs().Resolved, QuickReplies: qr})
	case SignalTick:
		return true, tc.tick(ctx)
	}
	// Other signals: silent while a human owns the conversation.
	return tc.st.HumanOwns(), nil
}

func (tc *turnCtx) tick(ctx context.Context) error {
	if tc.st.Pending != nil && tc.retryDue() {
		if tc.submitPending(ctx) && tc.st.Phase == PhaseWaiting {
			if err := tc.reply(ctx, parley.Text(tc.msgs().Queued)); err != nil {
				return err
			}
		}
	}
	if tc.st.Pending == nil && len(tc.st.Outbox) > 0 {
		tc.flushOutbox(ctx)
	}
	if tc.timedOut() {
		return tc.offerCallback(ctx, "timeout")
	}
	if tc.st.Pending == nil && len(tc.st.Outbox) == 0 && tc.st.Phase != PhaseWaiting {
		return tc.clearWake(ctx)
	}
	return tc.setWake(ctx)
}

// The wake index: one record per waiting conversation, read by Run.

const wakePrefix = "escalation/wake/"

type wakeRecord struct {
	ConversationID string    `json:"conversation"`
	CustomerID     string    `json:"customer,omitempty"`
	Channel        string    `json:"channel,omitempty"`
	Locale         string    `json:"locale,omitempty"`
	Ticket         string    `json:"ticket,omitempty"`
	Due            time.Time `json:"due"`
}

func (tc *turnCtx) setWake(ctx context.Context) error {
	e := tc.e
	if e.store == nil {
		return nil
	}
	due := tc.st.RequestedAt.Add(e.timeout)
	if tc.st.Pending != nil || len(tc.st.Outbox) > 0 {
		due = tc.st.NextRetry
		if due.IsZero() {
			due = e.now().Add(e.backoff)
		}
	}
	rec := wakeRecord{ConversationID: tc.t.ConversationID, CustomerID: tc.t.CustomerID, Channel: tc.t.Channel,
		Locale: tc.t.Locale, Ticket: tc.st.TicketID, Due: due}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("escalation: wake record: %w", err)
	}
	if _, err := e.store.Set(ctx, memory.Put{Key: wakePrefix + tc.t.ConversationID, Value: b, IfVersion: memory.AnyVersion, TTL: 7 * 24 * time.Hour}); err != nil {
		return fmt.Errorf("escalation: wake record: %w", err)
	}
	return nil
}

func (tc *turnCtx) clearWake(ctx context.Context) error {
	if tc.e.store == nil {
		return nil
	}
	if err := tc.e.store.Delete(ctx, wakePrefix+tc.t.ConversationID, memory.AnyVersion); err != nil {
		return fmt.Errorf("escalation: wake record: %w", err)
	}
	return nil
}

// Run wakes waiting conversations until ctx ends: every interval of
// [WithWaker] it delivers a [SignalTick] turn to each conversation whose
// retry or queue time-out is due, so that a user waiting in silence still
// gets a call-back offer and a desk outage is retried. Several replicas
// may run it: a conditional write makes sure one of them wakes each
// conversation. It returns ctx's error, or an error at once when the
// escalator has no waker. Delivery errors are reported through onErr
// when it is not nil and do not stop the loop.
func (e *Escalator) Run(ctx context.Context, onErr func(error)) error {
	if e.store == nil {
		return errors.New("escalation: Run needs WithWaker")
	}
	t := time.NewTicker(e.tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if err := e.Sweep(ctx); err != nil && onErr != nil {
			onErr(err)
		}
	}
}

// Sweep does one round of [Escalator.Run]: it wakes every conversation
// whose wake record is due and returns the errors it met.
func (e *Escalator) Sweep(ctx context.Context) error {
	if e.store == nil {
		return errors.New("escalation: Sweep needs WithWaker")
	}
	var keys []string
	if err := e.store.Keys(ctx, wakePrefix, func(k string) bool { keys = append(keys, k); return true }); err != nil {
		return fmt.Errorf("escalation: sweep: %w", err)
	}
	var errs []error
	now := e.now()
	for _, k := range keys {
		rec, err := e.store.Get(ctx, k)
		if errors.Is(err, memory.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var w wakeRecord
		if err := json.Unmarshal(rec.Value, &w); err != nil {
			errs = append(errs, fmt.Errorf("escalation: wake record %q: %w", k, err))
			if err := e.store.Delete(ctx, k, rec.Version); err != nil && !errors.Is(err, memory.ErrConflict) {
				errs = append(errs, err)
			}
			continue
		}
		if now.Before(w.Due) {
			continue
		}
		// Claim this wake-up: push the due time so that no other replica
		// (and no later sweep) delivers it again unless the turn says so.
		w.Due = now.Add(e.timeout)
		b, err := json.Marshal(w)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := e.store.Set(ctx, memory.Put{Key: k, Value: b, IfVersion: rec.Version, TTL: 7 * 24 * time.Hour}); err != nil {
			if !errors.Is(err, memory.ErrConflict) {
				errs = append(errs, err)
			}
			continue
		}
		turn := &parley.Turn{ConversationID: w.ConversationID, CustomerID: w.CustomerID, Channel: w.Channel, Locale: w.Locale,
			Signal: &parley.Signal{Name: SignalTick, Data: map[string]string{DataTicket: w.Ticket}}}
		if err := e.deliver.Deliver(ctx, turn); err != nil {
			errs = append(errs, fmt.Errorf("escalation: wake %q: %w", w.ConversationID, err))
		}
	}
	return errors.Join(errs...)
}

// askWatcher passes replies on and records whether the last one asked the
// customer to pick an answer (it had quick replies). It keeps the
// optional capabilities of the writer it wraps.
type askWatcher struct {
	parley.ReplyWriter
	asked bool
}

// Reply implements [parley.ReplyWriter].
func (a *askWatcher) Reply(ctx context.Context, m parley.Message) error {
	a.asked = len(m.QuickReplies) > 0
	return a.ReplyWriter.Reply(ctx, m)
}

// Typing implements [parley.Typer]; it does nothing if the wrapped writer
// cannot show typing.
func (a *askWatcher) Typing(ctx context.Context) error { return parley.Typing(ctx, a.ReplyWriter) }

// MarkRead implements [parley.ReadMarker]; it does nothing if the wrapped
// writer cannot mark messages read.
func (a *askWatcher) MarkRead(ctx context.Context, id string) error {
	if r, ok := a.ReplyWriter.(parley.ReadMarker); ok {
		return r.MarkRead(ctx, id)
	}
	return nil
}

// StreamReply implements [parley.Streamer] with [parley.Stream], which
// streams when the wrapped writer can and sends one message otherwise.
func (a *askWatcher) StreamReply(ctx context.Context, chunks iter.Seq2[string, error]) error {
	a.asked = false
	return parley.Stream(ctx, a.ReplyWriter, chunks)
}
