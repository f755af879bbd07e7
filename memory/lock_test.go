package memory_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
)

func TestLocker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		store := memory.NewMap()
		a, b := memory.NewLocker(store), memory.NewLocker(store)

		la, err := a.Lock(ctx, "k", time.Second)
		require.NoError(t, err)
		_, err = b.Lock(ctx, "k", time.Second)
		require.ErrorIs(t, err, memory.ErrLocked)

		// Renewed in time, the lease outlives its first TTL.
		time.Sleep(700 * time.Millisecond)
		require.NoError(t, la.Renew(ctx, time.Second))
		time.Sleep(700 * time.Millisecond)
		_, err = b.Lock(ctx, "k", time.Second)
		require.ErrorIs(t, err, memory.ErrLocked)

		// Not renewed, it expires and another holder takes it; the first
		// holder's renewal then fails and its unlock leaves the new lease.
		time.Sleep(2 * time.Second)
		lb, err := b.Lock(ctx, "k", time.Minute)
		require.NoError(t, err)
		require.ErrorIs(t, la.Renew(ctx, time.Second), memory.ErrLeaseLost)
		require.NoError(t, la.Unlock(ctx))
		_, err = a.Lock(ctx, "k", time.Second)
		require.ErrorIs(t, err, memory.ErrLocked, "the expired holder did not release the new lease")

		require.NoError(t, lb.Unlock(ctx))
		_, err = store.Get(ctx, memory.LockKey("k"))
		assert.ErrorIs(t, err, memory.ErrNotFound)
	})
}
