package privacy_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/privacy"
)

// TestRedactModel is issue 15's card number and security code typed by
// a customer reaching the model verbatim: the model now sees them masked,
// in the history and the new message alike; tool results and the system
// prompt are untouched, and the caller's request is not changed.
func TestRedactModel(t *testing.T) {
	var seen *llm.Request
	m := llm.ModelFunc(func(_ context.Context, req *llm.Request) (*llm.Response, error) {
		seen = req
		return &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Content: "ok"}}, nil
	})
	req := &llm.Request{System: "You are ShopCo's assistant.", Messages: []llm.Message{
		{Role: llm.RoleUser, Content: "my card is 4111 1111 1111 1111 exp 12/27 cvv 123"},
		{Role: llm.RoleAssistant, Content: "Thanks, card 4111111111111111 noted"},
		{Role: llm.RoleTool, ToolCallID: "t1", Content: `{"address":"12 High St"}`},
		{Role: llm.RoleUser, Content: "also call me on 415.555.0134"},
	}}
	_, err := privacy.RedactModel(m, privacy.NewRedactor(), nil).Generate(context.Background(), req)
	require.NoError(t, err)
	require.NotNil(t, seen)
	for _, msg := range seen.Messages[:2] {
		assert.NotContains(t, msg.Content, "4111 1111 1111 1111")
		assert.NotContains(t, msg.Content, "4111111111111111")
	}
	assert.NotContains(t, seen.Messages[0].Content, "123")
	assert.NotContains(t, seen.Messages[3].Content, "415.555.0134")
	assert.Equal(t, `{"address":"12 High St"}`, seen.Messages[2].Content)
	assert.Equal(t, "You are ShopCo's assistant.", seen.System)
	assert.Equal(t, "my card is 4111 1111 1111 1111 exp 12/27 cvv 123", req.Messages[0].Content, "the caller's request is not changed")
}
