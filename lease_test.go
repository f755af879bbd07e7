package parley_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// failingStore fails every call with err while err is set.
type failingStore struct {
	memory.Store
	mu  sync.Mutex
	err error
}

func (f *failingStore) fail() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func (f *failingStore) Get(ctx context.Context, k string) (memory.Record, error) {
	if err := f.fail(); err != nil {
		return memory.Record{}, err
	}
	return f.Store.Get(ctx, k)
}

func (f *failingStore) Set(ctx context.Context, p memory.Put) (int64, error) {
	if err := f.fail(); err != nil {
		return 0, err
	}
	return f.Store.Set(ctx, p)
}

type replicaReplies struct {
	mu   sync.Mutex
	text []string
}

func (r *replicaReplies) Reply(_ context.Context, m parley.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.text = append(r.text, m.Text)
	return nil
}

func (r *replicaReplies) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.text...)
}

func replicaEcho(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	return w.Reply(ctx, parley.Text("echo "+t.Text()))
}

func leasedBot(h parley.Handler, store memory.Store, ttl time.Duration) *parley.Bot {
	return parley.NewBot(h, parley.WithStore(store), parley.WithLocker(memory.NewLocker(store), ttl))
}

func leaseKey(conv string) string { return memory.LockKey("conversation/" + conv) }

func TestLeaseSharesDeduplication(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory.NewMap()
		slow := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
			time.Sleep(20 * time.Millisecond) // both deliveries overlap
			return replicaEcho(ctx, w, tn)
		})
		a, b := leasedBot(slow, store, 0), leasedBot(slow, store, 0)
		w := &replicaReplies{}
		turn := &parley.Turn{ConversationID: "c", MessageID: "m1", Message: parley.Text("hi")}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, g := range []*parley.Bot{a, b} {
			wg.Go(func() { errs[i] = g.HandleTurn(context.Background(), w, turn) })
		}
		wg.Wait()
		require.NoError(t, errors.Join(errs...))
		assert.Equal(t, []string{"echo hi"}, w.all(), "a webhook delivered to two replicas at once is answered once")
		_, err := store.Get(context.Background(), leaseKey("c"))
		assert.ErrorIs(t, err, memory.ErrNotFound, "the lease is released")
	})
}

func TestLeaseWaitsForExpiredLeaseOfDeadReplica(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory.NewMap()
		ctx := context.Background()
		// A replica died holding the lease.
		_, err := store.Set(ctx, memory.Put{Key: leaseKey("c"), Value: []byte("dead"), IfVersion: memory.Absent, TTL: 100 * time.Millisecond})
		require.NoError(t, err)
		g := leasedBot(parley.HandlerFunc(replicaEcho), store, 100*time.Millisecond)
		w := &replicaReplies{}
		require.NoError(t, g.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c", MessageID: "m1", Message: parley.Text("hi")}))
		assert.Equal(t, []string{"echo hi"}, w.all())
	})
}

func TestLeaseTimesOutAndAsksUserToRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory.NewMap()
		ctx := context.Background()
		_, err := store.Set(ctx, memory.Put{Key: leaseKey("c"), Value: []byte("other"), IfVersion: memory.Absent, TTL: time.Hour})
		require.NoError(t, err)
		g := leasedBot(parley.HandlerFunc(replicaEcho), store, time.Second)
		w := &replicaReplies{}
		err = g.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c", MessageID: "m1", Message: parley.Text("hi")})
		require.ErrorIs(t, err, parley.ErrLeaseTimeout)
		assert.Equal(t, []string{"Sorry, I couldn't process your last message just now. Please send it again in a moment."}, w.all(),
			"the user is asked to retry, not left hanging")
	})
}

func TestStoreDownThenRedeliveredWebhookSucceeds(t *testing.T) {
	down := errors.New("connection refused")
	store := &failingStore{Store: memory.NewMap(), err: down}
	g := parley.NewBot(parley.HandlerFunc(replicaEcho), parley.WithStore(store))
	w := &replicaReplies{}
	retry := "Sorry, I couldn't process your last message just now. Please send it again in a moment."
	turn := &parley.Turn{ConversationID: "c", MessageID: "m1", Message: parley.Text("hi")}
	require.ErrorIs(t, g.HandleTurn(context.Background(), w, turn), down)
	store.mu.Lock()
	store.err = nil
	store.mu.Unlock()
	require.NoError(t, g.HandleTurn(context.Background(), w, turn), "the redelivered webhook succeeds")
	assert.Equal(t, []string{retry, "echo hi"}, w.all())
}

func TestLeaseLostCancelsTurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory.NewMap()
		ctx := context.Background()
		var cause error
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
			// Another replica takes the lease over (as after a long pause).
			_, err := store.Set(ctx, memory.Put{Key: leaseKey("c"), Value: []byte("thief"), IfVersion: memory.AnyVersion, TTL: time.Hour})
			if err != nil {
				return err
			}
			<-ctx.Done()
			cause = context.Cause(ctx)
			return cause
		})
		g := leasedBot(h, store, 60*time.Millisecond)
		w := &replicaReplies{}
		require.NoError(t, g.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c", MessageID: "m1", Message: parley.Text("hi")}))
		require.ErrorIs(t, cause, memory.ErrLeaseLost, "the turn's context is cancelled with the lease loss as cause")
		assert.Len(t, w.all(), 1, "the user gets the fallback reply")
		r, err := store.Get(ctx, leaseKey("c"))
		require.NoError(t, err)
		assert.Equal(t, "thief", string(r.Value), "the Bot does not delete a lease it no longer holds")
	})
}

func ExampleWithLocker() {
	// In production the store is shared: memory/redis or memory/postgres.
	store := memory.NewMap()
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("You said: "+t.Text()))
	}), parley.WithStore(store), parley.WithLocker(memory.NewLocker(store), 30*time.Second))

	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error {
		fmt.Println(m.Text)
		return nil
	})
	t := &parley.Turn{ConversationID: "c1", MessageID: "m1", Message: parley.Text("hello")}
	for range 2 { // the second delivery is a redelivered webhook
		if err := bot.HandleTurn(context.Background(), w, t); err != nil {
			fmt.Println("error:", err)
		}
	}
	// Output:
	// You said: hello
}

// renewFailStore fails lease renewals with a transient error, as a
// network partition between one replica and the store would.
type renewFailStore struct{ memory.Store }

func (s renewFailStore) Set(ctx context.Context, p memory.Put) (int64, error) {
	if p.Key == leaseKey("c") && p.IfVersion > 0 {
		return 0, errors.New("i/o timeout")
	}
	return s.Store.Set(ctx, p)
}

func TestLeaseExpiredIsNotReleased(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory.NewMap()
		ctx := context.Background()
		ttl := 60 * time.Millisecond
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
			// The lease expires while this replica cannot renew it ...
			time.Sleep(2 * ttl)
			// ... then another replica takes the lease, at the same version 1
			// this one had, before this one gets to release it.
			_, err := store.Set(context.Background(), memory.Put{Key: leaseKey("c"), Value: []byte("b"), IfVersion: memory.Absent, TTL: time.Hour})
			return err
		})
		a := parley.NewBot(h, parley.WithStore(store), parley.WithLocker(memory.NewLocker(renewFailStore{store}), ttl))
		require.NoError(t, a.HandleTurn(ctx, &replicaReplies{}, &parley.Turn{ConversationID: "c", MessageID: "m1", Message: parley.Text("hi")}))
		r, err := store.Get(ctx, leaseKey("c"))
		require.NoError(t, err, "the other replica's lease (same version) was deleted by the stale holder")
		assert.Equal(t, "b", string(r.Value))
		assert.EqualValues(t, 1, r.Version)
	})
}
