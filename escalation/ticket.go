package escalation

import (
	"context"
	"errors"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// Errors returned by desks.
var (
	// ErrUnknownTicket is returned for a ticket ID the desk does not have.
	ErrUnknownTicket = errors.New("escalation: unknown ticket")
	// ErrClosedTicket is returned when relaying to a resolved or
	// cancelled ticket.
	ErrClosedTicket = errors.New("escalation: ticket is closed")
	// ErrDeskUnavailable reports a desk that cannot take requests now
	// (down, overloaded, rejecting); the escalator keeps the ticket and
	// retries.
	ErrDeskUnavailable = errors.New("escalation: desk unavailable")
)

// Status is where a ticket is in its lifecycle.
type Status string

// Ticket statuses, in lifecycle order.
const (
	// StatusRequested: the escalator built the ticket but the desk has
	// not accepted it yet (it is retried).
	StatusRequested Status = "requested"
	// StatusQueued: the desk accepted it; no agent yet.
	StatusQueued Status = "queued"
	// StatusAssigned: an agent took it and owns the conversation.
	StatusAssigned Status = "assigned"
	// StatusResolved: the agent handed the conversation back.
	StatusResolved Status = "resolved"
	// StatusCancelled: withdrawn (the customer went back to the
	// assistant, chose a call-back, or the queue timed out).
	StatusCancelled Status = "cancelled"
)

// A Ticket is what an agent gets: everything needed to take over without
// asking the customer to repeat themselves.
type Ticket struct {
	// ID identifies the hand-off; it is the idempotency key: submitting
	// the same ID twice never creates a second ticket.
	ID             string          `json:"id"`
	ConversationID string          `json:"conversation_id"`
	CustomerID     string          `json:"customer_id,omitempty"`
	Channel        string          `json:"channel,omitempty"`
	Locale         string          `json:"locale,omitempty"`
	Reason         string          `json:"reason"`
	Priority       dialog.Priority `json:"priority"`
	Note           string          `json:"note,omitempty"`
	// Summary says what the customer wants, in their own words, and how
	// they feel as measured; see [Summary].
	Summary string `json:"summary"`
	// SuggestedReply is a first message the agent may send.
	SuggestedReply string `json:"suggested_reply"`
	// Mood is the customer's mood as the sentiment middleware last
	// measured it: on the last turn, or on the latest turn it measured
	// when the last one was not (a bare "human"); zero when it measured
	// none. Scores are the sentiment scores of the conversation, oldest
	// first, and Frustration the highest frustration measured in it.
	Mood        nlu.Mood  `json:"mood"`
	Scores      []float64 `json:"scores,omitempty"`
	Frustration float64   `json:"frustration,omitempty"`
	// Data holds flow slots and other facts.
	Data map[string]string `json:"data,omitempty"`
	// Profile holds the customer's attributes.
	Profile map[string]string `json:"profile,omitempty"`
	// Transcript is the recent conversation, oldest first.
	Transcript []memory.Entry `json:"transcript,omitempty"`
	// Intents and Entities detected during the conversation, most recent
	// first, without duplicates.
	Intents  []nlu.Intent `json:"intents,omitempty"`
	Entities []nlu.Entity `json:"entities,omitempty"`
	// Callback is set when the customer chose a call-back instead of
	// waiting, with the number to call in Phone; a call-back with no
	// time (Callback nil, Phone empty) asks for an email reply.
	Callback *time.Time `json:"callback,omitempty"`
	Phone    string     `json:"phone,omitempty"`
	Created  time.Time  `json:"created"`
}

// A Desk is where human agents work: a help-desk, a shared inbox, a chat
// console. The escalator submits tickets to it and relays the customer's
// messages while an agent owns the conversation. The agents' side comes
// back as turns delivered through a [Deliverer] (see [LifecycleTurn]):
// [SignalAssigned], [dialog.SignalAgentMessage] and
// [dialog.SignalHandoffResolved].
//
// Implementations must be safe for concurrent use. Submit must be
// idempotent on [Ticket.ID]. Errors: [ErrUnknownTicket], [ErrClosedTicket],
// [ErrDeskUnavailable] (wrapped) when the desk is down or refuses, ctx's
// error when it ends. escalationtest.Run checks an implementation.
type Desk interface {
	// Submit queues a ticket for the agents.
	Submit(ctx context.Context, t Ticket) error
	// Relay passes a customer's message to the agent of ticket id.
	Relay(ctx context.Context, id string, m parley.Message) error
	// Cancel withdraws ticket id with a reason the agents read;
	// cancelling a closed ticket is not an error.
	Cancel(ctx context.Context, id, reason string) error
}

// An AgentCounter is a [Desk] that knows how many agents can take a
// ticket now. The escalator offers a call-back instead of queueing when
// there are none.
type AgentCounter interface {
	AgentsAvailable(ctx context.Context) (int, error)
}

// A Deliverer runs a turn that does not come from a channel (an agent's
// message, an assignment, a resolution, a wake-up) in its conversation,
// through the application's [parley.Bot] so that it is ordered with the
// customer's own turns.
//
// Implementations must be safe for concurrent use.
type Deliverer interface {
	Deliver(ctx context.Context, t *parley.Turn) error
}

// DeliverFunc adapts a function to a [Deliverer].
type DeliverFunc func(ctx context.Context, t *parley.Turn) error

// Deliver calls f(ctx, t).
func (f DeliverFunc) Deliver(ctx context.Context, t *parley.Turn) error { return f(ctx, t) }

// SignalAssigned tells the conversation an agent took the ticket;
// Data[DataAgent] names the agent. The other lifecycle signals are the
// core's [dialog.SignalAgentMessage] and [dialog.SignalHandoffResolved].
const SignalAssigned = "handoff.assigned"

// signalTick wakes a waiting conversation so that the escalator can retry
// a submission or notice a time-out; [Escalator.Run] sends it.
const signalTick = "handoff.tick"

// Keys of lifecycle signal data.
const (
	DataTicket = "ticket" // the ticket ID
	DataAgent  = "agent"  // the agent's name
	DataText   = "text"   // an agent's message
)

// LifecycleTurn builds the turn a desk delivers for lifecycle signal
// name of ticket t, with data added to the ticket ID.
func LifecycleTurn(t Ticket, name string, data map[string]string) *parley.Turn {
	d := map[string]string{DataTicket: t.ID}
	for k, v := range data {
		d[k] = v
	}
	return &parley.Turn{ConversationID: t.ConversationID, CustomerID: t.CustomerID, Channel: t.Channel,
		Locale: t.Locale, Signal: &parley.Signal{Name: name, Data: d}}
}
