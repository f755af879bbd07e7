package analytics_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
)

// The first response time runs from the customer's first message to the
// bot's first reply: not the length of a page event's turn nobody was
// answered in (QA9: every first_response_s was 0.000), nor the rest of
// the turn after the reply.
func TestFirstResponseIsTheFirstReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		agg := analytics.NewAggregator()
		rec := analytics.NewRecorder(agg)
		bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if t.Signal != nil {
				return nil // a page view: nothing to say
			}
			time.Sleep(300 * time.Millisecond) // thinking
			if err := w.Reply(ctx, parley.Text("Hi!")); err != nil {
				return err
			}
			time.Sleep(200 * time.Millisecond) // work after the answer
			return w.Reply(ctx, parley.Text("Anything else?"))
		}), parley.WithObserver(rec))
		w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
		ctx := context.Background()
		require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c1", Channel: "web", MessageID: "view",
			Signal: &parley.Signal{Name: "page_view"}}))
		time.Sleep(time.Minute)
		for _, id := range []string{"m1", "m2"} {
			require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c1", Channel: "web", MessageID: id, Message: parley.Text("hello")}))
		}
		require.NoError(t, bot.Shutdown(ctx))
		require.NoError(t, rec.Close(ctx))

		got, ok := agg.Record("c1")
		require.True(t, ok)
		assert.Equal(t, 300*time.Millisecond, got.FirstResponse)
		assert.Equal(t, []time.Duration{0, 500 * time.Millisecond, 500 * time.Millisecond}, got.ResponseTimes)
		assert.Equal(t, analytics.Percentiles{P50: 300 * time.Millisecond, P95: 300 * time.Millisecond, N: 1}, agg.KPIs(analytics.Window{}).FRT)
	})
}
