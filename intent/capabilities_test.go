package intent

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
)

// resumer is a question owner whose Resume shows typing, marks the
// inbound message read, and asks its question again, streamed; it keeps
// what Typing and MarkRead returned.
type resumer struct{ typingErr, readErr error }

func (f *resumer) HandleTurn(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	return dialog.ErrNotAnswer
}

func (f *resumer) Resume(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, q dialog.Question) error {
	f.typingErr = parley.Typing(ctx, w)
	f.readErr = parley.MarkRead(ctx, w, t.Message.ID)
	return parley.Stream(ctx, w, func(yield func(string, error) bool) {
		_ = yield("Which ", nil) && yield("order?", nil)
	})
}

// resumeThrough drives a router to resume the form (a question paused by
// an offer that the customer declines) with channel as the channel's
// writer, and returns the form.
func resumeThrough(t *testing.T, channel parley.ReplyWriter) (*resumer, *memory.Session) {
	t.Helper()
	f := &resumer{}
	r := NewRouter()
	r.Handle("form", f)
	r.HandleFunc("refund", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return dialog.Ask(t, dialog.Question{ID: "order", Owner: "form", Text: "Which order?", Policy: dialog.Resume, Intent: "refund"})
	})
	r.HandleFunc("shipping", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return dialog.Ask(t, dialog.Question{ID: "offer", Owner: "offerer", Text: "A person?"})
	})
	r.HandleFunc("offerer", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		dialog.CloseQuestion(t)
		return nil
	})
	h := parley.Chain(r, Middleware(New(fixed{"refund": ranked("refund", 0.95), "shipping": ranked("shipping", 0.95)})))
	sess := &memory.Session{ID: "c1"}
	for i, text := range []string{"refund", "shipping", "no thanks"} {
		sess.Turns++
		turn := (&parley.Turn{ConversationID: "c1", Message: parley.Message{ID: "m" + text, Text: text}}).WithSession(sess)
		w := parley.ReplyWriter(&recorder{})
		if i == 2 {
			w = channel
		}
		require.NoError(t, h.HandleTurn(context.Background(), w, turn), text)
	}
	return f, sess
}

// Typing, read receipts and streaming from a form the router resumes
// reach a channel that has them.
func TestRouterResumeKeepsTheChannelsCapabilities(t *testing.T) {
	ch := parleytest.NewRecorder()
	f, sess := resumeThrough(t, ch)
	require.NoError(t, f.typingErr)
	require.NoError(t, f.readErr)
	assert.Equal(t, 1, ch.Typed())
	assert.Equal(t, []string{"mno thanks"}, ch.Read())
	assert.Equal(t, 1, ch.Streamed())
	assert.Equal(t, []string{"Which order?"}, ch.Texts())
	q, open := dialog.OpenQuestion((&parley.Turn{}).WithSession(sess))
	require.True(t, open, "a streamed question counts as asked again")
	assert.Equal(t, "order", q.ID)
}

// Where the channel has no typing indicator or read receipts, the router
// claims none: the form gets ErrNotSupported, and its streamed question
// arrives as one reply.
func TestRouterResumeClaimsNoCapability(t *testing.T) {
	ch := &recorder{}
	f, sess := resumeThrough(t, ch)
	require.ErrorIs(t, f.typingErr, parley.ErrNotSupported)
	require.ErrorIs(t, f.readErr, parley.ErrNotSupported)
	require.Len(t, ch.msgs, 1)
	assert.Equal(t, "Which order?", ch.msgs[0].Text)
	_, open := dialog.OpenQuestion((&parley.Turn{}).WithSession(sess))
	assert.True(t, open, "the question asked again stays open")

	var w parley.ReplyWriter = &replyCounter{next: ch}
	_, typer := w.(parley.Typer)
	_, reader := w.(parley.ReadMarker)
	assert.False(t, typer, "replyCounter claims no typing indicator")
	assert.False(t, reader, "replyCounter claims no read receipts")
}
