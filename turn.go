package parley

import (
	"context"
	"strings"
	"time"

	"github.com/parleyhq/parley/memory"
)

// A Turn is one inbound event in a conversation: a user message, a button
// tap, or an event such as a page view or a timer. It is the central value
// of Parley, as *http.Request is of net/http.
//
// Packages attach typed annotations (the intent, entities, sentiment) with
// [With], which returns a derived Turn, and read them with [Value]. A Turn
// and its derivations share one [memory.Session]; the Bot saves it when the
// turn ends.
//
// A Turn is not safe for concurrent mutation; derive instead of mutating.
type Turn struct {
	// ConversationID identifies the conversation; turns of one
	// conversation are handled strictly in order. Required.
	ConversationID string
	// CustomerID identifies the customer across channels, if known.
	CustomerID string
	// Channel names the channel the turn came from ("web", "whatsapp").
	Channel string
	// MessageID is the channel's ID of the inbound message. The Bot drops
	// a turn whose MessageID it has already handled in this conversation.
	MessageID string
	// Time is when the message was sent; the Bot sets it if zero.
	Time time.Time
	// Recipient is the platform's address of the customer (a phone
	// number, a chat ID), set by the channel adapter; the channel's
	// [Sender] reads it from the turn's [Address].
	Recipient string
	// Locale is a BCP 47 tag such as "es-MX"; empty means unknown.
	Locale string
	// Message is the inbound message.
	Message Message
	// Signal is set for non-message turns: page behaviour, timers,
	// hand-off updates. Message is then usually empty.
	Signal *Signal

	ann     *annotation
	session *memory.Session
	emit    func(context.Context, Event)
	run     *recorder // the Bot's recorder of the turn, for AfterTurn
}

// A Signal is a non-message input to a conversation: "viewed product page
// 3 times", "idle on checkout", a timer firing, an agent resolving a
// hand-off.
type Signal struct {
	// Name identifies the signal, for example "page.idle".
	Name string `json:"name"`
	// Data holds its parameters.
	Data map[string]string `json:"data,omitempty"`
}

// fromCustomer reports whether the customer sent t: a message, or a
// signal that carries their text. Timers, campaign steps and staff
// signals are not.
func (t *Turn) fromCustomer() bool {
	return t.Signal == nil || strings.TrimSpace(t.Message.Text) != ""
}

// Text returns the inbound text.
func (t *Turn) Text() string { return t.Message.Text }

// Session returns the conversation's session, loaded by the Bot, or nil
// when the turn is handled outside a Bot. It belongs to the turn: once
// the turn has ended the Bot gives it to the session cache and reuses its
// memory (see [memory.Sessions.SaveAndRelease]), so copy what must
// outlive the turn, such as its History, and never change the session
// after the turn.
func (t *Turn) Session() *memory.Session { return t.session }

// WithSession returns a shallow copy of t that uses s. Test kits and custom
// runtimes use it; the Bot sets it for you.
func (t *Turn) WithSession(s *memory.Session) *Turn {
	t2 := *t
	t2.session = s
	return &t2
}

// Emit reports an event to the Bot's [Observer], filling in the turn's
// conversation, customer, channel and message IDs and the time. Outside a
// Bot it does nothing.
func (t *Turn) Emit(ctx context.Context, e Event) {
	if t.emit == nil {
		return
	}
	e.fill(t)
	t.emit(ctx, e)
}

// Observed reports whether [Turn.Emit] goes anywhere. Code that builds
// costly event attributes can skip the work when it does not.
func (t *Turn) Observed() bool { return t.emit != nil }

// A Key names a typed annotation of a [Turn]. Create one per annotation,
// as a package-level value in the package that owns it:
//
//	var AnswerKey = parley.NewKey[kb.Answer]("kb.answer") // as kbbot does
//
// Keys compare by identity, so two packages never collide.
type Key[T any] struct{ name string }

// NewKey returns a new annotation key; name is for debugging.
func NewKey[T any](name string) *Key[T] { return &Key[T]{name: name} }

// String returns the key's name.
func (k *Key[T]) String() string { return k.name }

type annotation struct {
	key  any
	val  any
	next *annotation
}

// With returns a copy of t annotated with v under k. The original is not
// changed, as with [http.Request.WithContext]. Annotating is O(1); reading
// is linear in the number of annotations, which is small.
func With[T any](t *Turn, k *Key[T], v T) *Turn {
	t2 := *t
	t2.ann = &annotation{key: k, val: v, next: t.ann}
	return &t2
}

// Value returns the annotation stored under k, if any.
func Value[T any](t *Turn, k *Key[T]) (T, bool) {
	for a := t.ann; a != nil; a = a.next {
		if a.key == any(k) {
			return a.val.(T), true
		}
	}
	var zero T
	return zero, false
}
