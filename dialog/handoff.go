package dialog

import (
	"context"

	"github.com/parleyhq/parley"
)

// Priority orders hand-offs in an agent queue.
type Priority string

// Hand-off priorities.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// A HandoffRequest asks for a human to take over a conversation.
type HandoffRequest struct {
	// Reason says why, in words an agent reads ("asked for a human",
	// "refund over $100", "frustrated").
	Reason string `json:"reason"`
	// Priority of the request; empty means normal.
	Priority Priority `json:"priority,omitempty"`
	// Note is extra context from the flow or rule that asked.
	Note string `json:"note,omitempty"`
	// Data holds flow slots or other facts the agent should see.
	Data map[string]string `json:"data,omitempty"`
}

// A HandOffer is how a handler asks for a person for the customer: flows
// call it from hand-off nodes, routers for the "human" command. The
// escalation package implements it, and it alone decides: when the
// customer asked for a person it hands off, otherwise it offers one and
// the customer chooses. HandOff tells the customer what happens next
// through w and returns once the request is recorded (not when an agent
// answers).
type HandOffer interface {
	HandOff(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, r HandoffRequest) error
}

// HandOfferFunc adapts a function to a [HandOffer].
type HandOfferFunc func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, r HandoffRequest) error

// HandOff calls f(ctx, w, t, r).
func (f HandOfferFunc) HandOff(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, r HandoffRequest) error {
	return f(ctx, w, t, r)
}

// Signal names the Bot and packages use for hand-off lifecycle turns.
const (
	// SignalAgentMessage carries an agent's message (Data["text"]) to the
	// user while a human owns the conversation.
	SignalAgentMessage = "handoff.agent_message"
	// SignalHandoffResolved tells the bot a human resolved the
	// conversation and handed it back.
	SignalHandoffResolved = "handoff.resolved"
)
