package kbbot_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbbot"
	"github.com/parleyhq/parley/kb/kbtest"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/parleytest"
)

func index(t *testing.T) *kb.Index {
	t.Helper()
	return kbtest.NewIndex(t, []kb.Doc{
		{ID: "refund", Question: "How do I get a refund?", Text: "Refunds are paid within 5 days.", URL: "https://help.example.com/refunds"},
		{ID: "ship", Question: "How long does shipping take?", Text: "Orders arrive in 2 to 4 days."},
	})
}

func turn(text string) *parley.Turn {
	return &parley.Turn{ConversationID: "c1", Message: parley.Text(text)}
}

func TestAnswersWithSource(t *testing.T) {
	h := kbbot.New(kb.NewAnswerer(index(t)))
	w := parleytest.NewRecorder()
	require.NoError(t, h.HandleTurn(context.Background(), w, turn("how do I get a refund")))
	require.Len(t, w.Messages(), 1)
	assert.Equal(t, "Refunds are paid within 5 days.\n\nSource: How do I get a refund? (https://help.example.com/refunds)", w.Messages()[0].Text)
}

func TestUnsureHandsOff(t *testing.T) {
	var got []dialog.HandoffRequest
	var sawAnswer bool
	desk := dialog.HandOfferFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, r dialog.HandoffRequest) error {
		got = append(got, r)
		_, sawAnswer = parley.Value(t, kbbot.AnswerKey)
		return w.Reply(ctx, parley.Text("An agent will join shortly."))
	})
	h := kbbot.New(kb.NewAnswerer(index(t)), kbbot.WithHandOffer(desk))
	w := parleytest.NewRecorder()
	require.NoError(t, h.HandleTurn(context.Background(), w, turn("can I pay with bitcoin")))
	require.Len(t, w.Messages(), 2)
	assert.Equal(t, kbbot.Specialist, w.Messages()[0].Text)
	require.Len(t, got, 1)
	assert.Equal(t, "can I pay with bitcoin", got[0].Note)
	assert.True(t, sawAnswer)
}

func TestUnsureClarifies(t *testing.T) {
	h := kbbot.New(kb.NewAnswerer(index(t), kb.WithThreshold(0.9)))
	w := parleytest.NewRecorder()
	require.NoError(t, h.HandleTurn(context.Background(), w, turn("refund for a gift card bought abroad")))
	require.Len(t, w.Messages(), 1)
	assert.Equal(t, []parley.QuickReply{{Title: "How do I get a refund?"}}, w.Messages()[0].QuickReplies)
}

func TestDeadModelStillAnswers(t *testing.T) {
	tests := []struct {
		name string
		step llmtest.Step
	}{
		{name: "timeout", step: llmtest.Fail(context.DeadlineExceeded)},
		{name: "garbage", step: llmtest.Fail(fmt.Errorf("%w: <html>", llm.ErrBadResponse))},
		{name: "half stream", step: llmtest.HalfStream("Refunds are", 1)},
		{name: "circuit open", step: llmtest.Fail(llm.ErrCircuitOpen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model := llm.Fallback(llmtest.New(tt.step), llmtest.New(llmtest.Fail(&llm.StatusError{StatusCode: 503})))
			h := kbbot.New(kb.NewAnswerer(index(t), kb.WithModel(model)), kbbot.WithoutSources())
			w := parleytest.NewRecorder()
			require.NoError(t, h.HandleTurn(context.Background(), w, turn("how long does shipping take")))
			require.Len(t, w.Messages(), 1)
			assert.Equal(t, "Orders arrive in 2 to 4 days.", w.Messages()[0].Text)
		})
	}
}

func Example() {
	idx, err := kb.NewIndex()
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := idx.Add(kb.Doc{ID: "hours", Question: "When are you open?", Text: "We are open 9am to 5pm, Monday to Friday."}); err != nil {
		fmt.Println(err)
		return
	}
	h := kbbot.New(kb.NewAnswerer(idx), kbbot.WithoutSources())
	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error {
		fmt.Println(m.Text)
		return nil
	})
	if err := h.HandleTurn(context.Background(), w, &parley.Turn{ConversationID: "c1", Message: parley.Text("Are you open on Monday?")}); err != nil {
		fmt.Println(err)
	}
	// Output: We are open 9am to 5pm, Monday to Friday.
}

func TestClarifyBetweenNearTies(t *testing.T) {
	idx := kbtest.NewIndex(t, []kb.Doc{
		{ID: "mask1", Question: "Should I wear a face mask?", Text: "Only when caring for someone ill."},
		{ID: "mask2", Question: "Should I wear a mask outside?", Text: "Follow local rules."},
		{ID: "hours", Question: "When are you open?", Text: "9 to 5."},
	})
	h := kbbot.New(kb.NewAnswerer(idx))
	w := parleytest.NewRecorder()
	require.NoError(t, h.HandleTurn(context.Background(), w, turn("should I wear a mask")))
	require.Len(t, w.Messages(), 1)
	var titles []string
	for _, q := range w.Messages()[0].QuickReplies {
		titles = append(titles, q.Title)
	}
	assert.ElementsMatch(t, []string{"Should I wear a face mask?", "Should I wear a mask outside?"}, titles)
}

// With a HandOffer, a question two passages answer about as well gets
// the clarifying question, not an offer of a person; a question that
// only one passage half answers is still offered a person.
func TestNearTieClarifiesBeforeHandOff(t *testing.T) {
	idx := kbtest.NewIndex(t, []kb.Doc{
		{ID: "cost", Question: "How much does shipping cost?", Text: "Shipping is $4.95."},
		{ID: "intl", Question: "Do you ship internationally?", Text: "We ship to 40 countries."},
		{ID: "hours", Question: "When are you open?", Text: "9 to 5."},
	})
	var handoffs int
	desk := dialog.HandOfferFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, r dialog.HandoffRequest) error {
		handoffs++
		return w.Reply(ctx, parley.Text("Would you like a person?"))
	})
	h := kbbot.New(kb.NewAnswerer(idx), kbbot.WithHandOffer(desk))

	w := parleytest.NewRecorder()
	tie := parleytest.NewTurn("international shipping cost")
	require.NoError(t, h.HandleTurn(context.Background(), w, tie))
	require.Len(t, w.Messages(), 1)
	assert.Equal(t, "I'm not sure I understood. Did you mean one of these?", w.Messages()[0].Text)
	assert.Equal(t, []parley.QuickReply{{Title: "How much does shipping cost?"}, {Title: "Do you ship internationally?"}}, w.Messages()[0].QuickReplies)
	assert.Zero(t, handoffs)
	// It is the turn's one question: a menu is not asked after it.
	assert.True(t, dialog.AskedThisTurn(tie))

	w2 := parleytest.NewRecorder()
	require.NoError(t, h.HandleTurn(context.Background(), w2, turn("do you sell gift cards internationally")))
	require.Len(t, w2.Messages(), 2)
	assert.Equal(t, kbbot.Specialist, w2.Messages()[0].Text)
	assert.Equal(t, 1, handoffs)
}

// TestTurnDeadlineKeepsExtractiveAnswer: with a 500 ms turn deadline and
// a model that never answers (behind a client with a 60 s timeout), the
// user gets the extractive answer with its source before the deadline.
func TestTurnDeadlineKeepsExtractiveAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := kbbot.New(kb.NewAnswerer(index(t), kb.WithModel(llmtest.New(llmtest.Hang()))))
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		w := parleytest.NewRecorder()
		require.NoError(t, h.HandleTurn(ctx, w, turn("how do I get a refund")))
		require.NoError(t, ctx.Err())
		require.Len(t, w.Messages(), 1)
		assert.Equal(t, "Refunds are paid within 5 days.\n\nSource: How do I get a refund? (https://help.example.com/refunds)", w.Messages()[0].Text)
	})
}
