package llmtest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

func TestModelScript(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	m := llmtest.New(llmtest.Call("lookup", `{"id":1}`), llmtest.Fail(boom), llmtest.Reply("done"))
	resp, err := m.Generate(ctx, &llm.Request{System: "s"})
	require.NoError(t, err)
	assert.Equal(t, "lookup", resp.Message.ToolCalls[0].Name)
	_, err = m.Generate(ctx, &llm.Request{})
	require.ErrorIs(t, err, boom)
	resp, err = llm.Collect(m.Stream(ctx, &llm.Request{}))
	require.NoError(t, err)
	assert.Equal(t, "done", resp.Message.Content)
	_, err = m.Generate(ctx, &llm.Request{})
	require.ErrorIs(t, err, llmtest.ErrScriptDone)
	assert.Equal(t, "s", m.Requests()[0].System)
	assert.Equal(t, 4, m.Calls())
}

func TestEmbedder(t *testing.T) {
	vs, err := llmtest.Embedder{Dim: 64}.Embed(context.Background(), []string{"refund my order", "order refund", "weather"})
	require.NoError(t, err)
	dot := func(a, b []float32) (s float32) {
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	assert.InDelta(t, 1, dot(vs[0], vs[0]), 1e-5)
	assert.Greater(t, dot(vs[0], vs[1]), dot(vs[0], vs[2]))
}
