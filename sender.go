package parley

import (
	"context"
	"errors"
)

// ErrNoSender is the cause reported when a reply cannot be delivered
// because the Bot has no [Sender] for the conversation's channel (see
// [WithSender]). The reply stays in the conversation's outbox.
var ErrNoSender = errors.New("parley: no sender for the channel")

// An Address says where a conversation's messages go.
type Address struct {
	// Channel names the channel ("whatsapp", "web").
	Channel string `json:"channel"`
	// ConversationID identifies the conversation.
	ConversationID string `json:"conversation"`
	// CustomerID identifies the customer, if known.
	CustomerID string `json:"customer,omitempty"`
	// Recipient is the platform's address of the customer: a phone
	// number, a chat ID, an e-mail address. Channel adapters set it on the
	// turns they accept ([Turn.Recipient]) and read it when sending.
	Recipient string `json:"recipient,omitempty"`
}

// AddressOf returns the address replies to t go to.
func AddressOf(t *Turn) Address {
	return Address{Channel: t.Channel, ConversationID: t.ConversationID, CustomerID: t.CustomerID, Recipient: t.Recipient}
}

// A Sender delivers messages to a conversation outside a request: the
// replies to turns accepted with [Bot.Enqueue], the outbox re-sent after a
// restart, agents' and proactive messages. Channel adapters implement it.
//
// Every message the Bot sends has a [Message.ID] that is the same when the
// message is sent again (after a crash, say): a Sender passes it to the
// platform as an idempotency key where the platform has one, so that a
// re-send is not shown twice.
//
// Send must be safe for concurrent use. An error means the message may not
// have been delivered: the Bot keeps it in the outbox and tries again.
type Sender interface {
	Send(ctx context.Context, to Address, m Message) error
}

// SenderFunc adapts a function to a [Sender].
type SenderFunc func(ctx context.Context, to Address, m Message) error

// Send calls f(ctx, to, m).
func (f SenderFunc) Send(ctx context.Context, to Address, m Message) error { return f(ctx, to, m) }

// senderWriter gives the writer of an enqueued turn the typing indicator
// and read receipts of its channel's [Sender], where the Sender has them
// (a method Typing(ctx, to, inboundMessageID) or MarkRead(ctx, to,
// messageID), as channel adapters do); [ErrNotSupported] otherwise.
type senderWriter struct {
	s       Sender
	to      Address
	inbound string
}

// Reply is never the way out for an enqueued turn's replies: the Bot
// records them and sends them once the turn is saved.
func (w senderWriter) Reply(context.Context, Message) error {
	return errors.New("parley: an enqueued turn replies through the writer its handler was given")
}

// Typing implements [Typer].
func (w senderWriter) Typing(ctx context.Context) error {
	if t, ok := w.s.(interface {
		Typing(ctx context.Context, to Address, inbound string) error
	}); ok {
		return t.Typing(ctx, w.to, w.inbound)
	}
	return ErrNotSupported
}

// MarkRead implements [ReadMarker].
func (w senderWriter) MarkRead(ctx context.Context, messageID string) error {
	if m, ok := w.s.(interface {
		MarkRead(ctx context.Context, to Address, messageID string) error
	}); ok {
		return m.MarkRead(ctx, w.to, messageID)
	}
	return ErrNotSupported
}
