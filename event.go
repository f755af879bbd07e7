package parley

import (
	"context"
	"time"
)

// EventKind names an observable event. Packages define their own kinds with
// their package name as prefix ("flow.node", "escalation.requested").
type EventKind string

// Event kinds emitted by the [Bot].
const (
	// EventTurn is emitted when a turn ends, successfully or not;
	// Duration is the response time from arrival to the end of the turn.
	// A turn the customer did not send (a page event, a timer, a
	// campaign step, a staff signal) has Attrs "signal", the signal's
	// name, so that a page visit is not taken for a conversation; a
	// signal carrying the customer's text (a button's) is their turn and
	// has none.
	EventTurn EventKind = "turn"
	// EventTurnError is emitted when a handler returns an error, panics or
	// misses its deadline; Err holds the cause and the user got the
	// fallback reply.
	EventTurnError EventKind = "turn.error"
	// EventDuplicate is emitted when a redelivered message is dropped.
	EventDuplicate EventKind = "turn.duplicate"
	// EventReply is emitted for every reply sent.
	EventReply EventKind = "reply"
	// EventInputRejected is emitted when inbound input is rejected (too
	// large, no conversation ID).
	EventInputRejected EventKind = "input.rejected"
)

// An Event is something observable that happened in a conversation, for
// logging, metrics and analytics.
type Event struct {
	Kind           EventKind
	Time           time.Time
	ConversationID string
	CustomerID     string
	Channel        string
	MessageID      string
	// Duration is the response time for [EventTurn].
	Duration time.Duration
	// Err is the cause for error events.
	Err error
	// Attrs holds kind-specific details, such as the node of a flow or the
	// reason of an escalation.
	Attrs map[string]string
}

func (e *Event) fill(t *Turn) {
	if e.ConversationID == "" {
		e.ConversationID = t.ConversationID
	}
	if e.CustomerID == "" {
		e.CustomerID = t.CustomerID
	}
	if e.Channel == "" {
		e.Channel = t.Channel
	}
	if e.MessageID == "" {
		e.MessageID = t.MessageID
	}
}

// An Observer receives events. Observe is called synchronously on the turn's
// goroutine, so it must be fast and must not block; it must be safe for
// concurrent use.
type Observer interface {
	Observe(ctx context.Context, e Event)
}

// ObserverFunc adapts a function to an [Observer].
type ObserverFunc func(ctx context.Context, e Event)

// Observe calls f(ctx, e).
func (f ObserverFunc) Observe(ctx context.Context, e Event) { f(ctx, e) }
