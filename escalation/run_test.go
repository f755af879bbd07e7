package escalation

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// TestRunOffersCallbackAfterTimeout runs the waker in fake time: a user
// who waits in silence gets a call-back offer after the queue time-out.
func TestRunOffersCallbackAfterTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory.NewMap()
		var mu sync.Mutex
		var replies []parley.Message
		w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error {
			mu.Lock()
			replies = append(replies, m)
			mu.Unlock()
			return nil
		})
		var bot *parley.Bot
		deliver := DeliverFunc(func(ctx context.Context, t *parley.Turn) error { return bot.HandleTurn(ctx, w, t) })
		desk := NewMemoryDesk(deliver)
		esc, err := New(desk, WithQueueTimeout(3*time.Minute), WithWaker(store, deliver, 10*time.Second))
		require.NoError(t, err)
		app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error { return nil })
		bot = parley.NewBot(parley.Chain(app, esc.Middleware), parley.WithStore(store))

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- esc.Run(ctx, nil) }()

		require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c1", MessageID: "m1", Message: parley.Text("human please")}))
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		mu.Lock()
		assert.Len(t, replies, 1, "only 'connecting' so far")
		mu.Unlock()

		time.Sleep(90 * time.Second)
		synctest.Wait()
		mu.Lock()
		require.Len(t, replies, 2)
		assert.Contains(t, replies[1].Text, "call back")
		mu.Unlock()

		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
	})
}

func TestRunNeedsWaker(t *testing.T) {
	esc, err := New(NewMemoryDesk(DeliverFunc(func(context.Context, *parley.Turn) error { return nil })))
	require.NoError(t, err)
	require.Error(t, esc.Run(context.Background(), nil))
	require.Error(t, esc.Sweep(context.Background()))
}

func TestSweepReportsDeliveryErrors(t *testing.T) {
	h := newHarness(t, nil)
	h.say("human")
	h.advance(10 * time.Minute)
	boom := errors.New("bot down")
	esc, err := New(h.desk, WithClock(h.clock), WithWaker(h.store, DeliverFunc(func(context.Context, *parley.Turn) error { return boom }), time.Second))
	require.NoError(t, err)
	require.ErrorIs(t, esc.Sweep(context.Background()), boom)
}

// slowDesk blocks every Submit until its context ends.
type slowDesk struct{ *MemoryDesk }

func (d slowDesk) Submit(ctx context.Context, t Ticket) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestSlowDeskQueuedAndUserTold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var replies []string
		w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error { replies = append(replies, m.Text); return nil })
		desk := slowDesk{NewMemoryDesk(DeliverFunc(func(context.Context, *parley.Turn) error { return nil }))}
		esc, err := New(desk, WithRetry(2*time.Second, time.Second, time.Minute))
		require.NoError(t, err)
		bot := parley.NewBot(parley.Chain(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }), esc.Middleware))
		start := time.Now()
		require.NoError(t, bot.HandleTurn(context.Background(), w, &parley.Turn{ConversationID: "c1", MessageID: "m1", Message: parley.Text("agent")}))
		assert.Equal(t, 2*time.Second, time.Since(start), "the turn waits at most the submit timeout")
		require.Len(t, replies, 2)
		assert.Contains(t, replies[1], "slow to respond")
		s, err := bot.Sessions().Load(context.Background(), "c1")
		require.NoError(t, err)
		st, _, err := memory.GetState[State](s, StateName)
		require.NoError(t, err)
		require.NotNil(t, st.Pending, "the request is kept for retry")
	})
}
