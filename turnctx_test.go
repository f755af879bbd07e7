package parley_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// The handler's context behaves as context.WithTimeout(parent, timeout)
// would, whichever of its methods the handler uses: these tests use each
// on its own, since the Bot makes the real context only when asked for
// a channel.

func TestTurnContextErrWithoutDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var before, after, cause error
		var deadline time.Time
		var hasDeadline bool
		start := time.Now()
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			deadline, hasDeadline = ctx.Deadline()
			before = ctx.Err()
			time.Sleep(3 * time.Second) // a slow backend that ignores the context
			after, cause = ctx.Err(), context.Cause(ctx)
			return nil
		})
		bot := parley.NewBot(h, parley.WithTurnTimeout(2*time.Second))
		require.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", "1", "hi")))
		assert.True(t, hasDeadline)
		assert.Equal(t, start.Add(2*time.Second), deadline)
		assert.NoError(t, before)
		assert.ErrorIs(t, after, context.DeadlineExceeded)
		assert.ErrorIs(t, cause, context.DeadlineExceeded)
	})
}

func TestTurnContextDerivedContextEndsAtTurnDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var err error
		var waited time.Duration
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			start := time.Now()
			child, cancel := context.WithTimeout(ctx, time.Hour)
			defer cancel()
			<-child.Done()
			waited, err = time.Since(start), child.Err()
			return nil
		})
		bot := parley.NewBot(h, parley.WithTurnTimeout(2*time.Second))
		require.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", "1", "hi")))
		assert.Equal(t, 2*time.Second, waited)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestTurnContextEndsWithTheTurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var kept context.Context
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			kept = ctx
			return w.Reply(ctx, parley.Text("ok"))
		})
		bot := parley.NewBot(h)
		require.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", "1", "hi")))
		require.ErrorIs(t, kept.Err(), context.Canceled, "a context kept after the turn is done")
		select {
		case <-kept.Done():
		default:
			t.Fatal("Done of a finished turn's context is not closed")
		}
		ran := make(chan struct{})
		context.AfterFunc(kept, func() { close(ran) })
		synctest.Wait()
		select {
		case <-ran:
		default:
			t.Fatal("AfterFunc on a finished turn's context did not run")
		}
	})
}

func TestTurnContextEndsWithTheTurnWhileWaited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stopped := make(chan error, 1)
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			// Work the handler leaves running: it must stop when the turn ends.
			go func() {
				<-ctx.Done()
				stopped <- ctx.Err()
			}()
			return nil
		})
		bot := parley.NewBot(h)
		require.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", "1", "hi")))
		synctest.Wait()
		select {
		case err := <-stopped:
			assert.ErrorIs(t, err, context.Canceled)
		default:
			t.Fatal("the turn ended but its context did not")
		}
	})
}

type ctxKey struct{}

func TestTurnContextFollowsItsParent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, cancel := context.WithCancelCause(context.WithValue(context.Background(), ctxKey{}, "v"))
		gone := errors.New("client went away")
		var value any
		var before, after, cause error
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			value = ctx.Value(ctxKey{})
			before = ctx.Err()
			cancel(gone)
			after, cause = ctx.Err(), context.Cause(ctx)
			return nil
		})
		bot := parley.NewBot(h)
		require.NoError(t, bot.HandleTurn(parent, &sink{}, turn("c", "1", "hi")))
		assert.Equal(t, "v", value)
		assert.NoError(t, before)
		assert.ErrorIs(t, after, context.Canceled)
		assert.ErrorIs(t, cause, gone)
	})
}

func TestTurnContextDoneFollowsItsParent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		var err error
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			go func() {
				time.Sleep(time.Second)
				cancel()
			}()
			<-ctx.Done()
			err = ctx.Err()
			return nil
		})
		bot := parley.NewBot(h, parley.WithTurnTimeout(time.Hour))
		start := time.Now()
		require.NoError(t, bot.HandleTurn(parent, &sink{}, turn("c", "1", "hi")), "the handler finished: its turn is saved")
		assert.Equal(t, time.Second, time.Since(start))
		assert.ErrorIs(t, err, context.Canceled)
	})
}

func TestTurnContextKeepsAnEarlierParentDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		var deadline time.Time
		var late error
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			deadline, _ = ctx.Deadline()
			time.Sleep(1500 * time.Millisecond)
			late = ctx.Err()
			return nil
		})
		bot := parley.NewBot(h, parley.WithTurnTimeout(time.Hour))
		start := time.Now()
		_ = bot.HandleTurn(parent, &sink{}, turn("c", "1", "hi")) // the save after the caller's deadline may fail
		assert.Equal(t, start.Add(time.Second), deadline)
		assert.ErrorIs(t, late, context.DeadlineExceeded)
	})
}

// TestTurnTakesNoTimer checks what the turn context saves: a turn whose
// handler never waits on its context allocates no timer nor context
// (context.WithTimeout alone is four allocations).
func TestTurnTakesNoTimer(t *testing.T) {
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text("ok"))
	})
	bot := parley.NewBot(h, parley.WithSessions(memory.NewSessions(memory.NewMap())))
	ctx := context.Background()
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	tr := &parley.Turn{ConversationID: "c", Message: parley.Text("hi")}
	for range 30 { // a full history window
		require.NoError(t, bot.HandleTurn(ctx, w, tr))
	}
	withTimer := testing.AllocsPerRun(200, func() {
		c, cancel := context.WithTimeout(ctx, time.Hour)
		_ = c.Err()
		cancel()
	})
	turn := testing.AllocsPerRun(200, func() {
		if err := bot.HandleTurn(ctx, w, tr); err != nil {
			t.Fatal(err)
		}
	})
	// The turn's own allocations: its copy of the Turn, the session
	// record written to the store.
	assert.LessOrEqual(t, turn, 3.0, "a turn allocated %v objects; context.WithTimeout alone is %v", turn, withTimer)
}
