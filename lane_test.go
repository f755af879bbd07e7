package parley

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
)

// TestLanesOrderAndCancel: waiting turns of one conversation run in
// arrival order; one whose context ends leaves the queue without
// disturbing the others, and other conversations never wait.
func TestLanesOrderAndCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ls := newLanes()
		ctx := context.Background()
		require.NoError(t, ls.acquire(ctx, "c")) // turn 0 runs

		var order []int
		cancelCtx, cancel := context.WithCancel(ctx)
		errs := make(chan error, 1)
		for i, c := range []context.Context{ctx, cancelCtx, ctx} {
			go func() {
				err := ls.acquire(c, "c")
				if c == cancelCtx {
					errs <- err
					return
				}
				order = append(order, i+1)
				ls.release("c")
			}()
			synctest.Wait() // queued in this order
		}
		require.NoError(t, ls.acquire(ctx, "other"), "another conversation does not wait")
		ls.release("other")

		cancel()
		synctest.Wait()
		require.ErrorIs(t, <-errs, context.Canceled)
		require.Empty(t, order, "nothing runs while turn 0 holds the lane")

		ls.release("c")
		synctest.Wait()
		require.Equal(t, []int{1, 3}, order)
		for i := range ls.shards {
			require.Empty(t, ls.shards[i].lanes, "a free conversation holds no lane")
		}
	})
}

// TestLanesCloseWaitsForHeldAndQueuedTurns: after close, a turn that
// asks to be refused is (ErrClosed) while a drain's is not; waitIdle
// returns once the turn holding a lane and the one queued behind it are
// done, not before.
func TestLanesCloseWaitsForHeldAndQueuedTurns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ls := newLanes()
		ctx := context.Background()
		require.NoError(t, ls.enter(ctx, "c", true)) // running
		queued := make(chan struct{})
		go func() {
			if ls.enter(ctx, "c", true) == nil { // waits for the first
				<-queued
				ls.release("c")
			}
		}()
		synctest.Wait()

		ls.close()
		require.ErrorIs(t, ls.enter(ctx, "new", true), ErrClosed)
		require.NoError(t, ls.enter(ctx, "drain", false), "a drain's turn is not refused")
		ls.release("drain")

		idle := make(chan error, 1)
		go func() { idle <- ls.waitIdle(ctx) }()
		synctest.Wait()
		require.Empty(t, idle, "a lane is held")
		ls.release("c") // the queued turn runs now
		synctest.Wait()
		require.Empty(t, idle, "the queued turn holds the lane")
		close(queued)
		synctest.Wait()
		require.NoError(t, <-idle)

		stop, cancel := context.WithCancel(ctx)
		require.NoError(t, ls.enter(ctx, "d", false))
		go func() { idle <- ls.waitIdle(stop) }()
		synctest.Wait()
		cancel()
		require.ErrorIs(t, <-idle, context.Canceled)
	})
}
