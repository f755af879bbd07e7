package kb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbtest"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

func TestAnswerStream(t *testing.T) {
	const question = "how do I get my money back"
	const refund = "Refunds are paid within 5 days to the original card."
	tests := []struct {
		name      string
		model     llm.Model // nil: no model
		give      string
		wantLive  bool
		wantText  string // streamed text
		wantErr   bool   // Text ends with an error
		wantKind  kb.AnswerKind
		wantFinal string // Answer().Text
		wantModel error  // Answer().ModelErr wraps it
		wantCites []string
	}{
		{name: "generated", model: llmtest.New(llmtest.Reply("Refunds arrive within 5 days [1].")), give: question, wantLive: true,
			wantText: "Refunds arrive within 5 days [1].", wantKind: kb.Generated, wantFinal: "Refunds arrive within 5 days [1].", wantCites: []string{"refund"}},
		{name: "broken mid-reply", model: llmtest.New(llmtest.HalfStream("Refunds arrive within 5 days [1].", 2)), give: question, wantLive: true,
			wantText: "Refunds arrive ", wantErr: true, wantKind: kb.Extractive, wantFinal: refund, wantModel: llm.ErrIncomplete, wantCites: []string{"refund"}},
		{name: "fails at once", model: llmtest.New(llmtest.Fail(&llm.StatusError{StatusCode: 503})), give: question, wantLive: true,
			wantErr: true, wantKind: kb.Extractive, wantFinal: refund, wantCites: []string{"refund"}},
		{name: "not in sources is never shown", model: llmtest.New(llmtest.Reply(kb.NotFound)), give: question, wantLive: true,
			wantErr: true, wantKind: kb.Unsure},
		{name: "uncited", model: llmtest.New(llmtest.Reply("Sure, a full refund and a gift!")), give: question, wantLive: true,
			wantText: "Sure, a full refund and a gift!", wantErr: true, wantKind: kb.Extractive, wantFinal: refund, wantCites: []string{"refund"}},
		{name: "model without streaming", model: llm.ModelFunc(llmtest.New(llmtest.Reply("Within 5 days [1].")).Generate), give: question, wantLive: true,
			wantText: "Within 5 days [1].", wantKind: kb.Generated, wantFinal: "Within 5 days [1].", wantCites: []string{"refund"}},
		{name: "no model", give: question, wantKind: kb.Extractive, wantFinal: refund, wantCites: []string{"refund"}},
		{name: "unsure", model: llmtest.New(), give: "do you sell gift cards", wantKind: kb.Unsure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			var opts []kb.AnswerOption
			if tt.model != nil {
				opts = append(opts, kb.WithModel(tt.model))
			}
			st, err := kb.NewAnswerer(kbtest.NewIndex(t, faq()), opts...).AnswerStream(ctx, tt.give)
			require.NoError(t, err)
			assert.Equal(t, tt.wantLive, st.Live())
			var text strings.Builder
			var streamErr error
			for c, err := range st.Text(ctx) {
				if err != nil {
					streamErr = err
					break
				}
				text.WriteString(c)
			}
			assert.Equal(t, tt.wantText, text.String())
			assert.Equal(t, tt.wantErr, streamErr != nil, "stream error %v", streamErr)
			ans := st.Answer()
			assert.Equal(t, tt.wantKind, ans.Kind)
			assert.Equal(t, tt.wantFinal, ans.Text)
			assert.True(t, tt.wantModel == nil || errors.Is(ans.ModelErr, tt.wantModel), "ModelErr %v, want %v", ans.ModelErr, tt.wantModel)
			var cites []string
			for _, c := range ans.Citations {
				cites = append(cites, c.DocID)
			}
			assert.Equal(t, tt.wantCites, cites)
			for range st.Text(ctx) {
				t.Fatal("Text yielded on a second range")
			}
		})
	}
}

// TestAnswerStreamStall: a model that stops sending half-way is cut off
// by the model timeout (on synctest's fake clock), and the answer is the
// extractive one.
func TestAnswerStreamStall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stall := llmtest.New(llmtest.Hang())
		a := kb.NewAnswerer(kbtest.NewIndex(t, faq()), kb.WithModel(stall), kb.WithModelTimeout(2*time.Second))
		ctx := context.Background()
		st, err := a.AnswerStream(ctx, "how long does shipping take")
		require.NoError(t, err)
		start := time.Now()
		var streamErr error
		for _, err := range st.Text(ctx) {
			streamErr = err
		}
		assert.Equal(t, 2*time.Second, time.Since(start))
		require.ErrorIs(t, streamErr, context.DeadlineExceeded)
		assert.Equal(t, kb.Extractive, st.Answer().Kind)
		assert.Equal(t, "Orders arrive in 2 to 4 working days.", st.Answer().Text)
	})
}

// TestAnswerStreamReaderStops: a reader that stops early gets the
// extractive answer.
func TestAnswerStreamReaderStops(t *testing.T) {
	ctx := context.Background()
	a := kb.NewAnswerer(kbtest.NewIndex(t, faq()), kb.WithModel(llmtest.New(llmtest.Reply("Orders arrive in 2 to 4 days [1]."))))
	st, err := a.AnswerStream(ctx, "how long does shipping take")
	require.NoError(t, err)
	for c, err := range st.Text(ctx) {
		require.NoError(t, err)
		require.NotEmpty(t, c)
		break
	}
	assert.Equal(t, kb.Extractive, st.Answer().Kind)
	require.Error(t, st.Answer().ModelErr)
}

func TestAnswerStreamNoTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		model := llmtest.New(llmtest.Reply("Orders arrive in 2 to 4 days [1]."))
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		st, err := kb.NewAnswerer(kbtest.NewIndex(t, faq()), kb.WithModel(model)).AnswerStream(ctx, "how long does shipping take")
		require.NoError(t, err)
		assert.False(t, st.Live())
		assert.Equal(t, kb.Extractive, st.Answer().Kind)
		require.ErrorIs(t, st.Answer().ModelErr, kb.ErrNoTime)
		assert.Zero(t, model.Calls())
	})
}
