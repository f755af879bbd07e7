package escalation_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/sentiment"
)

// TestFrustratedCustomerReachesHuman runs the sentiment middleware and
// the escalator together: a conversation that turns sour gets an offer,
// and the agent's ticket carries the sentiment trend and the issue.
func TestFrustratedCustomerReachesHuman(t *testing.T) {
	an, err := sentiment.NewLexical()
	require.NoError(t, err)
	h := newDeskBot(t)
	app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Let me check that for you."))
	})
	h.bot = parley.NewBot(parley.Chain(app, sentiment.Middleware(an), escalation.Middleware(h.esc)))
	h.say(t, "c9",
		"Hi, I ordered a lamp last week",
		"It still hasn't arrived and the tracking number 88123 doesn't work. This is the third time I ask. Ridiculous, worst service ever!!",
		"yes",
	)
	joined := strings.Join(h.replies, "\n")
	assert.Contains(t, joined, "I'm sorry this has been frustrating")
	assert.Contains(t, joined, "Would you like me to connect you")
	assert.Contains(t, joined, "asked a person from our team to join")
	assert.Equal(t, 1, strings.Count(joined, "Would you like me to connect you"), "one offer")
	tk := h.ticket(t)
	assert.Equal(t, "frustrated", tk.Reason)
	assert.Equal(t, dialog.PriorityHigh, tk.Priority)
	assert.NotEmpty(t, tk.Scores)
	assert.Less(t, slices.Min(tk.Scores), 0.4)
	assert.Contains(t, tk.Summary, "88123")
}
