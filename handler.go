package parley

import (
	"context"
	"errors"
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
//
// Optional capabilities are separate interfaces: [Typer], [ReadMarker],
// [Streamer]. Use them through the package functions [Typing], [MarkRead]
// and [Stream], which look through wrappers, rather than by type assertion.
// A wrapper (a middleware's writer that records or rewrites replies)
// implements Reply and, as [http.ResponseController] expects of response
// writers, an Unwrap method returning the writer it wraps:
//
//	func (w *myWriter) Unwrap() parley.ReplyWriter { return w.next }
//
// It implements a capability itself only if it must intercept it, and then
// by calling the package function on the writer it wraps, so that it never
// claims what the channel cannot do.
type ReplyWriter interface {
	Reply(ctx context.Context, m Message) error
}

// ErrNotSupported is returned by [Typing] and [MarkRead] when the channel
// behind a [ReplyWriter] lacks the capability. Callers usually ignore it:
//
//	if err := parley.Typing(ctx, w); err != nil && !errors.Is(err, parley.ErrNotSupported) {
//		return err
//	}
var ErrNotSupported = errors.New("parley: not supported by the channel")

// ReplyFunc adapts a function to a [ReplyWriter].
type ReplyFunc func(ctx context.Context, m Message) error

// Reply calls f(ctx, m).
func (f ReplyFunc) Reply(ctx context.Context, m Message) error { return f(ctx, m) }

// A Typer can show a typing indicator until the next reply.
type Typer interface {
	Typing(ctx context.Context) error
}

// A ReadMarker can mark an inbound message as read.
type ReadMarker interface {
	MarkRead(ctx context.Context, messageID string) error
}

// A Streamer can send a reply as it is generated, for example from an LLM.
// StreamReply reads text deltas from chunks until it ends or yields an
// error, and returns the first error.
type Streamer interface {
	StreamReply(ctx context.Context, chunks iter.Seq2[string, error]) error
}

// find returns the first writer in w's Unwrap chain that is a T.
func find[T any](w ReplyWriter) (T, bool) {
	for range 100 { // a bound, in case a wrapper unwraps to itself
		if c, ok := w.(T); ok {
			return c, true
		}
		u, ok := w.(interface{ Unwrap() ReplyWriter })
		if !ok {
			break
		}
		if w = u.Unwrap(); w == nil {
			break
		}
	}
	var zero T
	return zero, false
}

// Typing shows a typing indicator on w's channel until the next reply. It
// looks for a [Typer] in w and the writers it wraps (through their Unwrap
// methods) and returns [ErrNotSupported] if there is none.
func Typing(ctx context.Context, w ReplyWriter) error {
	if t, ok := find[Typer](w); ok {
		return t.Typing(ctx)
	}
	return ErrNotSupported
}

// MarkRead marks the inbound message with the platform's ID messageID as
// read (WhatsApp's blue ticks). It looks for a [ReadMarker] in w and the
// writers it wraps and returns [ErrNotSupported] if there is none.
func MarkRead(ctx context.Context, w ReplyWriter, messageID string) error {
	if m, ok := find[ReadMarker](w); ok {
		return m.MarkRead(ctx, messageID)
	}
	return ErrNotSupported
}

// Stream sends chunks as a streamed reply through the first [Streamer] in
// w and the writers it wraps. Where the channel cannot stream, it collects
// the chunks and sends them as one message with w.Reply, so a caller never
// needs a second code path; if the stream fails half-way, nothing is sent
// and the error is returned, so the caller can fall back without a half
// reply. Unlike [Typing], it therefore never returns [ErrNotSupported].
func Stream(ctx context.Context, w ReplyWriter, chunks iter.Seq2[string, error]) error {
	if s, ok := find[Streamer](w); ok {
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
