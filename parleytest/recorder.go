package parleytest

import (
	"context"
	"iter"
	"slices"
	"strings"
	"sync"

	"github.com/parleyhq/parley"
)

// A Recorder is a [parley.ReplyWriter] that records what a handler sends,
// as httptest.ResponseRecorder records an HTTP response. It has every
// optional capability: it counts typing indicators ([parley.Typer]),
// records read receipts ([parley.ReadMarker]) and collects streamed
// replies ([parley.Streamer]) into one message each. To test a handler on
// a channel without them, hand it parley.ReplyFunc(rec.Reply).
//
// A Recorder is safe for concurrent use.
type Recorder struct {
	mu       sync.Mutex
	messages []parley.Message
	typing   int
	read     []string
	streams  int
}

var (
	_ parley.ReplyWriter = (*Recorder)(nil)
	_ parley.Typer       = (*Recorder)(nil)
	_ parley.ReadMarker  = (*Recorder)(nil)
	_ parley.Streamer    = (*Recorder)(nil)
)

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Reply records m.
func (r *Recorder) Reply(_ context.Context, m parley.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages = append(r.messages, m)
	return nil
}

// Typing counts a typing indicator.
func (r *Recorder) Typing(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.typing++
	return nil
}

// MarkRead records a read receipt for messageID.
func (r *Recorder) MarkRead(_ context.Context, messageID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.read = append(r.read, messageID)
	return nil
}

// StreamReply collects chunks into one recorded message. If the stream
// yields an error, nothing is recorded and the error is returned, as a
// channel that cannot take back a half-sent reply would report it.
func (r *Recorder) StreamReply(_ context.Context, chunks iter.Seq2[string, error]) error {
	var b strings.Builder
	for c, err := range chunks {
		if err != nil {
			return err
		}
		b.WriteString(c)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages = append(r.messages, parley.Text(b.String()))
	r.streams++
	return nil
}

// Messages returns the recorded messages, oldest first.
func (r *Recorder) Messages() []parley.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.messages)
}

// Texts returns the text of each recorded message, oldest first.
func (r *Recorder) Texts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.messages))
	for i, m := range r.messages {
		out[i] = m.Text
	}
	return out
}

// Typed returns how many typing indicators were shown.
func (r *Recorder) Typed() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.typing
}

// Read returns the message IDs marked as read, oldest first.
func (r *Recorder) Read() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.read)
}

// Streamed returns how many of the recorded messages were streamed.
func (r *Recorder) Streamed() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.streams
}

// Reset forgets everything recorded.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages, r.typing, r.read, r.streams = nil, 0, nil, 0
}
