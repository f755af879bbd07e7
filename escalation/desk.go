package escalation

import (
	"context"
	"errors"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// Errors returned by desks.
var (
	// ErrUnknownTicket is returned for a ticket ID the desk does not have.
	ErrUnknownTicket = errors.New("escalation: unknown ticket")
	// ErrClosedTicket is returned when relaying to a resolved or
	// cancelled ticket.
	ErrClosedTicket = errors.New("escalation: ticket is closed")
	// ErrDeskUnavailable reports a desk that cannot take requests now
	// (down, overloaded, rejecting); the escalator queues and retries.
	ErrDeskUnavailable = errors.New("escalation: desk unavailable")
)

// Status is where a hand-off is in its lifecycle.
type Status string

// Hand-off statuses, in lifecycle order.
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
	// StatusCancelled: withdrawn (timeout, callback, user left).
	StatusCancelled Status = "cancelled"
)

// Trend is the sentiment history the agent sees.
type Trend struct {
	// Score is the last turn's score (0-1), Smoothed the conversation's
	// trend, Min the lowest and Change the change since the start.
	Score    float64   `json:"score"`
	Smoothed float64   `json:"smoothed"`
	Min      float64   `json:"min"`
	Change   float64   `json:"change"`
	Label    string    `json:"label,omitempty"`
	Scores   []float64 `json:"scores,omitempty"`
	Emotions struct {
		Frustration float64 `json:"frustration"`
		Confusion   float64 `json:"confusion"`
		Urgency     float64 `json:"urgency"`
	} `json:"emotions"`
}

// A Ticket is the hand-off package for the agent: everything needed to
// take over without asking the customer to repeat themselves.
type Ticket struct {
	// ID identifies the hand-off; it is the idempotency key: submitting
	// the same ID twice never creates a second ticket.
	ID             string          `json:"id"`
	ConversationID string          `json:"conversation_id"`
	CustomerID     string          `json:"customer_id,omitempty"`
	Channel        string          `json:"channel,omitempty"`
	Locale         string          `json:"locale,omitempty"`
	Reason         string          `json:"reason"`
	Priority       parley.Priority `json:"priority"`
	Note           string          `json:"note,omitempty"`
	// Data holds flow slots and other facts.
	Data map[string]string `json:"data,omitempty"`
	// Profile holds the customer's attributes.
	Profile map[string]string `json:"profile,omitempty"`
	// Transcript is the recent conversation, oldest first.
	Transcript []memory.Entry `json:"transcript,omitempty"`
	// Intents and Entities detected during the conversation, most recent
	// first, without duplicates.
	Intents  []parley.Intent `json:"intents,omitempty"`
	Entities []parley.Entity `json:"entities,omitempty"`
	// Sentiment is the sentiment trend.
	Sentiment Trend `json:"sentiment"`
	// Summary is a short account of the issue; SuggestedReply a first
	// message the agent may send.
	Summary        string `json:"summary"`
	SuggestedReply string `json:"suggested_reply"`
	// Callback is set when the customer chose a call-back slot instead
	// of waiting.
	Callback *time.Time `json:"callback,omitempty"`
	Created  time.Time  `json:"created"`
}

// A Desk is where human agents work: a help-desk, a shared inbox, a chat
// console. The escalator submits tickets to it and relays the customer's
// messages while an agent owns the conversation. The agent's side comes
// back as turns delivered through a [Deliverer]: [SignalAssigned],
// [parley.SignalAgentMessage] and [parley.SignalHandoffResolved].
//
// Implementations must be safe for concurrent use. Submit must be
// idempotent on [Ticket.ID]. Errors: [ErrUnknownTicket], [ErrClosedTicket],
// [ErrDeskUnavailable] (wrapped) when the desk is down or refuses, ctx's
// error when it ends.
type Desk interface {
	// Submit queues a ticket for the agents.
	Submit(ctx context.Context, t Ticket) error
	// Relay passes a customer's message to the agent of ticket id.
	Relay(ctx context.Context, id string, m parley.Message) error
	// Cancel withdraws ticket id with a reason; cancelling a closed
	// ticket is not an error.
	Cancel(ctx context.Context, id, reason string) error
}

// An AgentCounter is a [Desk] that knows how many agents can take a
// ticket now. The escalator offers a call-back instead of queueing when
// there are none.
type AgentCounter interface {
	AgentsAvailable(ctx context.Context) (int, error)
}

// A Deliverer injects a lifecycle turn (an agent message, an assignment,
// a resolution, a timer) into a conversation. The application wires it
// to its [parley.Bot] and the conversation's channel, for example:
//
//	deliver := escalation.DeliverFunc(func(ctx context.Context, t *parley.Turn) error {
//		return bot.HandleTurn(ctx, web.Writer(t.ConversationID), t)
//	})
//
// Implementations must be safe for concurrent use.
type Deliverer interface {
	Deliver(ctx context.Context, t *parley.Turn) error
}

// DeliverFunc adapts a function to a [Deliverer].
type DeliverFunc func(ctx context.Context, t *parley.Turn) error

// Deliver calls f(ctx, t).
func (f DeliverFunc) Deliver(ctx context.Context, t *parley.Turn) error { return f(ctx, t) }

// Signal names of the escalation lifecycle, besides the core's
// [parley.SignalAgentMessage] and [parley.SignalHandoffResolved].
const (
	// SignalAssigned tells the conversation an agent took the ticket;
	// Data["agent"] names the agent.
	SignalAssigned = "handoff.assigned"
	// SignalTick wakes a waiting conversation so that the escalator can
	// retry a submission or notice a timeout. [Escalator.Run] sends it.
	SignalTick = "handoff.tick"
)

// Signal data keys.
const (
	DataTicket = "ticket"
	DataAgent  = "agent"
	DataText   = "text"
)

// LifecycleTurn builds the turn a desk delivers for a lifecycle signal of
// ticket t.
func LifecycleTurn(t Ticket, signal string, data map[string]string) *parley.Turn {
	d := map[string]string{DataTicket: t.ID}
	for k, v := range data {
		d[k] = v
	}
	return &parley.Turn{ConversationID: t.ConversationID, CustomerID: t.CustomerID, Channel: t.Channel,
		Locale: t.Locale, Signal: &parley.Signal{Name: signal, Data: d}}
}
