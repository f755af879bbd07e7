package llm_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

func TestMeterCountsFailedCallsWithUsage(t *testing.T) {
	ctx := context.Background()
	billed := &llm.UsageError{Err: llm.ErrBadResponse, Usage: llm.Usage{InputTokens: 30, OutputTokens: 7}}

	t.Run("generate", func(t *testing.T) {
		m := llm.NewMeter(llmtest.New(llmtest.Fail(billed), llmtest.Fail(&llm.StatusError{StatusCode: 500})))
		_, err := m.Generate(ctx, req)
		require.ErrorIs(t, err, llm.ErrBadResponse)
		_, err = m.Generate(ctx, req)
		require.Error(t, err)
		assert.Equal(t, billed.Usage, m.Usage("c1"), "a failure without usage adds nothing")
		assert.Equal(t, billed.Usage, m.Total())
	})
	t.Run("stream", func(t *testing.T) {
		m := llm.NewMeter(llmtest.New(llmtest.Fail(billed)))
		_, err := llm.Collect(llm.Stream(ctx, m, req))
		require.ErrorIs(t, err, llm.ErrBadResponse)
		assert.Equal(t, billed.Usage, m.Usage("c1"))
	})
	t.Run("fallback carries the failed model's usage", func(t *testing.T) {
		m := llm.NewMeter(llm.Fallback(llmtest.New(llmtest.Fail(billed)), llmtest.New(llmtest.Reply("ok"))))
		resp, err := m.Generate(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, llm.Usage{InputTokens: 40, OutputTokens: 8}, resp.Usage)
		assert.Equal(t, llm.Usage{InputTokens: 40, OutputTokens: 8}, m.Usage("c1"))
	})
	t.Run("retry carries failed attempts' usage", func(t *testing.T) {
		halfBilled := &llm.UsageError{Err: llm.ErrIncomplete, Usage: llm.Usage{InputTokens: 30}}
		m := llm.NewMeter(llm.Retry(llmtest.New(llmtest.Fail(halfBilled), llmtest.Fail(halfBilled), llmtest.Reply("ok")), llm.WithBackoff(1, 0)))
		_, err := llm.Collect(llm.Stream(ctx, m, req))
		require.NoError(t, err)
		assert.Equal(t, llm.Usage{InputTokens: 70, OutputTokens: 1}, m.Usage("c1"))

		m = llm.NewMeter(llm.Retry(llmtest.New(llmtest.Fail(halfBilled), llmtest.Fail(halfBilled)), llm.WithAttempts(2), llm.WithBackoff(1, 0)))
		_, err = m.Generate(ctx, req)
		require.ErrorIs(t, err, llm.ErrIncomplete)
		assert.Equal(t, llm.Usage{InputTokens: 60}, m.Usage("c1"))
	})
}

func TestMeterCountsClientFailureUsage(t *testing.T) {
	ctx := context.Background()
	t.Run("openai reply that is not JSON", func(t *testing.T) {
		c, _ := openAIServer(t, func(w http.ResponseWriter, _ map[string]any) {
			fmt.Fprint(w, `{"choices":[{"index":0,"message":{"role":"assistant","content":"Sure!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}`)
		})
		m := llm.NewMeter(c)
		_, err := m.Generate(ctx, &llm.Request{JSON: true, Conversation: "c1"})
		require.ErrorIs(t, err, llm.ErrBadResponse)
		assert.Equal(t, llm.Usage{InputTokens: 12, OutputTokens: 2}, m.Usage("c1"))
	})
	t.Run("anthropic stream broken after message_start", func(t *testing.T) {
		c := anthropicServer(t, func(w http.ResponseWriter, _ map[string]any) {
			sse(w,
				"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-test\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}",
				"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
				"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Your\"}}")
		})
		m := llm.NewMeter(c)
		_, err := llm.Collect(m.Stream(ctx, &llm.Request{Conversation: "c1", Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}))
		require.ErrorIs(t, err, llm.ErrIncomplete)
		var ue *llm.UsageError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, llm.Usage{InputTokens: 25, OutputTokens: 1}, m.Usage("c1"))
	})
}

func TestMeterBoundedMemory(t *testing.T) {
	ctx := context.Background()
	steps := make([]llmtest.Step, 5)
	for i := range steps {
		steps[i] = llmtest.Reply("x")
	}
	m := llm.NewMeter(llmtest.New(steps...), llm.WithConversations(2))
	for _, conv := range []string{"a", "b", "a", "c"} {
		_, err := m.Generate(ctx, &llm.Request{Conversation: conv})
		require.NoError(t, err)
	}
	assert.Equal(t, 2, m.Len())
	assert.Equal(t, llm.Usage{}, m.Usage("b"), "least recently charged: evicted")
	assert.Equal(t, llm.Usage{InputTokens: 20, OutputTokens: 2}, m.Usage("a"))
	assert.Equal(t, llm.Usage{InputTokens: 10, OutputTokens: 1}, m.Usage("c"))
	assert.Equal(t, llm.Usage{InputTokens: 40, OutputTokens: 4}, m.Total(), "total keeps evicted conversations")

	m.Forget("a")
	m.Forget("unknown")
	assert.Equal(t, 1, m.Len())
	assert.Equal(t, llm.Usage{}, m.Usage("a"))
	assert.Equal(t, llm.Usage{InputTokens: 40, OutputTokens: 4}, m.Total())
}

func TestMeterForgetResetsBudget(t *testing.T) {
	ctx := context.Background()
	m := llm.NewMeter(llmtest.New(llmtest.Reply("a"), llmtest.Reply("b")), llm.WithTokenBudget(11))
	_, err := m.Generate(ctx, req)
	require.NoError(t, err)
	_, err = m.Generate(ctx, req)
	require.ErrorIs(t, err, llm.ErrBudget)
	m.Forget("c1")
	_, err = m.Generate(ctx, req)
	require.NoError(t, err)
}
