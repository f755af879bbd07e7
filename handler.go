package parley

import (
	"context"
	"iter"
	"strings"
)

// A Handler responds to a [Turn] by writing replies to w. Returning ends the
// turn; w must not be used afterwards. A returned error is handled once, by
// the [Bot]: it sends the fallback reply and reports the error as an event.
//
// The Bot runs the turns of one conversation in order and different
// conversations concurrently, so a Handler must be safe for concurrent use
// across conversations.
type Handler interface {
	HandleTurn(ctx context.Context, w ReplyWriter, t *Turn) error
}

// HandlerFunc adapts a function to a [Handler].
type HandlerFunc func(ctx context.Context, w ReplyWriter, t *Turn) error

// HandleTurn calls f(ctx, w, t).
func (f HandlerFunc) HandleTurn(ctx context.Context, w ReplyWriter, t *Turn) error {
	return f(ctx, w, t)
}

// Middleware wraps a [Handler] with behaviour before or after it:
// classification, sentiment, escalation, logging.
type Middleware func(Handler) Handler

// Chain returns h wrapped in mws, the first outermost: Chain(h, a, b)
// runs a, then b, then h.
func Chain(h Handler, mws ...Middleware) Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// A ReplyWriter sends messages back to the user on the turn's channel.
// Optional capabilities are separate interfaces, found by type assertion:
// [Typer], [ReadMarker], [Streamer].
type ReplyWriter interface {
	Reply(ctx context.Context, m Message) error
}

// ReplyFunc adapts a function to a [ReplyWriter].
type ReplyFunc func(ctx context.Context, m Message) error

// Reply calls f(ctx, m).
func (f ReplyFunc) Reply(ctx context.Context, m Message) error { return f(ctx, m) }

// A Typer can show a typing indicator until the next reply.
type Typer interface {
	Typing(ctx context.Context) error
}

// A ReadMarker can mark the inbound message as read.
type ReadMarker interface {
	MarkRead(ctx context.Context, messageID string) error
}

// A Streamer can send a reply as it is generated, for example from an LLM.
// StreamReply reads text deltas from chunks until it ends or yields an
// error, and returns the first error.
type Streamer interface {
	StreamReply(ctx context.Context, chunks iter.Seq2[string, error]) error
}

// Typing shows a typing indicator if w supports it, and does nothing
// otherwise.
func Typing(ctx context.Context, w ReplyWriter) error {
	if t, ok := w.(Typer); ok {
		return t.Typing(ctx)
	}
	return nil
}

// Stream sends chunks as a streamed reply if w is a [Streamer]; otherwise it
// collects them and sends one message. If the stream fails half-way on a
// non-streaming writer, nothing is sent and the error is returned, so the
// caller can fall back without a half reply.
func Stream(ctx context.Context, w ReplyWriter, chunks iter.Seq2[string, error]) error {
	if s, ok := w.(Streamer); ok {
		return s.StreamReply(ctx, chunks)
	}
	var b strings.Builder
	for c, err := range chunks {
		if err != nil {
			return err
		}
		b.WriteString(c)
	}
	return w.Reply(ctx, Text(b.String()))
}
