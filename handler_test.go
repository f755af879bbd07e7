package parley_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

// capable is a channel writer with every optional capability.
type capable struct {
	sink
	typing  int
	read    []string
	streams []string
}

func (c *capable) Typing(context.Context) error { c.typing++; return nil }

func (c *capable) MarkRead(_ context.Context, id string) error {
	c.read = append(c.read, id)
	return nil
}

func (c *capable) StreamReply(_ context.Context, chunks iter.Seq2[string, error]) error {
	s := ""
	for c, err := range chunks {
		if err != nil {
			return err
		}
		s += c
	}
	c.streams = append(c.streams, s)
	return nil
}

// wrapper is a middleware's writer: it counts replies and unwraps.
type wrapper struct {
	next    parley.ReplyWriter
	replies int
}

func (w *wrapper) Reply(ctx context.Context, m parley.Message) error {
	w.replies++
	return w.next.Reply(ctx, m)
}

func (w *wrapper) Unwrap() parley.ReplyWriter { return w.next }

func chunksOf(parts ...string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for _, p := range parts {
			if !yield(p, nil) {
				return
			}
		}
	}
}

func TestCapabilitiesWalkUnwrap(t *testing.T) {
	ctx := context.Background()
	ch := &capable{}
	w := &wrapper{next: &wrapper{next: ch}}

	require.NoError(t, parley.Typing(ctx, w))
	require.NoError(t, parley.MarkRead(ctx, w, "wamid.1"))
	require.NoError(t, parley.Stream(ctx, w, chunksOf("Hel", "lo")))

	assert.Equal(t, 1, ch.typing)
	assert.Equal(t, []string{"wamid.1"}, ch.read)
	assert.Equal(t, []string{"Hello"}, ch.streams)
	assert.Empty(t, ch.texts(), "a streamed reply is not also sent as a message")
}

func TestCapabilitiesNotSupported(t *testing.T) {
	ctx := context.Background()
	plain := &sink{}
	w := &wrapper{next: plain}

	assert.ErrorIs(t, parley.Typing(ctx, w), parley.ErrNotSupported)
	assert.ErrorIs(t, parley.MarkRead(ctx, w, "m1"), parley.ErrNotSupported)
	assert.ErrorIs(t, parley.Typing(ctx, parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })),
		parley.ErrNotSupported)

	// Stream falls back to one message through the outermost writer, so
	// the wrapper sees it.
	require.NoError(t, parley.Stream(ctx, w, chunksOf("one ", "message")))
	assert.Equal(t, []string{"one message"}, plain.texts())
	assert.Equal(t, 1, w.replies)
}

// selfish unwraps to itself; the walk must still end.
type selfish struct{ sink }

func (s *selfish) Unwrap() parley.ReplyWriter { return s }

func TestCapabilitiesUnwrapLoopEnds(t *testing.T) {
	assert.ErrorIs(t, parley.Typing(context.Background(), &selfish{}), parley.ErrNotSupported)
}

func TestCapabilitiesUnwrapNil(t *testing.T) {
	assert.ErrorIs(t, parley.MarkRead(context.Background(), &wrapper{}, "m1"), parley.ErrNotSupported)
}

func ExampleTyping() {
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		// Show typing where the channel can; carry on where it cannot.
		if err := parley.Typing(ctx, w); err != nil && !errors.Is(err, parley.ErrNotSupported) {
			return err
		}
		return w.Reply(ctx, parley.Text("Looking that up..."))
	})
	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error {
		fmt.Println(m.Text)
		return nil
	})
	if err := h.HandleTurn(context.Background(), w, &parley.Turn{Message: parley.Text("where is my order?")}); err != nil {
		fmt.Println(err)
	}
	// Output: Looking that up...
}
