package flow_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/parleytest"
)

// capabilities is what an action got from the channel's optional
// capabilities through its Scope.
type capabilities struct{ typing, read, stream error }

// runCapabilities starts a flow whose action shows typing, marks the
// customer's message read and streams its reply through the Scope, with
// channel as the turn's writer.
func runCapabilities(t *testing.T, channel parley.ReplyWriter) capabilities {
	t.Helper()
	var got capabilities
	f := flow.New("status").Add(
		&flow.Action{ID: "look", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			got.typing = parley.Typing(ctx, s)
			got.read = parley.MarkRead(ctx, s, s.Turn.Message.ID)
			got.stream = parley.Stream(ctx, s, func(yield func(string, error) bool) {
				_ = yield("Your order ", nil) && yield("is on its way.", nil)
			})
			return "", nil
		}, Next: "done", OnError: "done"},
		&flow.End{ID: "done", Status: flow.Resolved},
	)
	e, err := flow.NewEngine([]*flow.Builder{f})
	require.NoError(t, err)
	turn := parleytest.NewTurn("where is my order")
	turn.Message.ID = "wamid.1"
	require.NoError(t, e.Starter("status").HandleTurn(context.Background(), channel, turn))
	return got
}

// An action reaches the channel's typing indicator, read receipts and
// streaming through its Scope.
func TestScopeReachesTheChannelsCapabilities(t *testing.T) {
	ch := parleytest.NewRecorder()
	got := runCapabilities(t, ch)
	require.NoError(t, got.typing)
	require.NoError(t, got.read)
	require.NoError(t, got.stream)
	assert.Equal(t, 1, ch.Typed())
	assert.Equal(t, []string{"wamid.1"}, ch.Read())
	assert.Equal(t, 1, ch.Streamed())
	assert.Equal(t, []string{"Your order is on its way."}, ch.Texts())
}

// Where the channel has no typing indicator or read receipts, the Scope
// claims none, and a streamed reply arrives as one message.
func TestScopeClaimsNoCapability(t *testing.T) {
	var sent []string
	ch := parley.ReplyFunc(func(_ context.Context, m parley.Message) error {
		sent = append(sent, m.Text)
		return nil
	})
	got := runCapabilities(t, ch)
	require.ErrorIs(t, got.typing, parley.ErrNotSupported)
	require.ErrorIs(t, got.read, parley.ErrNotSupported)
	require.NoError(t, got.stream)
	assert.Equal(t, []string{"Your order is on its way."}, sent)
}
