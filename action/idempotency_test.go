package action_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/memory"
)

type payArgs struct {
	ID string `json:"id"`
}

// TestIdempotencyFailureIsNotRemembered: concurrent duplicates of a call
// that fails all see the failure (none is reported done or replayed), and
// a later retry with the same key runs the action again.
func TestIdempotencyFailureIsNotRemembered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		down := errors.New("backend down")
		var runs atomic.Int64
		var failing atomic.Bool
		failing.Store(true)
		gate := make(chan struct{})
		reg := action.NewRegistry(action.WithWrites(true))
		require.NoError(t, action.Register(reg, action.Def[payArgs, string]{Name: "pay", Writes: true, NoConfirm: true,
			Run: func(ctx context.Context, a payArgs) (string, error) {
				runs.Add(1)
				<-gate
				if failing.Load() {
					return "", down
				}
				return "paid " + a.ID, nil
			}}))
		c := action.Call{Action: "pay", Args: json.RawMessage(`{"id":"x"}`), IdempotencyKey: "k", Conversation: "c1"}
		ctx := context.Background()

		const n = 16
		results := make([]action.Result, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { results[i], errs[i] = reg.Call(ctx, c) })
		}
		synctest.Wait() // one run is in flight, the duplicates wait for it
		close(gate)
		wg.Wait()
		for i := range n {
			require.ErrorIs(t, errs[i], down, "call %d", i)
			assert.Equal(t, action.Result{}, results[i], "call %d", i)
		}
		assert.Equal(t, int64(1), runs.Load(), "concurrent duplicates share one run")

		// A later retry with the same key runs again and can succeed.
		failing.Store(false)
		res, err := reg.Call(ctx, c)
		require.NoError(t, err)
		assert.Equal(t, action.Done, res.Status)
		assert.False(t, res.Replayed)
		assert.JSONEq(t, `"paid x"`, string(res.Output))
		assert.Equal(t, int64(2), runs.Load())

		// Once it succeeded, the key replays.
		res, err = reg.Call(ctx, c)
		require.NoError(t, err)
		assert.True(t, res.Replayed)
		assert.Equal(t, int64(2), runs.Load())
	})
}

// TestIdempotencyLeaderCancelled: a duplicate that joined a run whose own
// caller gave up (context cancelled) runs the action itself instead of
// inheriting the other caller's cancellation.
func TestIdempotencyLeaderCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var runs atomic.Int64
		reg := action.NewRegistry(action.WithWrites(true))
		require.NoError(t, action.Register(reg, action.Def[payArgs, string]{Name: "pay", Writes: true, NoConfirm: true,
			Run: func(ctx context.Context, a payArgs) (string, error) {
				if runs.Add(1) == 1 {
					<-ctx.Done()
					return "", ctx.Err()
				}
				return "paid", nil
			}}))
		c := action.Call{Action: "pay", Args: json.RawMessage(`{"id":"x"}`), IdempotencyKey: "k"}
		leaderCtx, cancel := context.WithCancel(context.Background())
		var leaderErr, dupErr error
		var dup action.Result
		var wg sync.WaitGroup
		wg.Go(func() { _, leaderErr = reg.Call(leaderCtx, c) })
		synctest.Wait()
		wg.Go(func() { dup, dupErr = reg.Call(context.Background(), c) })
		synctest.Wait()
		cancel()
		wg.Wait()
		require.ErrorIs(t, leaderErr, context.Canceled)
		require.NoError(t, dupErr)
		assert.Equal(t, action.Done, dup.Status)
		assert.False(t, dup.Replayed)
		assert.Equal(t, int64(2), runs.Load())
	})
}

func TestResultsSurviveARestart(t *testing.T) {
	store := memory.NewMap()
	runs := 0
	var keys []string
	newRegistry := func() *action.Registry {
		r := action.NewRegistry(action.WithWrites(true), action.WithStore(store))
		require.NoError(t, action.Register(r, action.Def[refundArgs, string]{
			Name: "refund", Description: "Refund an order.", Writes: true,
			Run: func(ctx context.Context, a refundArgs) (string, error) {
				runs++
				keys = append(keys, action.IdempotencyKey(ctx))
				return "refunded " + a.OrderID, nil
			},
		}))
		return r
	}
	call := action.Call{Action: "refund", Args: json.RawMessage(`{"order_id":"A-1","amount":5}`), Conversation: "c1", Confirmed: true}
	first, err := newRegistry().Call(context.Background(), call)
	require.NoError(t, err)
	// The process restarts and the turn runs again.
	again, err := newRegistry().Call(context.Background(), call)
	require.NoError(t, err)
	assert.Equal(t, 1, runs, "the refund ran once")
	assert.True(t, again.Replayed)
	assert.Equal(t, first.Output, again.Output)
	require.Len(t, keys, 1)
	assert.NotEmpty(t, keys[0], "the action sees the key to pass on to the payment API")
}
