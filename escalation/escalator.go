package escalation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/internal/parse"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// Event kinds emitted by the [Escalator]. Attrs hold "ticket" when a
// ticket exists, and "reason" and "priority" when a rule or handler asked
// for a person.
const (
	// EventTriggered: a rule fired; Attrs["action"] is offer or handoff.
	EventTriggered parley.EventKind = "escalation.triggered"
	// EventDeclined: the customer said no to the offer of a person.
	EventDeclined parley.EventKind = "escalation.declined"
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
	// EventResolved: the agent handed back; Duration is the time from
	// the request.
	EventResolved parley.EventKind = "escalation.resolved"
	// EventLeft: the customer left the queue ("cancel", "menu") and went
	// on with the bot; the ticket was withdrawn.
	EventLeft parley.EventKind = "escalation.left"
	// EventCallback: a call-back was offered (Attrs["why"] is timeout,
	// closed or no_agent) or booked (Attrs["slot"]).
	EventCallback parley.EventKind = "escalation.callback"
	// EventFeedback: the customer rated the hand-off; Attrs["rating"] is
	// 1-5.
	EventFeedback parley.EventKind = "escalation.feedback"
	// EventError: something failed that the customer was shielded from
	// (a relay retried, a notification, a rule expression at run time).
	EventError parley.EventKind = "escalation.error"
)

// A ProfileSource returns a customer's attributes (name, tier, plan,
// phone, timezone) for rules and for the agent. It returns an empty map
// for an unknown customer. Implementations must be safe for concurrent
// use.
type ProfileSource interface {
	Profile(ctx context.Context, customerID string) (map[string]string, error)
}

// ProfileFunc adapts a function to a [ProfileSource].
type ProfileFunc func(ctx context.Context, customerID string) (map[string]string, error)

// Profile calls f(ctx, customerID).
func (f ProfileFunc) Profile(ctx context.Context, id string) (map[string]string, error) {
	return f(ctx, id)
}

// Messages are what the escalator tells the customer. Zero fields take
// the English defaults of [DefaultMessages].
type Messages struct {
	// Offer asks whether the customer wants a person, with Yes and No as
	// the answers; Declined answers a no. OfferAgain asks it again, in
	// other words, after a message the bot could not place.
	Offer, Yes, No, Declined, OfferAgain string
	// Remind says how to reach a person when a handler would offer one
	// again: one offer is made until the conversation is resolved. It
	// is said once after an offer to a handler that answered itself
	// ("I'm not sure I have the right answer"), and always to one that
	// said nothing.
	Remind string
	// Empathy acknowledges the customer's feelings (rules with Empathy).
	Empathy string
	// Connecting is the wait message: what happens and what the
	// customer can do meanwhile.
	Connecting string
	// Delayed: the desk is slow to take the request; Queued: it took it
	// after all.
	Delayed, Queued string
	// StillWaiting answers a message the bot cannot help with while the
	// customer waits; Noted, shorter, answers the next one when
	// StillWaiting was the last thing said (a sentence is not said twice
	// in a row); Relayed a message saved for the agent.
	StillWaiting, Noted, Relayed string
	// WaitStatus answers a waiting customer who asks how long it will
	// take or whether anyone is there ("hello??").
	WaitStatus string
	// Assigned: %s is the agent's name.
	Assigned string
	// Left confirms that the customer left the queue.
	Left string
	// Busy (no agent, queue time-out) and Closed (outside hours) offer a
	// call-back; KeepWaiting and OtherChannel are its other choices,
	// OtherChannelMsg the answer to the latter. A %s in Closed is when
	// the team is back. Times, there and in the call-back times offered,
	// are written "2026-12-07 13:00 Europe/London", in the customer's
	// zone: i18n.WithDates writes them out in the reply's language
	// ("Monday, December 7, 1:00 pm London time").
	Busy, Closed, KeepWaiting, OtherChannel, OtherChannelMsg string
	// OtherChannelTo answers OtherChannel instead when the customer's
	// profile has an "email": %s is the address, so the customer knows
	// where the reply goes.
	OtherChannelTo string
	// AskPhone asks for the number to call; BadPhone asks again;
	// NoCallback gives up.
	AskPhone, BadPhone, NoCallback string
	// CallbackBooked: %[1]s is the time, %[2]s the number.
	CallbackBooked string
	// Resolved asks for a rating after an agent handed back;
	// FeedbackThanks answers it, FeedbackLow answers a rating of 1 or 2
	// (sorry, and how to reach a person again).
	Resolved, FeedbackThanks, FeedbackLow string
}

// DefaultMessages returns the English messages.
func DefaultMessages() Messages {
	return Messages{
		Offer:           "Would you like me to connect you with a person from our team?",
		Yes:             "Yes, please",
		No:              "No, thanks",
		Declined:        "No problem, I'll keep helping.",
		OfferAgain:      "Sorry, I still didn't get that. I can connect you with a person, or you can tell me in other words what you need.",
		Remind:          "A person from our team can help with that too: type \"human\" whenever you'd like one.",
		Empathy:         "I'm sorry this has been frustrating. I want to get this sorted for you.",
		Connecting:      "I've asked a person from our team to join. They'll see our conversation, so you won't need to repeat anything. While you wait, I can still help with other things; type \"cancel\" to leave the queue.",
		Delayed:         "Our help desk is slow to respond right now. Your request is saved and we keep trying. Meanwhile I can still help, or type \"cancel\" to leave the queue.",
		Queued:          "Your request has reached our team. A person will be with you shortly.",
		StillWaiting:    "I've passed that on: a person will be with you soon. Meanwhile you can ask me about an order, or type \"cancel\" to leave the queue and carry on with me.",
		Noted:           "Added that to your request for the team.",
		Relayed:         "Your message is saved and will reach the agent shortly.",
		WaitStatus:      "You're still in the queue: the next person free on our team will join here, and your messages are already with them. Meanwhile I can help with orders, refunds or your plan, or type \"cancel\" to leave the queue.",
		Assigned:        "%s has joined the conversation.",
		Left:            "OK, I've taken you out of the queue: you're back with the assistant.",
		Busy:            "All our agents are busy right now. Would you like a call back instead? Pick a time, or keep waiting.",
		Closed:          "Our team is offline right now and back %s. Would you like a call back? Pick a time.",
		KeepWaiting:     "Keep waiting",
		OtherChannel:    "Email me instead",
		OtherChannelMsg: "Of course: our team will reply by email with everything from this conversation.",
		OtherChannelTo:  "Of course: our team will reply to %s with everything from this conversation.",
		AskPhone:        "What number should we call you on?",
		BadPhone:        "That doesn't look like a phone number: please type it with the area code, or \"cancel\".",
		NoCallback:      "OK, I haven't booked a call. You're back with the assistant.",
		CallbackBooked:  "Done: we'll call you on %[2]s, %[1]s. Our team will have this conversation at hand.",
		Resolved:        "You're back with the assistant. How did we do? Rate your experience from 1 to 5.",
		FeedbackThanks:  "Thanks for your feedback!",
		FeedbackLow:     `I'm sorry we let you down. If it isn't sorted, type "human" and a person will pick it up again, or tell me what you still need.`,
	}
}

func (m Messages) withDefaults() Messages {
	d := DefaultMessages()
	pick := func(v *string, def string) {
		if *v == "" {
			*v = def
		}
	}
	for _, f := range []struct {
		v   *string
		def string
	}{
		{&m.Offer, d.Offer}, {&m.Yes, d.Yes}, {&m.No, d.No}, {&m.Declined, d.Declined}, {&m.OfferAgain, d.OfferAgain}, {&m.Remind, d.Remind}, {&m.Empathy, d.Empathy},
		{&m.Connecting, d.Connecting}, {&m.Delayed, d.Delayed}, {&m.Queued, d.Queued}, {&m.StillWaiting, d.StillWaiting}, {&m.Noted, d.Noted},
		{&m.Relayed, d.Relayed}, {&m.WaitStatus, d.WaitStatus}, {&m.Assigned, d.Assigned}, {&m.Left, d.Left}, {&m.Busy, d.Busy}, {&m.Closed, d.Closed},
		{&m.KeepWaiting, d.KeepWaiting}, {&m.OtherChannel, d.OtherChannel}, {&m.OtherChannelMsg, d.OtherChannelMsg}, {&m.OtherChannelTo, d.OtherChannelTo},
		{&m.AskPhone, d.AskPhone}, {&m.BadPhone, d.BadPhone}, {&m.NoCallback, d.NoCallback},
		{&m.CallbackBooked, d.CallbackBooked}, {&m.Resolved, d.Resolved}, {&m.FeedbackThanks, d.FeedbackThanks}, {&m.FeedbackLow, d.FeedbackLow},
	} {
		pick(f.v, f.def)
	}
	return m
}

// Escalator is the one component that decides whether a conversation goes
// to a person, and runs the hand-off: the offer, the hand-off itself,
// queueing with retries, relaying while an agent owns the conversation,
// time-outs and call-backs, the way back to the bot, and feedback.
//
// Other components do not hand off: they report what happened (the
// router that it did not understand, a flow that it could not do what
// was asked) and the escalator's [Policy] decides. Handlers that want a
// person for the customer call [Escalator.HandOff] (it implements
// [dialog.HandOffer]); unless the customer asked for one, that makes an
// offer the customer answers.
//
// An Escalator is safe for concurrent use. It starts no goroutines; the
// application runs [Escalator.Run] to get time-outs and retries without
// waiting for the customer's next message.
type Escalator struct {
	desk          Desk
	rules         []Rule // until New compiles them into policy
	policy        *Policy
	msgs          Messages
	locales       map[string]Messages
	timeout       time.Duration
	hours         Hours
	profiles      ProfileSource
	summarizer    Summarizer
	store         memory.Store
	deliver       Deliverer
	waker         bool
	tick          time.Duration
	submitTimeout time.Duration
	backoff       time.Duration
	maxBackoff    time.Duration
	slots         int
	lead          time.Duration
}

var (
	_ dialog.HandOffer = (*Escalator)(nil)
	_ parley.Handler   = (*Escalator)(nil)
)

// An Option configures an [Escalator]. Options that depend on data (rules
// that must compile, durations that must be positive) are checked by
// [New].
type Option func(*Escalator)

// WithRules sets the policy's rules (default [DefaultRules]); [New]
// compiles them and returns their errors.
func WithRules(rules ...Rule) Option {
	return func(e *Escalator) { e.rules = rules }
}

// WithMessages sets what the escalator tells the customer.
func WithMessages(m Messages) Option {
	return func(e *Escalator) { e.msgs = m.withDefaults() }
}

// WithLocaleMessages sets the messages for other languages, keyed by BCP
// 47 tag or language ("es", "pt-BR"). A turn's locale picks them by exact
// tag, then by language; other turns get the default messages. Empty
// fields take the English defaults.
func WithLocaleMessages(m map[string]Messages) Option {
	return func(e *Escalator) {
		e.locales = make(map[string]Messages, len(m))
		for k, v := range m {
			e.locales[strings.ToLower(k)] = v.withDefaults()
		}
	}
}

// WithQueueTimeout sets how long a customer waits for an agent before a
// call-back is offered (default 5 minutes; it must be positive).
func WithQueueTimeout(d time.Duration) Option {
	return func(e *Escalator) { e.timeout = d }
}

// WithHours sets the agents' working hours (default: always open).
// Outside them a call-back is offered instead of a queue.
func WithHours(h Hours) Option {
	return func(e *Escalator) { e.hours = h }
}

// WithProfiles sets where customer attributes come from. Rules read them;
// the agent sees them; "phone" spares the customer the question when they
// choose a call-back, and "timezone" (an IANA name such as
// "Europe/London") is the zone call-back times are offered in.
func WithProfiles(p ProfileSource) Option {
	return func(e *Escalator) { e.profiles = p }
}

// WithSummarizer sets an LLM (or other) summarizer for tickets; the
// default is [Summary] and [SuggestedReply].
func WithSummarizer(s Summarizer) Option {
	return func(e *Escalator) { e.summarizer = s }
}

// WithWaker lets [Escalator.Run] wake waiting conversations: it keeps an
// index of them in store and delivers wake-up turns through d every
// interval (default 5s). Both store and d are required.
func WithWaker(store memory.Store, d Deliverer, interval time.Duration) Option {
	return func(e *Escalator) {
		if interval > 0 {
			e.tick = interval
		}
		e.store, e.deliver, e.waker = store, d, true
	}
}

// New returns an escalator over desk. It returns an error when an option
// is invalid: rules that do not compile ([*RuleError]s), a queue time-out
// that is not positive, working hours that make no sense, a waker without
// a store or deliverer. It panics if desk is nil.
func New(desk Desk, opts ...Option) (*Escalator, error) {
	if desk == nil {
		panic("escalation: New with nil desk")
	}
	e := &Escalator{desk: desk, msgs: DefaultMessages(), timeout: 5 * time.Minute,
		submitTimeout: 10 * time.Second, backoff: 5 * time.Second, maxBackoff: 2 * time.Minute,
		tick: 5 * time.Second, slots: 3, lead: 30 * time.Minute}
	for _, o := range opts {
		o(e)
	}
	var errs []error
	if e.timeout <= 0 {
		errs = append(errs, fmt.Errorf("escalation: queue timeout %v must be positive", e.timeout))
	}
	if err := e.hours.validate(); err != nil {
		errs = append(errs, err)
	}
	if e.waker && (e.store == nil || e.deliver == nil) {
		errs = append(errs, errors.New("escalation: WithWaker needs a store and a deliverer"))
	}
	if e.rules == nil {
		e.rules = DefaultRules()
	}
	p, err := NewPolicy(e.rules...)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	e.policy, e.rules = p, nil
	return e, nil
}

// Middleware returns the middleware where e meets every turn. Place it
// after the command, intent and sentiment middleware, whose annotations
// its rules read, and before the router:
//
//	h := parley.Chain(router, commands, nlu, sentiment.Middleware(an), escalation.Middleware(esc))
//
// While the customer waits for a person, "cancel" and "menu" take them
// out of the queue (the ticket is withdrawn) and the bot answers what it
// understands, the rest going to the ticket; while an agent owns the
// conversation every message goes to the agent and the bot stays silent.
// Otherwise the policy is evaluated: a hand-off rule hands off at once; an
// offer rule says a word of empathy if it asks for one, lets the bot
// serve the request, and then offers a person, unless the bot asked
// something else this turn. It panics if e is nil.
func Middleware(e *Escalator) parley.Middleware {
	if e == nil {
		panic("escalation: Middleware with nil Escalator")
	}
	return func(next parley.Handler) parley.Handler { return e.middleware(next) }
}

// middleware is [Middleware]'s wrapper around next.
func (e *Escalator) middleware(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		tc := e.load(ctx, w, t)
		tc.st.Picked = picksPerson(t)
		handled, err := tc.before(ctx)
		if err != nil {
			return err
		}
		if err := tc.save(); err != nil {
			return err
		}
		if handled {
			if tc.declined {
				// A form the offer paused asks its question again.
				rt := *t
				rt.Message, rt.Signal = parley.Message{}, &parley.Signal{Name: dialog.SignalResume}
				return next.HandleTurn(ctx, w, &rt)
			}
			return nil
		}
		if tc.rule == nil {
			aw := watch(w)
			if err := next.HandleTurn(ctx, aw, t); err != nil {
				return err
			}
			if t.Signal != nil {
				return nil
			}
			return tc.after(ctx, reportOf(t, aw), nil)
		}
		// A rule wants to offer a person after the bot's answer. Hold the
		// answer back until the bot says what it made of the turn: a
		// fallback is replaced by the offer, anything else goes out first.
		buf := &heldReplies{}
		aw := watch(buf)
		if err := next.HandleTurn(ctx, aw, t); err != nil {
			return errors.Join(err, buf.send(ctx, w))
		}
		return tc.after(ctx, reportOf(t, aw), buf)
	})
}

// HandOff implements [dialog.HandOffer] for flows, routers and other
// handlers that want a person for the customer. When the customer asked
// for one (the "human" command or an explicit request in this turn's
// text) it hands off now: it tells the customer what happens next and
// returns once the request is recorded (kept and retried while the desk
// is down). Otherwise it offers a person, with r as the request the
// customer's yes sends.
func (e *Escalator) HandOff(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, r dialog.HandoffRequest) error {
	tc := e.load(ctx, w, t)
	switch {
	case tc.st.humanOwns():
		// Already with a person (the bot is answering while the customer
		// waits): nothing more to ask for.
	case tc.asked() || tc.st.Picked:
		if err := tc.handOff(ctx, r); err != nil {
			return err
		}
	case tc.st.Phase == phaseOffered:
		// Already asked this turn or before: one offer at a time.
	case r.Priority != dialog.PriorityUrgent && (len(tc.st.Offered) > 0 || tc.st.Seen < tc.st.QuietUntil) && !tc.offerFollows():
		// A person was offered since the conversation was last resolved
		// (the customer moved on, or said no): one offer, not one per
		// question the bot cannot answer. The customer hears how to ask
		// (a line, not a question), once since the offer: a handler that
		// has answered this turn ("I'm not sure I have the right
		// answer") is not followed by the same line every time (QA12
		// F14); one that said nothing still gets it, never silence.
		if tc.st.RemindedAt > tc.st.OfferedAt && replied(w) {
			break
		}
		tc.st.RemindedAt = tc.st.Seen
		if err := tc.reply(ctx, parley.Text(tc.msgs().Remind)); err != nil {
			return err
		}
	default:
		if err := tc.offer(ctx, r); err != nil {
			return err
		}
		// A rule that fired this turn was to offer a person after the
		// answer (a second offer after many turns without resolution):
		// this is that offer, not one more, and no line on how to ask
		// for a person is stacked on it.
		for _, name := range []string{r.Reason, tc.st.OfferRule} {
			if tc.st.Phase == phaseOffered && name != "" && (name == r.Reason || tc.offerFollows()) && !slices.Contains(tc.st.Offered, name) {
				tc.offered(name)
			}
		}
	}
	return tc.save()
}

// HandleTurn hands the conversation to a person because the customer
// asked for one: mount the escalator on the router for the human command
// and for an intent that means "a person, please":
//
//	router.HandleCommand(dialog.CommandHuman, esc)
//	router.Handle("human", esc)
//
// A customer already waiting or talking with an agent is told so.
func (e *Escalator) HandleTurn(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	tc := e.load(ctx, w, t)
	if tc.st.humanOwns() {
		if err := tc.reply(ctx, parley.Text(tc.msgs().StillWaiting)); err != nil {
			return err
		}
		tc.st.WaitSaid = waitStill
		return tc.save()
	}
	if err := tc.handOff(ctx, dialog.HandoffRequest{Reason: "asked for a person", Priority: dialog.PriorityHigh}); err != nil {
		return err
	}
	return tc.save()
}

// asked reports whether the customer asked for a person in this turn.
func (tc *turnCtx) asked() bool {
	return AskedForHuman().Match(&Input{Turn: tc.t, Text: tc.t.Text(), Command: commandOf(tc.t)})
}

// stateKey keeps a conversation's escalation state in its session.
var stateKey = memory.NewStateKey[state]("escalation")

// phase is what the conversation is doing with respect to people.
type phase string

const (
	phaseBot      phase = ""
	phaseOffered  phase = "offered"
	phaseWaiting  phase = "waiting"
	phaseAssigned phase = "assigned"
	phaseCallback phase = "callback" // call-back times offered
	phasePhone    phase = "phone"    // asked for the number to call
	phaseFeedback phase = "feedback"
)

// state is a conversation's escalation state, kept in its session.
type state struct {
	Phase phase `json:"phase,omitempty"`
	// Seq counts hand-offs; ticket IDs are "<conversation>-<seq>".
	Seq      int             `json:"seq,omitempty"`
	TicketID string          `json:"ticket,omitempty"`
	Status   Status          `json:"status,omitempty"`
	Reason   string          `json:"reason,omitempty"`
	Priority dialog.Priority `json:"priority,omitempty"`
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
	// Offer is the request an open offer of a person sends.
	Offer *dialog.HandoffRequest `json:"offer,omitempty"`
	// Slots are the call-back times offered; Slot the one chosen while
	// the number is asked for, PhoneTries the unreadable answers.
	Slots      []time.Time `json:"slots,omitempty"`
	Slot       *time.Time  `json:"slot,omitempty"`
	PhoneTries int         `json:"phone_tries,omitempty"`
	// NotUnderstood counts the turns in a row the bot did not
	// understand; Failures the turns it could not do what was asked and
	// Unresolved all turns, since the start or the last resolution.
	NotUnderstood int `json:"not_understood,omitempty"`
	Failures      int `json:"failures,omitempty"`
	Unresolved    int `json:"unresolved,omitempty"`
	// Seen counts all of the customer's turns. Offers stay quiet until
	// Seen reaches QuietUntil (after one was declined; urgent ones
	// excepted), and each rule offers once until the conversation is
	// resolved (Offered). Empathy is said at most once every few turns.
	Seen       int      `json:"seen,omitempty"`
	QuietUntil int      `json:"quiet_until,omitempty"`
	Offered    []string `json:"offered,omitempty"`
	// OfferedAt is Seen when a person was last offered (or asked
	// again, or a line or choice counted as the offer): a rule with
	// AfterOffer may offer once more when enough turns have passed.
	OfferedAt int `json:"offered_at,omitempty"`
	// OfferTurn is the session's turn (memory.Session.Turns) in which
	// the rule OfferRule fired before the bot answered: its offer
	// follows the answer, so a handler's HandOff in that turn makes it
	// rather than add a line on how to ask for a person.
	OfferTurn int    `json:"offer_turn,omitempty"`
	OfferRule string `json:"offer_rule,omitempty"`
	// RemindedAt is Seen when a handler's HandOff was last answered with
	// the line on how to ask for a person (Remind).
	RemindedAt int `json:"reminded_at,omitempty"`
	// MoodOffered: a person was offered to an upset customer (by a rule
	// with Empathy, or one that fired on the mood alone). Until the
	// conversation is resolved, no other rule offers one for the mood
	// alone (an application's sentiment threshold beside the default
	// frustration rule): an upset customer gets one offer, not one per
	// rule that reads the mood.
	MoodOffered bool `json:"mood_offered,omitempty"`
	// Deferred is an offer held back because the bot asked something on
	// the turn its rule fired; it is made after the next turn's answer
	// if that asks nothing and resolves nothing, and dropped otherwise.
	Deferred *dialog.HandoffRequest `json:"deferred,omitempty"`
	// Holds counts the turns in a row Deferred has been held back.
	Holds     int `json:"holds,omitempty"`
	EmpathyAt int `json:"empathy_at,omitempty"`
	// EmpathyTurn is the session's turn (memory.Session.Turns) in which
	// empathy was last said: see [Empathized].
	EmpathyTurn int `json:"empathy_turn,omitempty"`
	// Reminded says the last turn answered frustration at a form's
	// question with Remind in place of an offer: a whole "no" now
	// declines a person, and the form asks its question again.
	Reminded bool `json:"reminded,omitempty"`
	// OfferAgain says the open offer was asked again after a message
	// the bot could not place (it is dropped the next time).
	OfferAgain bool `json:"offer_again,omitempty"`
	// Picked says this turn picks a person among the choices of the
	// bot's question ("Talk to a person"): a hand-off the handler asks
	// for is the customer's own request, made at once.
	Picked bool `json:"picked,omitempty"`
	// Intents and Entities seen, most recent first; Scores the
	// sentiment scores, oldest first.
	Intents  []nlu.Intent `json:"intents,omitempty"`
	Entities []nlu.Entity `json:"entities,omitempty"`
	Scores   []float64    `json:"scores,omitempty"`
	// Frustration is the highest frustration measured.
	Frustration float64 `json:"frustration,omitempty"`
	// Mood is the latest mood measured: a ticket made on a turn without
	// one (a bare "human") reports it, with the label the analyzer gave.
	Mood *nlu.Mood `json:"mood,omitempty"`
	// WaitSaid is the wait line the escalator answered the customer's
	// last message with while they waited ("still", "noted",
	// "status"): the next answer is another one (waiting.go).
	// WaitEmpathy says empathy was said during this wait: once is
	// enough.
	WaitSaid    string `json:"wait_said,omitempty"`
	WaitEmpathy bool   `json:"wait_empathy,omitempty"`
}

// humanOwns reports whether a person owns the conversation, or is about
// to.
func (s state) humanOwns() bool { return s.Phase == phaseWaiting || s.Phase == phaseAssigned }

// turnCtx carries one turn's state through the escalator.
type turnCtx struct {
	e  *Escalator
	w  parley.ReplyWriter
	t  *parley.Turn
	st state
	// rule is an offer rule that fired before the bot answered; the
	// offer is made after the answer, so the request is still served.
	rule *Rule
	// deferred is the offer held back last turn; retried says rule is it.
	deferred *dialog.HandoffRequest
	retried  bool
	holds    int
	// ruleMood says rule is about how the customer feels: it says
	// empathy, or it fired only because of the turn's mood.
	ruleMood bool
	// declined says the customer said no to the offer of a person.
	declined bool
	// prevSaid is the wait line said on the customer's previous turn
	// (state.WaitSaid), which this turn's answer does not repeat.
	prevSaid string
	// answerIntent is the classifier's guess on a turn that met an open
	// question ("A-1002" to "Which order?", "yes" to a confirmation):
	// counted as the customer's request only if the bot routed the turn
	// as one (a digression), never as the answer it was.
	answerIntent *nlu.Intent
}

func (e *Escalator) load(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) *turnCtx {
	tc := &turnCtx{e: e, w: w, t: t}
	if s := t.Session(); s != nil {
		st, _, err := stateKey.Get(s)
		if err != nil {
			t.Emit(ctx, parley.Event{Kind: EventError, Err: err, Attrs: map[string]string{"what": "state reset"}})
		}
		tc.st = st
	}
	return tc
}

func (tc *turnCtx) save() error {
	if s := tc.t.Session(); s != nil {
		return stateKey.Set(s, tc.st)
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

// before runs before the rest of the bot; handled means the rest of the
// bot must not run.
func (tc *turnCtx) before(ctx context.Context) (bool, error) {
	if sig := tc.t.Signal; sig != nil {
		return tc.signal(ctx, sig)
	}
	tc.observe()
	tc.deferred, tc.st.Deferred = tc.st.Deferred, nil
	tc.holds, tc.st.Holds = tc.st.Holds, 0
	reminded := tc.st.Reminded
	tc.st.Reminded = false
	cmd := commandOf(tc.t)
	text := strings.TrimSpace(tc.t.Text())
	switch tc.st.Phase {
	case phaseWaiting:
		return tc.whileWaiting(ctx, cmd)
	case phaseAssigned:
		if cmd == "stop" {
			// An opt-out holds whoever the customer is talking to: the
			// agent reads it, and the bot records it and confirms it.
			return false, tc.relayOrSave(ctx)
		}
		return true, tc.relayOrSave(ctx)
	case phaseOffered:
		if handled, err := tc.answerOffer(ctx, text, cmd); handled || err != nil {
			return handled, err
		}
	case phaseCallback:
		if handled, err := tc.answerCallback(ctx, text, cmd); handled || err != nil || tc.st.Phase != phaseBot {
			return handled, err
		}
	case phasePhone:
		return tc.answerPhone(ctx, text, cmd)
	case phaseFeedback:
		if handled, err := tc.answerFeedback(ctx, text); handled || err != nil {
			return handled, err
		}
	}
	if yn, _ := parse.YesNo(text); reminded && yn == "no" && cmd == "" && tc.st.Phase == phaseBot && questionOpen(tc.t) {
		// "no thanks" to the line on how to reach a person (a customer
		// who takes it for an offer): declined, and the form asks again
		// rather than reading a no as its answer.
		tc.emit(ctx, EventDeclined, nil, 0)
		tc.st.QuietUntil = tc.st.Seen + quietTurns
		tc.declined = true
		dialog.Pause(tc.t) // the resume signal asks it again
		return true, tc.reply(ctx, parley.Text(tc.msgs().Declined))
	}
	return tc.evaluate(ctx, text, cmd)
}

// after runs once the rest of the bot answered a customer's message: it
// counts what the bot reported and makes the offer of a person a rule
// asked for, unless the bot asked something itself.
//
// held, if not nil, holds the bot's replies: they are sent before the
// offer, or dropped for it when the bot did not understand the turn (its
// fallback, and the question the fallback opened, give way to the offer).
func (tc *turnCtx) after(ctx context.Context, rep report, held *heldReplies) error {
	s := tc.t.Session()
	if s == nil {
		if err := held.send(ctx, tc.w); err != nil {
			return err
		}
		if tc.rule != nil && !rep.asked && tc.st.Phase == phaseBot {
			return tc.offer(ctx, tc.request(*tc.rule))
		}
		return nil
	}
	// The rest of the bot may have changed the state (a flow calling
	// HandOff): continue from what it saved.
	st, _, err := stateKey.Get(s)
	if err != nil {
		return errors.Join(err, held.send(ctx, tc.w))
	}
	tc.st = st
	if o, _ := dialog.TurnOutcome(tc.t); tc.answerIntent != nil && o == dialog.Served {
		// The turn did not answer the open question: the router served
		// it as a request of its own.
		tc.st.requested(*tc.answerIntent)
	}
	// dropped: the bot's fallback waits to be replaced by the offer; if
	// no offer is made after all (another question is open), it is sent:
	// the customer always hears something.
	var dropped *heldReplies
	if held != nil && tc.rule != nil && tc.formAskedAgain(rep) {
		// A form asked its question again (an amount, an order) after
		// an answer it could not read, said in frustration ("it arrived
		// broken"): the request is still served. The question stays the
		// one open question, and the offer gives way to a line on how
		// to reach a person (Remind), which counts as the offer.
		if err := held.send(ctx, tc.w); err != nil {
			return err
		}
		tc.emit(ctx, EventTriggered, nil, 0, "action", "reminded", "rule", tc.rule.Name)
		tc.offered(tc.rule.Name)
		tc.st.MoodOffered = tc.st.MoodOffered || tc.ruleMood
		tc.rule, held, tc.st.Reminded = nil, nil, true
		if err := tc.reply(ctx, parley.Text(tc.msgs().Remind)); err != nil {
			return err
		}
	}
	if held != nil {
		if rep.notUnderstood && tc.st.Phase == phaseBot {
			if dialog.AskedThisTurn(tc.t) {
				// The fallback's question, or a menu's, gives way to
				// the offer; a form asking again for a value (an
				// amount, an order number) waits for its answer.
				if q, _ := dialog.OpenQuestion(tc.t); len(q.Options) > 0 {
					dialog.CloseQuestion(tc.t)
				} else if _, ok := dialog.Pause(tc.t); !ok {
					dialog.CloseQuestion(tc.t)
				}
			}
			rep.asked = false
			dropped = held
		} else if err := held.send(ctx, tc.w); err != nil {
			return err
		}
	}
	if rep.notUnderstood {
		tc.st.NotUnderstood++
	} else {
		tc.st.NotUnderstood = 0
	}
	if rep.failed {
		tc.st.Failures++
	}
	if rep.resolved {
		tc.resolved()
	}
	if rep.answered {
		// A question answered resolves the conversation so far.
		tc.st.Unresolved = 0
	}
	if !rep.notUnderstood {
		tc.recheck(ctx)
	}
	if tc.rule == nil && tc.st.Phase == phaseBot {
		// What the bot reported may make a rule fire now (a second
		// failure in a row): its offer follows the answer.
		if err := tc.evaluateAfter(ctx); err != nil {
			return err
		}
	}
	if tc.rule != nil && tc.st.Phase == phaseBot {
		holds := 0 // a rule that fired this turn starts its own count
		if tc.retried {
			holds = tc.holds
		}
		switch {
		case rep.asked && offersPerson(tc.t):
			// The bot's question has a person among its choices ("Talk
			// to a person"): that is the offer, made once.
			tc.offered(tc.rule.Name)
			tc.st.MoodOffered = tc.st.MoodOffered || tc.ruleMood
		case rep.asked && holds < maxHolds:
			// The bot has just asked the customer something ("Was this
			// helpful?"): an offer now would put two questions on the
			// screen. It waits for the answer, and for the next
			// question of the same request (the order number, then
			// "Was this helpful?"), but not longer.
			r := tc.request(*tc.rule)
			tc.st.Deferred, tc.st.Holds = &r, holds+1
			tc.emit(ctx, EventTriggered, nil, 0, "action", "held back", "rule", tc.rule.Name)
		case rep.asked, rep.handedOff, rep.resolved && !(tc.retried && (tc.rule.NewSubject || tc.rule.Priority == dialog.PriorityUrgent)):
			// Held back twice, the request is done, or a person already
			// has it (an approval): no offer. A new subject held back by
			// "Was this helpful?" (a billing dispute raised with an order
			// question) is still offered once that is answered: the
			// answer was about the order, not the dispute.
		default:
			if err := tc.offer(ctx, tc.request(*tc.rule)); err != nil {
				return err
			}
		}
		if tc.st.Phase == phaseOffered {
			tc.offered(tc.rule.Name)
			tc.st.MoodOffered = tc.st.MoodOffered || tc.ruleMood
		}
	}
	if tc.st.Phase != phaseOffered {
		if err := dropped.send(ctx, tc.w); err != nil {
			return err
		}
	}
	return tc.save()
}

// formAskedAgain reports whether, on a turn the bot did not understand,
// a form asked its open question again (a question with policy Resume,
// not the escalator's, opened this turn, without a person among its
// choices: a menu gives way to the offer), and the rule that fired is
// not urgent: an urgent one (a legal threat) still offers a person in
// its place.
func (tc *turnCtx) formAskedAgain(rep report) bool {
	if !rep.notUnderstood || tc.st.Phase != phaseBot || tc.rule.Priority == dialog.PriorityUrgent || !dialog.AskedThisTurn(tc.t) {
		return false
	}
	q, ok := dialog.OpenQuestion(tc.t)
	return ok && q.Owner != owner && q.Policy == dialog.Resume && !offersPerson(tc.t)
}

// observe updates the conversation facts the rules read.
func (tc *turnCtx) observe() {
	st := &tc.st
	st.Unresolved++
	st.Seen++
	if in, ok := menuChoice(tc.t); ok {
		// "2" at the menu: the request is the option's intent.
		st.requested(in)
	} else if u, ok := parley.Value(tc.t, nlu.UnderstandingKey); ok && u.Status == nlu.Understood && u.Intent.Name != "" {
		if questionOpen(tc.t) {
			in := u.Intent
			tc.answerIntent = &in
		} else {
			st.requested(u.Intent)
		}
	}
	if u, ok := parley.Value(tc.t, nlu.UnderstandingKey); ok {
		for _, en := range slices.Backward(u.Entities) {
			st.Entities = slices.DeleteFunc(st.Entities, func(x nlu.Entity) bool { return x.Type == en.Type && x.Value == en.Value })
			en.Start, en.End = 0, 0
			st.Entities = append([]nlu.Entity{en}, st.Entities...)
		}
		st.Entities = st.Entities[:min(len(st.Entities), 10)]
	}
	if m, ok := parley.Value(tc.t, nlu.MoodKey); ok && m.Label != "" && commandOf(tc.t) == "" {
		st.Scores = append(st.Scores, m.Score)
		st.Scores = st.Scores[max(0, len(st.Scores)-20):]
		st.Frustration = max(st.Frustration, m.Frustration)
		st.Mood = &m
		if m.Delight >= 0.5 {
			// The customer is happy: the conversation is resolved so far.
			tc.resolved()
		}
	}
}

// offered records that a person was offered for the rule or reason
// name in this turn.
func (tc *turnCtx) offered(name string) {
	tc.st.Offered = append(tc.st.Offered, name)
	tc.st.OfferedAt = tc.st.Seen
}

// offerFollows reports whether a rule fired this turn before the bot
// answered, so that its offer follows the answer.
func (tc *turnCtx) offerFollows() bool {
	s := tc.t.Session()
	return s != nil && tc.st.OfferTurn != 0 && tc.st.OfferTurn == s.Turns
}

// ruleFired notes that rule fired before the bot answered: its offer
// follows the answer (offerFollows).
func (tc *turnCtx) ruleFired(rule *Rule) {
	tc.rule = rule
	if s := tc.t.Session(); s != nil {
		tc.st.OfferTurn, tc.st.OfferRule = s.Turns, rule.Name
	}
}

// requested records in as the customer's latest request.
func (st *state) requested(in nlu.Intent) {
	st.Intents = slices.DeleteFunc(st.Intents, func(i nlu.Intent) bool { return i.Name == in.Name })
	st.Intents = append([]nlu.Intent{in}, st.Intents...)
	st.Intents = st.Intents[:min(len(st.Intents), 5)]
}

// resolved starts the counts of unresolved turns and failures afresh.
func (tc *turnCtx) resolved() {
	tc.st.Unresolved, tc.st.Failures, tc.st.Offered, tc.st.MoodOffered = 0, 0, nil, false
}

// recheck drops the offer of a rule that fired this turn, before the bot
// answered, on counts the answer changed: the language understanding
// could not place a third message in a row, but the bot did ("no" to the
// menu declines it; a question the help centre answers), or a question
// answered started the count of turns without resolution afresh. Rules
// about what the customer said (a complaint, frustration) still hold.
func (tc *turnCtx) recheck(ctx context.Context) {
	if tc.rule == nil || tc.retried {
		return
	}
	name := tc.rule.Name
	in := tc.input(ctx, strings.TrimSpace(tc.t.Text()), commandOf(tc.t), true)
	if _, still, _ := tc.e.policy.evaluate(in, func(r Rule) bool { return r.Name != name }); !still {
		tc.rule = nil // its errors were reported when it fired
	}
}

// entities reports whether the language understanding found entities
// (an order number, an amount) in this turn.
func (tc *turnCtx) entities() bool {
	u, ok := parley.Value(tc.t, nlu.UnderstandingKey)
	return ok && len(u.Entities) > 0
}

// unclear reports whether the language understanding could not place
// this turn.
func (tc *turnCtx) unclear() bool {
	u, ok := parley.Value(tc.t, nlu.UnderstandingKey)
	return ok && (u.Status == nlu.Unsure || u.Status == nlu.OutOfScope)
}

// input builds the rules' input. Before the bot answers, this turn
// counts as not understood when the language understanding could not
// place it; after, the bot's report has been counted.
func (tc *turnCtx) input(ctx context.Context, text, cmd string, answered bool) *Input {
	in := &Input{Turn: tc.t, Text: text, Command: cmd, NotUnderstood: tc.st.NotUnderstood, Unresolved: tc.st.Unresolved,
		Failures: tc.st.Failures, Intents: tc.st.Intents}
	if !answered && tc.unclear() {
		in.NotUnderstood++
	}
	// A whole yes or no ("hmm actually no", "wait no don't") is a choice,
	// not a mood.
	if _, yn := parse.YesNo(text); cmd == "" && !yn && len(strings.Fields(text)) >= 3 {
		in.Mood, in.HasMood = parley.Value(tc.t, nlu.MoodKey)
	}
	in.Understanding, in.HasUnderstanding = parley.Value(tc.t, nlu.UnderstandingKey)
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

// empathize says the empathy line for rule, if it has one and it was not
// said in the last few turns.
func (tc *turnCtx) empathize(ctx context.Context, rule Rule) error {
	if !rule.Empathy || tc.st.EmpathyAt != 0 && tc.st.Seen-tc.st.EmpathyAt < empathyGap {
		return nil
	}
	tc.said()
	text := tc.msgs().Empathy
	if rule.Sorry != "" {
		text = rule.Sorry
	}
	return tc.reply(ctx, parley.Text(text))
}

// said records that empathy is said in this turn.
func (tc *turnCtx) said() {
	tc.st.EmpathyAt = tc.st.Seen
	if s := tc.t.Session(); s != nil {
		tc.st.EmpathyTurn = s.Turns
	}
}

// Empathized reports whether the escalator said a word of empathy to the
// customer in t's turn ("I'm sorry this has been frustrating"): a
// handler it wraps that answers a complaint reads it to say no second
// one. It reports false for a turn without a session.
func Empathized(t *parley.Turn) bool {
	s := t.Session()
	if s == nil {
		return false
	}
	st, _, err := stateKey.Get(s)
	return err == nil && st.EmpathyTurn != 0 && st.EmpathyTurn == s.Turns
}

// maxHolds is how many turns in a row an offer is held back because the
// bot asked something.
const maxHolds = 2

// empathyGap is how many turns pass before empathy is said again.
const empathyGap = 2

// evaluate runs the policy before the bot answers.
func (tc *turnCtx) evaluate(ctx context.Context, text, cmd string) (bool, error) {
	if cmd == "cancel" || cmd == "menu" || cmd == "stop" {
		return false, nil // the router's
	}
	in := tc.input(ctx, text, cmd, false)
	rule, ok := tc.fire(ctx, in)
	if !ok {
		if d := tc.deferred; d != nil && !slices.Contains(tc.st.Offered, d.Reason) {
			r, _ := tc.e.policy.rule(d.Reason)
			tc.ruleFired(&Rule{Name: d.Reason, Priority: d.Priority, Action: Offer, NewSubject: r.NewSubject})
			tc.retried = true
		}
		// No offer this time because offers were held back (one was just
		// declined or already made), but an upset customer still hears
		// that the bot noticed, as with an offer not on every message.
		// With nothing held back, fire already tried every rule: no
		// second pass on an ordinary turn. Its errors fire reported.
		if tc.st.Seen < tc.st.QuietUntil || len(tc.st.Offered) > 0 || tc.st.MoodOffered {
			r, upset, _ := tc.e.policy.evaluate(in, func(r Rule) bool { return !r.Empathy || r.Action != Offer })
			if upset {
				return false, tc.empathize(ctx, r)
			}
		}
		return false, nil
	}
	tc.emit(ctx, EventTriggered, nil, 0, "action", string(rule.Action), "rule", rule.Name)
	tc.ruleMood = rule.Empathy || tc.onlyMood(rule, in)
	if !rule.Empathy && tc.offersAgain(rule) {
		// Offering again after many turns (AfterOffer) to an upset
		// customer, whose own rule is quiet: they still hear that the
		// bot noticed, as on the other quiet turns.
		if r, upset, _ := tc.e.policy.evaluate(in, func(r Rule) bool { return !r.Empathy || r.Action != Offer }); upset {
			rule.Empathy, rule.Sorry = true, r.Sorry
		}
	}
	if err := tc.empathize(ctx, rule); err != nil {
		return true, err
	}
	if rule.Action == HandOff {
		return true, tc.handOff(ctx, tc.request(rule))
	}
	tc.ruleFired(&rule)
	return false, nil
}

// fire evaluates the policy on in, leaving out offers already made (and
// all but urgent and new-subject ones while offers are quiet, or once any
// offer was made since the conversation was last resolved: one offer of a
// person, not one per rule that counts misses), and, once a person was
// offered for the customer's mood, offers that only the mood would make.
func (tc *turnCtx) fire(ctx context.Context, in *Input) (Rule, bool) {
	quiet := tc.st.Seen < tc.st.QuietUntil || len(tc.st.Offered) > 0
	var moodOnly []string
	for {
		rule, ok, err := tc.e.policy.evaluate(in, func(r Rule) bool {
			return r.Action == Offer && (quiet && r.Priority != dialog.PriorityUrgent && !r.NewSubject && !tc.offersAgain(r) || slices.Contains(tc.st.Offered, r.Name) ||
				slices.Contains(moodOnly, r.Name))
		})
		if err != nil {
			tc.emit(ctx, EventError, err, 0, "what", "rule")
		}
		if ok && tc.st.MoodOffered && rule.Action == Offer && rule.Priority != dialog.PriorityUrgent && tc.onlyMood(rule, in) {
			moodOnly = append(moodOnly, rule.Name)
			continue
		}
		return rule, ok
	}
}

// offersAgain reports whether rule may offer a person although one was
// offered since the conversation was last resolved: it has AfterOffer,
// the quiet turns after a decline are over, and at least AfterOffer of
// the customer's turns have passed since the last offer. Its own offer
// is left out by fire until the conversation is resolved: once.
func (tc *turnCtx) offersAgain(rule Rule) bool {
	st := &tc.st
	return rule.AfterOffer > 0 && len(st.Offered) > 0 && st.Seen >= st.QuietUntil && st.Seen-st.OfferedAt >= rule.AfterOffer
}

// onlyMood reports whether rule fires on in only because of its mood:
// it does not fire on the same input without one.
func (tc *turnCtx) onlyMood(rule Rule, in *Input) bool {
	if !in.HasMood {
		return false
	}
	calm := *in
	calm.Mood, calm.HasMood = nlu.Mood{}, false
	_, ok, _ := tc.e.policy.evaluate(&calm, func(r Rule) bool { return r.Name != rule.Name })
	return !ok
}

// evaluateAfter runs the policy again once the bot has answered, with
// its report counted; a rule that fires only now hands off, or sets the
// offer to make after the answer.
func (tc *turnCtx) evaluateAfter(ctx context.Context) error {
	cmd := commandOf(tc.t)
	if cmd != "" {
		return nil
	}
	in := tc.input(ctx, strings.TrimSpace(tc.t.Text()), cmd, true)
	rule, ok := tc.fire(ctx, in)
	if !ok {
		return nil
	}
	tc.emit(ctx, EventTriggered, nil, 0, "action", string(rule.Action), "rule", rule.Name)
	tc.ruleMood = rule.Empathy || tc.onlyMood(rule, in)
	if rule.Action == HandOff {
		return tc.handOff(ctx, tc.request(rule))
	}
	tc.rule = &rule
	return nil
}

func (tc *turnCtx) request(r Rule) dialog.HandoffRequest {
	return dialog.HandoffRequest{Reason: r.Name, Priority: r.Priority}
}

// offer asks whether the customer wants a person for request r, as the
// conversation's open question; it asks nothing when another question
// was opened this turn.
func (tc *turnCtx) offer(ctx context.Context, r dialog.HandoffRequest) error {
	ok, err := askOffer(tc.t, tc.msgs())
	if err != nil || !ok {
		return err
	}
	tc.st.Phase, tc.st.Offer = phaseOffered, &r
	say := ""
	if rule, ok := tc.e.policy.rule(r.Reason); ok {
		say = rule.Say
	}
	if rule, ok := tc.e.policy.rule(tc.st.OfferRule); ok && say == "" && tc.offerFollows() {
		say = rule.Say // a handler's HandOff makes the offer of a rule that fired this turn
	}
	if say != "" {
		if err := tc.reply(ctx, parley.Text(say)); err != nil {
			return err
		}
	}
	return tc.reply(ctx, parley.Message{Text: tc.msgs().Offer, QuickReplies: []parley.QuickReply{
		{Title: tc.msgs().Yes, Payload: "handoff:yes"}, {Title: tc.msgs().No, Payload: "handoff:no"}}})
}

// quietTurns is how many turns offers stay quiet after one was declined
// (urgent ones excepted).
const quietTurns = 5

// answerOffer reads the answer to the offer of a person. Anything that
// is not an answer drops the offer and goes to the bot.
func (tc *turnCtx) answerOffer(ctx context.Context, text, cmd string) (bool, error) {
	// A whole yes or no, as parse.YesNo reads one; a longer message
	// ("ok, where is my order?", "no, I want a refund") is a new request.
	yn, _ := parse.YesNo(text)
	m := tc.msgs()
	answer := yn != "" || slices.Contains([]string{"handoff:yes", "handoff:no", m.Yes, m.No}, text)
	if cmd == "" && !answer && !tc.st.OfferAgain && tc.unclear() && !tc.entities() && intent.DetectLanguage(text) == "" {
		// Nonsense ("mmm ppp", no word of any language the bot knows)
		// is no new request: the offer is asked again, once and in other
		// words (OfferAgain: the same sentence is not said twice in a
		// row), rather than dropped for a fallback (after which a "yes"
		// would answer nothing). Nonsense again drops it: the bot's own
		// fallbacks follow (say it another way, then the menu), and no
		// rule offers a person again until the conversation is resolved
		// (fire), so nothing loops.
		tc.st.OfferAgain, tc.st.OfferedAt = true, tc.st.Seen
		if q, ok := dialog.OpenQuestion(tc.t); ok && q.Owner == owner {
			return true, tc.reply(ctx, parley.Message{Text: tc.msgs().OfferAgain, QuickReplies: []parley.QuickReply{
				{Title: tc.msgs().Yes, Payload: "handoff:yes"}, {Title: tc.msgs().No, Payload: "handoff:no"}}})
		}
	}
	offer := tc.st.Offer
	tc.st.Offer, tc.st.Phase, tc.st.OfferAgain = nil, phaseBot, false
	closeOffer(tc.t) // answered, or dropped for whatever the customer said instead
	switch {
	case cmd == "human" || offer != nil && (text == "handoff:yes" || text == tc.msgs().Yes || yn == "yes"):
		r := dialog.HandoffRequest{Reason: "asked for a person", Priority: dialog.PriorityHigh}
		if offer != nil {
			r = *offer
		}
		return true, tc.handOff(ctx, r)
	case text == "handoff:no" || text == tc.msgs().No || yn == "no" || leavesQueue(text):
		// "forget it, I don't need a person anymore" (the words that
		// leave the queue) declines the offer too: it got the complaint
		// answer, as a new message.
		tc.emit(ctx, EventDeclined, nil, 0)
		tc.st.Reason, tc.st.Priority = "", ""
		tc.st.QuietUntil = tc.st.Seen + quietTurns
		tc.declined = true
		return true, tc.reply(ctx, parley.Text(tc.msgs().Declined))
	}
	// The customer moved on: their message is the bot's. The rule that
	// made the offer does not make it again (nor, for a mood, another
	// rule reading the mood: see MoodOffered).
	tc.st.Reason, tc.st.Priority = "", ""
	return false, nil
}

// handOff builds and submits a ticket, or offers a call-back when nobody
// can take it.
func (tc *turnCtx) handOff(ctx context.Context, r dialog.HandoffRequest) error {
	e := tc.e
	if r.Priority == "" {
		r.Priority = dialog.PriorityNormal
	}
	tc.st.Reason, tc.st.Priority, tc.st.Offer = r.Reason, r.Priority, nil
	tc.resolved() // a person takes it from here: count afresh afterwards
	if q, ok := dialog.OpenQuestion(tc.t); ok && q.Owner != owner && len(q.Options) > 0 {
		// The bot's menu or choice, passed by for a person: it is no
		// longer asked, so "cancel" leaves the queue rather than picking
		// its "Cancel my plan".
		dialog.CloseQuestion(tc.t)
	}
	now := time.Now()
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
	tc.st.TicketID, tc.st.Status, tc.st.Phase = tk.ID, StatusRequested, phaseWaiting
	tc.st.RequestedAt, tc.st.AssignedAt, tc.st.Agent = now, time.Time{}, ""
	tc.st.Attempts, tc.st.Pending, tc.st.Outbox = 0, &tk, nil
	tc.st.WaitSaid, tc.st.WaitEmpathy = "", false
	tc.emit(ctx, EventRequested, nil, 0)
	if !tc.submitPending(ctx) {
		if err := tc.reply(ctx, parley.Text(tc.msgs().Delayed)); err != nil {
			return err
		}
	} else if err := tc.reply(ctx, parley.Text(tc.msgs().Connecting)); err != nil {
		return err
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
	tc.st.Attempts++
	if err != nil {
		d := e.backoff << min(tc.st.Attempts-1, 16)
		d = min(d, e.maxBackoff)
		tc.st.NextRetry = time.Now().Add(d)
		tc.emit(ctx, EventRetry, err, d, "attempt", fmt.Sprint(tc.st.Attempts))
		return false
	}
	tc.st.Pending, tc.st.Status, tc.st.NextRetry = nil, StatusQueued, time.Time{}
	tc.emit(ctx, EventQueued, nil, time.Since(tc.st.RequestedAt))
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

func (tc *turnCtx) ticket(ctx context.Context, r dialog.HandoffRequest, now time.Time) Ticket {
	t := tc.t
	tk := Ticket{
		ID: fmt.Sprintf("%s-%d", t.ConversationID, tc.st.Seq), ConversationID: t.ConversationID,
		CustomerID: t.CustomerID, Channel: t.Channel, Locale: t.Locale, Reason: r.Reason, Priority: r.Priority,
		Note: r.Note, Data: r.Data, Profile: tc.profile(ctx), Created: now,
		Intents: slices.Clone(tc.st.Intents), Entities: slices.Clone(tc.st.Entities), Scores: slices.Clone(tc.st.Scores),
		Frustration: tc.st.Frustration,
	}
	if u, ok := parley.Value(t, nlu.UnderstandingKey); ok && tk.Locale == "" {
		tk.Locale = u.Locale // the language the customer wrote in
	}
	if s := t.Session(); s != nil {
		tk.Transcript = slices.Clone(s.History)
		if len(s.History) == 0 || s.History[len(s.History)-1].Text != t.Text() {
			// The Bot records this turn's message after the turn: the
			// agent must see it too.
			if t.Text() != "" {
				tk.Transcript = append(tk.Transcript, memory.Entry{Role: memory.RoleUser, Text: t.Text(), Time: now})
			}
		}
	}
	if m, ok := parley.Value(t, nlu.MoodKey); ok {
		tk.Mood = m
	} else if tc.st.Mood != nil {
		// A turn the middleware did not measure ("human"): the latest
		// measured mood, label and all. Its score alone would be worded
		// by a fixed band, which need not be the analyzer's: the
		// trained model calls a request at 0.44 neutral.
		tk.Mood = *tc.st.Mood
	}
	tk.Summary, tk.SuggestedReply = Summary(tk), SuggestedReply(tk)
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

// whileWaiting handles a customer's message while they wait for a
// person.
func (tc *turnCtx) whileWaiting(ctx context.Context, cmd string) (bool, error) {
	tc.prevSaid, tc.st.WaitSaid = tc.st.WaitSaid, ""
	switch {
	case cmd == "cancel" || cmd == "menu":
		// Back to the bot: "menu" goes on to show it.
		return cmd == "cancel", tc.leave(ctx)
	case cmd == "stop":
		// The router records the opt-out; the ticket has the message
		// too, so that the agent who takes it knows.
		return false, tc.pass(ctx, tc.t.Message)
	case cmd == "" && leavesQueue(tc.t.Text()):
		// "leave the queue", "I don't need a person anymore": the
		// customer's own words for cancel (waiting.go).
		return true, tc.leave(ctx)
	}
	m := tc.t.Message
	if tc.st.Pending != nil {
		if !tc.retryDue() || !tc.submitPending(ctx) {
			tc.st.Outbox = append(tc.st.Outbox, m)
			return tc.answerWhileWaiting(ctx)
		}
	}
	if tc.timedOut() {
		tc.st.Outbox = append(tc.st.Outbox, m)
		return true, tc.offerCallback(ctx, "timeout")
	}
	if cmd == "human" {
		return true, tc.waitLine(ctx, waitStill, waitNoted)
	}
	tc.flushOutbox(ctx)
	if len(tc.st.Outbox) > 0 || tc.relay(ctx, m) != nil {
		tc.st.Outbox = append(tc.st.Outbox, m)
		if err := tc.setWake(ctx); err != nil {
			return true, err
		}
	}
	return tc.answerWhileWaiting(ctx)
}

// answerWhileWaiting lets the bot answer what it understands while the
// customer keeps their place in the queue (the message also went to the
// ticket); anything else gets the wait message.
func (tc *turnCtx) answerWhileWaiting(ctx context.Context) (bool, error) {
	if asksAboutWait(tc.t) {
		// "how long will it take?", "hello??": how the wait is going,
		// not a greeting or a question for the help centre.
		return true, tc.waitLine(ctx, waitStatus, waitStill)
	}
	upset, err := tc.empathyWhileWaiting(ctx)
	if err != nil {
		return true, err
	}
	u, ok := parley.Value(tc.t, nlu.UnderstandingKey)
	if ok && u.Status == nlu.Understood && u.Intent.Name != "human" || answersBot(tc.t) {
		return false, nil
	}
	if upset {
		// After the empathy (or without it, said once per wait), where
		// they stand and what they can do.
		return true, tc.waitLine(ctx, waitStatus, waitStill)
	}
	return true, tc.waitLine(ctx, waitStill, waitNoted)
}

// answersBot reports whether t answers the bot's own open question with
// a yes or a no or one of its options ("no" to "Was this helpful?" while
// the customer waits for a person): the bot reads it.
func answersBot(t *parley.Turn) bool {
	q, open := dialog.OpenQuestion(t)
	if !open || q.Owner == owner || len(q.Options) == 0 {
		return false
	}
	if _, ok := parse.YesNo(t.Text()); ok {
		return true
	}
	text := strings.TrimSpace(t.Text())
	for _, o := range q.Options {
		if strings.EqualFold(o.Title, text) || o.Payload != "" && o.Payload == text {
			return true
		}
	}
	return false
}

// relayOrSave passes a message to the agent who owns the conversation,
// or keeps it for later when the desk cannot take it now.
func (tc *turnCtx) relayOrSave(ctx context.Context) error {
	m := tc.t.Message
	tc.flushOutbox(ctx)
	if len(tc.st.Outbox) > 0 || tc.relay(ctx, m) != nil {
		tc.st.Outbox = append(tc.st.Outbox, m)
		if err := tc.setWake(ctx); err != nil {
			return err
		}
		return tc.reply(ctx, parley.Text(tc.msgs().Relayed))
	}
	return nil
}

// pass gives m to the ticket without a word to the customer: relayed
// now, or kept in the outbox (and the wake-up set) while the ticket is
// not submitted yet or the desk fails.
func (tc *turnCtx) pass(ctx context.Context, m parley.Message) error {
	if tc.st.Pending == nil {
		tc.flushOutbox(ctx)
		if len(tc.st.Outbox) == 0 && tc.relay(ctx, m) == nil {
			return nil
		}
	}
	tc.st.Outbox = append(tc.st.Outbox, m)
	return tc.setWake(ctx)
}

// leave takes the customer out of the queue and withdraws the ticket.
func (tc *turnCtx) leave(ctx context.Context) error {
	if tc.st.TicketID != "" && tc.st.Pending == nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tc.e.submitTimeout)
		err := tc.e.desk.Cancel(cctx, tc.st.TicketID, "the customer left the queue and went back to the assistant")
		cancel()
		if err != nil {
			tc.emit(ctx, EventError, err, 0, "what", "cancel")
		}
	}
	tc.emit(ctx, EventLeft, nil, time.Since(tc.st.RequestedAt))
	tc.st.Phase, tc.st.Status, tc.st.Pending, tc.st.Outbox, tc.st.Slots, tc.st.Slot = phaseBot, StatusCancelled, nil, nil, nil, nil
	tc.st.Reason, tc.st.Priority = "", ""
	if err := tc.clearWake(ctx); err != nil {
		return err
	}
	return tc.reply(ctx, parley.Text(tc.msgs().Left))
}

func (tc *turnCtx) retryDue() bool { return !time.Now().Before(tc.st.NextRetry) }

func (tc *turnCtx) timedOut() bool {
	return tc.st.Phase == phaseWaiting && tc.st.Status == StatusQueued && time.Since(tc.st.RequestedAt) >= tc.e.timeout
}

const callbackPrefix = "callback:"

// location is the customer's time zone: the profile's "timezone", else
// the agents' hours' zone.
func (tc *turnCtx) location(ctx context.Context) *time.Location {
	if tz := tc.profile(ctx)["timezone"]; tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return tc.e.hours.loc()
}

func (tc *turnCtx) offerCallback(ctx context.Context, why string) error {
	e := tc.e
	loc := tc.location(ctx)
	tc.st.Slots = e.hours.slots(time.Now(), e.lead, e.slots, loc)
	prev := tc.st.Phase
	tc.st.Phase = phaseCallback
	tc.emit(ctx, EventCallback, nil, 0, "why", why)
	text := tc.msgs().Busy
	if why == "closed" {
		text = tc.msgs().Closed
		if back := e.hours.next(time.Now()); strings.Contains(text, "%s") && !back.IsZero() {
			text = fmt.Sprintf(text, timeLabel(back, loc))
		} else {
			text = strings.ReplaceAll(text, " and back %s", "")
		}
	}
	msg := parley.Message{Text: text}
	for _, s := range tc.st.Slots {
		msg.QuickReplies = append(msg.QuickReplies, parley.QuickReply{Title: timeLabel(s, loc), Payload: callbackPrefix + s.Format(time.RFC3339)})
	}
	if why == "timeout" && prev == phaseWaiting {
		msg.QuickReplies = append(msg.QuickReplies, parley.QuickReply{Title: tc.msgs().KeepWaiting, Payload: callbackPrefix + "wait"})
	}
	msg.QuickReplies = append(msg.QuickReplies, parley.QuickReply{Title: tc.msgs().OtherChannel, Payload: callbackPrefix + "email"})
	if err := tc.clearWake(ctx); err != nil {
		return err
	}
	return tc.reply(ctx, msg)
}

// answerCallback reads the answer to a call-back offer; when it is not
// one the phase says where the conversation went.
func (tc *turnCtx) answerCallback(ctx context.Context, text, cmd string) (bool, error) {
	choice := strings.TrimPrefix(text, callbackPrefix)
	loc := tc.location(ctx)
	for _, s := range tc.st.Slots {
		if choice == s.Format(time.RFC3339) || strings.EqualFold(text, timeLabel(s, loc)) || saysTime(text, s, loc) {
			tc.st.Slots = nil
			if phone := tc.profile(ctx)["phone"]; phone != "" {
				return true, tc.bookCallback(ctx, &s, phone)
			}
			tc.st.Phase, tc.st.Slot, tc.st.PhoneTries = phasePhone, &s, 0
			return true, tc.reply(ctx, parley.Text(tc.msgs().AskPhone))
		}
	}
	queued := tc.st.TicketID != "" && tc.st.Status == StatusQueued
	switch {
	case cmd == "cancel" || cmd == "menu":
		if queued {
			return cmd == "cancel", tc.leave(ctx)
		}
		tc.st.Phase, tc.st.Slots = phaseBot, nil
		return false, nil
	case choice == "email" || strings.EqualFold(text, tc.msgs().OtherChannel):
		return true, tc.bookCallback(ctx, nil, "")
	case queued && (choice == "wait" || strings.EqualFold(text, tc.msgs().KeepWaiting)):
		tc.st.Phase, tc.st.RequestedAt, tc.st.Slots = phaseWaiting, time.Now(), nil
		if err := tc.setWake(ctx); err != nil {
			return true, err
		}
		return true, tc.waitLine(ctx, waitStill, waitNoted)
	}
	tc.st.Slots = nil
	if queued {
		// The ticket is still in the queue: the customer keeps their
		// place.
		tc.st.Phase, tc.st.RequestedAt = phaseWaiting, time.Now()
		if err := tc.setWake(ctx); err != nil {
			return true, err
		}
		return tc.whileWaiting(ctx, cmd)
	}
	tc.st.Phase = phaseBot
	return false, nil
}

// saysTime reports whether text names slot, in the customer's zone loc:
// "3pm", "the 3 o'clock one", "tomorrow at 15:00", "a las 3" (either
// half of the day: slots are in the customer's day). A time without a
// day is the slot's at that hour.
func saysTime(text string, slot time.Time, loc *time.Location) bool {
	now := time.Now().In(loc)
	m, ok := parse.FindMoment(text, now)
	if !ok || !m.Until.IsZero() {
		return false
	}
	day := len(parse.Dates(text, now)) > 0
	s := slot.In(loc)
	for _, t := range []time.Time{m.At, m.PM} {
		if !t.IsZero() && (t.Equal(slot) || !day && t.Hour() == s.Hour() && t.Minute() == s.Minute()) {
			return true
		}
	}
	return false
}

// answerPhone reads the number to call back on.
func (tc *turnCtx) answerPhone(ctx context.Context, text, cmd string) (bool, error) {
	if phone, ok := phoneNumber(text); ok && tc.st.Slot != nil {
		return true, tc.bookCallback(ctx, tc.st.Slot, phone)
	}
	if cmd == "" && tc.st.PhoneTries < 1 {
		tc.st.PhoneTries++
		return true, tc.reply(ctx, parley.Text(tc.msgs().BadPhone))
	}
	tc.st.Phase, tc.st.Slot, tc.st.PhoneTries = phaseBot, nil, 0
	if tc.st.TicketID != "" && tc.st.Status == StatusQueued {
		if err := tc.leave(ctx); err != nil {
			return true, err
		}
		return cmd != "menu", nil
	}
	if cmd == "menu" {
		return false, nil
	}
	return true, tc.reply(ctx, parley.Text(tc.msgs().NoCallback))
}

// phoneNumber reads a phone number: 7 to 15 digits, with the usual
// separators and an optional leading +.
func phoneNumber(s string) (string, bool) {
	s = strings.TrimSpace(s)
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')', r == '.':
		default:
			return "", false
		}
	}
	return s, digits >= 7 && digits <= 15
}

// bookCallback replaces a queued ticket (if any) with a call-back ticket
// for slot and phone, or an email ticket when slot is nil: the team gets
// the conversation either way.
func (tc *turnCtx) bookCallback(ctx context.Context, slot *time.Time, phone string) error {
	e := tc.e
	if tc.st.TicketID != "" && tc.st.Status == StatusQueued {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.submitTimeout)
		err := e.desk.Cancel(cctx, tc.st.TicketID, "replaced by a call-back")
		cancel()
		if err != nil {
			tc.emit(ctx, EventError, err, 0, "what", "cancel")
		}
	}
	tc.st.Seq++
	tk := tc.ticket(ctx, dialog.HandoffRequest{Reason: tc.st.Reason, Priority: tc.st.Priority}, time.Now())
	tk.ID += "-callback"
	confirm := tc.msgs().OtherChannelMsg
	attrs := []string{"slot", "email"}
	if slot != nil {
		s := *slot
		tk.Callback, tk.Phone = &s, phone
		confirm = fmt.Sprintf(tc.msgs().CallbackBooked, timeLabel(s, tc.location(ctx)), phone)
		attrs = []string{"slot", s.Format(time.RFC3339)}
	} else if email := tc.profile(ctx)["email"]; email != "" {
		tk.Data = mergeData(tk.Data, map[string]string{"contact": "email", "email": email})
		confirm = fmt.Sprintf(tc.msgs().OtherChannelTo, email)
	} else {
		tk.Data = mergeData(tk.Data, map[string]string{"contact": "email"})
	}
	tc.st.TicketID, tc.st.Status, tc.st.Slots, tc.st.Slot = tk.ID, StatusRequested, nil, nil
	tc.st.Pending, tc.st.Attempts = &tk, 0
	tc.emit(ctx, EventCallback, nil, 0, attrs...)
	ok := tc.submitPending(ctx)
	tc.st.Phase = phaseBot
	if !ok {
		// Keep retrying in the background of later turns and wake-ups.
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
	tc.st.Phase = phaseBot
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
	tc.emit(ctx, EventFeedback, nil, 0, "rating", fmt.Sprint(rating))
	if rating <= 2 {
		// A detractor: the churn signal. Ask, and say how to get a
		// person again, rather than a bare thank-you.
		return true, tc.reply(ctx, parley.Text(tc.msgs().FeedbackLow))
	}
	return true, tc.reply(ctx, parley.Text(tc.msgs().FeedbackThanks))
}

// signal handles lifecycle turns; other signals go to the bot unless a
// person owns the conversation.
func (tc *turnCtx) signal(ctx context.Context, sig *parley.Signal) (bool, error) {
	id := sig.Data[DataTicket]
	mine := id != "" && id == tc.st.TicketID
	switch sig.Name {
	case SignalAssigned:
		if !mine || !tc.st.humanOwns() {
			return true, nil
		}
		first := tc.st.AssignedAt.IsZero()
		tc.st.Phase, tc.st.Status, tc.st.Agent = phaseAssigned, StatusAssigned, sig.Data[DataAgent]
		if !first {
			return true, nil
		}
		tc.st.AssignedAt = time.Now()
		tc.emit(ctx, EventAssigned, nil, tc.st.AssignedAt.Sub(tc.st.RequestedAt), "agent", tc.st.Agent)
		if err := tc.clearWake(ctx); err != nil {
			return true, err
		}
		name := tc.st.Agent
		if name == "" {
			name = "An agent"
		}
		return true, tc.reply(ctx, parley.Text(fmt.Sprintf(tc.msgs().Assigned, name)))
	case dialog.SignalAgentMessage:
		if !mine || tc.st.Status == StatusResolved || tc.st.Status == StatusCancelled {
			return true, nil
		}
		if tc.st.Phase != phaseAssigned {
			tc.st.Phase, tc.st.Status = phaseAssigned, StatusAssigned
			if tc.st.AssignedAt.IsZero() {
				tc.st.AssignedAt = time.Now()
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
	case dialog.SignalHandoffResolved:
		if !mine || tc.st.Status == StatusResolved || tc.st.Status == StatusCancelled {
			return true, nil
		}
		tc.emit(ctx, EventResolved, nil, time.Since(tc.st.RequestedAt), "agent", tc.st.Agent)
		tc.st.Phase, tc.st.Status = phaseFeedback, StatusResolved
		tc.st.NotUnderstood, tc.st.Pending, tc.st.Outbox = 0, nil, nil
		tc.resolved()
		if err := tc.clearWake(ctx); err != nil {
			return true, err
		}
		qr := make([]parley.QuickReply, 5)
		for i := range qr {
			qr[i] = parley.QuickReply{Title: fmt.Sprint(i + 1)}
		}
		return true, tc.reply(ctx, parley.Message{Text: tc.msgs().Resolved, QuickReplies: qr})
	case signalTick:
		return true, tc.tick(ctx)
	}
	return tc.st.Phase == phaseAssigned, nil
}

func (tc *turnCtx) tick(ctx context.Context) error {
	if tc.st.Pending != nil && tc.retryDue() {
		if tc.submitPending(ctx) && tc.st.Phase == phaseWaiting {
			tc.st.WaitSaid = "" // the last thing said is Queued
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
	if tc.st.Pending == nil && len(tc.st.Outbox) == 0 && tc.st.Phase != phaseWaiting {
		return tc.clearWake(ctx)
	}
	return tc.setWake(ctx)
}

// heldReplies keeps a turn's replies until the escalator knows whether
// they go out. It offers no optional capabilities: a streamed reply is
// collected into one message.
type heldReplies struct{ msgs []parley.Message }

// Reply implements [parley.ReplyWriter].
func (h *heldReplies) Reply(_ context.Context, m parley.Message) error {
	h.msgs = append(h.msgs, m)
	return nil
}

// send writes the held replies to w, in order; a nil h sends nothing.
func (h *heldReplies) send(ctx context.Context, w parley.ReplyWriter) error {
	if h == nil {
		return nil
	}
	msgs := h.msgs
	h.msgs = nil
	for _, m := range msgs {
		if err := w.Reply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// HumanOwns reports whether a person owns t's conversation, or the
// customer is waiting for one. Proactive messages wait meanwhile: pass it
// to proactive.WithBusy.
func HumanOwns(t *parley.Turn) bool {
	s := t.Session()
	if s == nil {
		return false
	}
	st, _, err := stateKey.Get(s)
	return err == nil && st.humanOwns()
}
