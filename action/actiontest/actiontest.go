package actiontest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/action"
)

// RunApprovalStore runs the conformance suite. newStore must return an
// empty store each time it is called.
func RunApprovalStore(t *testing.T, newStore func(t *testing.T) action.ApprovalStore) {
	t.Helper()
	approval := func(id, key string, created time.Time) action.Approval {
		return action.Approval{
			Request: action.ApprovalRequest{ID: id, Conversation: "conv-1", Customer: "cus-1", Action: "refund",
				Args: []byte(`{"order_id":"A-1","amount":80}`), Amount: 80, Limit: 50},
			Key:     key,
			Call:    action.Call{Action: "refund", Args: []byte(`{"order_id":"A-1","amount":80}`), Conversation: "conv-1", Customer: "cus-1"},
			Created: created,
		}
	}
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

	t.Run("AddTakeRoundTrip", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		a := approval("appr-1", "k1", t0)
		got, added, err := s.Add(ctx, a)
		require.NoError(t, err)
		assert.True(t, added)
		assert.Equal(t, "appr-1", got.Request.ID)
		taken, err := s.Take(ctx, "appr-1")
		require.NoError(t, err)
		assert.Equal(t, a.Request.ID, taken.Request.ID)
		assert.Equal(t, a.Request.Customer, taken.Request.Customer)
		assert.Equal(t, a.Request.Amount, taken.Request.Amount)
		assert.JSONEq(t, string(a.Call.Args), string(taken.Call.Args))
		assert.Equal(t, a.Call.Customer, taken.Call.Customer, "an approved call runs for the same customer")
		assert.True(t, a.Created.Equal(taken.Created))
	})

	t.Run("SameKeyIsDeduplicated", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		_, _, err := s.Add(ctx, approval("appr-1", "k1", t0))
		require.NoError(t, err)
		got, added, err := s.Add(ctx, approval("appr-2", "k1", t0.Add(time.Second)))
		require.NoError(t, err)
		assert.False(t, added)
		assert.Equal(t, "appr-1", got.Request.ID, "the earlier approval is returned")
		list, err := s.List(ctx)
		require.NoError(t, err)
		assert.Len(t, list, 1)
		// Once taken, the key is free again.
		_, err = s.Take(ctx, "appr-1")
		require.NoError(t, err)
		_, added, err = s.Add(ctx, approval("appr-3", "k1", t0.Add(2*time.Second)))
		require.NoError(t, err)
		assert.True(t, added)
	})

	t.Run("TakeOnce", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		_, _, err := s.Add(ctx, approval("appr-1", "k1", t0))
		require.NoError(t, err)
		_, err = s.Take(ctx, "appr-1")
		require.NoError(t, err)
		_, err = s.Take(ctx, "appr-1")
		require.ErrorIs(t, err, action.ErrNoApproval)
		_, err = s.Take(ctx, "never-existed")
		require.ErrorIs(t, err, action.ErrNoApproval)
		_, err = s.Take(ctx, "")
		require.ErrorIs(t, err, action.ErrNoApproval)
	})

	t.Run("ConcurrentTakesPayOnce", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		_, _, err := s.Add(ctx, approval("appr-1", "k1", t0))
		require.NoError(t, err)
		var wins atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := s.Take(ctx, "appr-1"); err == nil {
					wins.Add(1)
				} else {
					assert.ErrorIs(t, err, action.ErrNoApproval)
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int64(1), wins.Load())
	})

	t.Run("ConcurrentAddsOfOneKey", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		var wins atomic.Int64
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				_, added, err := s.Add(ctx, approval(fmt.Sprint("c-", i), "kc", t0))
				assert.NoError(t, err)
				if added {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int64(1), wins.Load())
		list, err := s.List(ctx)
		require.NoError(t, err)
		assert.Len(t, list, 1)
	})

	t.Run("ListOldestFirst", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		list, err := s.List(ctx)
		require.NoError(t, err)
		assert.Empty(t, list)
		for i, at := range []time.Duration{2, 0, 1} {
			_, _, err := s.Add(ctx, approval(fmt.Sprint("appr-", i), fmt.Sprint("k", i), t0.Add(at*time.Minute)))
			require.NoError(t, err)
		}
		list, err = s.List(ctx)
		require.NoError(t, err)
		var ids []string
		for _, a := range list {
			ids = append(ids, a.Request.ID)
		}
		assert.Equal(t, []string{"appr-1", "appr-2", "appr-0"}, ids)
	})
}
