package parley_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
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

func TestReplicaGuardSharesDeduplication(t *testing.T) {
	store := memory.NewMap()
	slow := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
		time.Sleep(20 * time.Millisecond) // both deliveries overlap
		return replicaEcho(ctx, w, tn)
	})
	a := parley.NewReplicaGuard(parley.NewBot(slow, parley.WithStore(store)), store)
	b := parley.NewReplicaGuard(parley.NewBot(slow, parley.WithStore(store)), store)
	w := &replicaReplies{}
	turn := &parley.Turn{ConversationID: "c", MessageID: "m1", Message: parley.Text("hi")}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, g := range []*parley.ReplicaGuard{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = g.HandleTurn(context.Background(), w, turn)
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	assert.Equal(t, []string{"echo hi"}, w.all(), "a webhook delivered to two replicas at once is answered once")
	_, err := store.Get(context.Background(), parley.LeaseKey("c"))
	assert.ErrorIs(t, err, memory.ErrNotFound, "the lease is released")
}

func TestReplicaGuardWaitsForExpiredLeaseOfDeadReplica(t *testing.T) {
	store := memory.NewMap()
	ctx := context.Background()
	// A replica died holding the lease.
	_, err := store.Set(ctx, memory.Put{Key: parley.LeaseKey("c"), Value: []byte("dead"), IfVersion: memory.Absent, TTL: 100 * time.Millisecond})
	require.NoError(t, err)
	g := parley.NewReplicaGuard(parley.NewBot(parley.HandlerFunc(replicaEcho), parley.WithStore(store)), store,
		parley.WithLeaseTTL(100*time.Millisecond))
	w := &replicaReplies{}
	require.NoError(t, g.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c", MessageID: "m1", Message: parley.Text("hi")}))
	assert.Equal(t, []string{"echo hi"}, w.all())
}

func TestReplicaGuardTimesOut(t *testing.T) {
	store := memory.NewMap()
	ctx := context.Background()
	_, err := store.Set(ctx, memory.Put{Key: parley.LeaseKey("c"), Value: []byte("other"), IfVersion: memory.Absent, TTL: time.Hour})
	require.NoError(t, err)
	g := parley.NewReplicaGuard(parley.NewBot(parley.HandlerFunc(replicaEcho), parley.WithStore(store)), store,
		parley.WithLeaseWait(50*time.Millisecond), parley.WithRetryMessage(parley.Text("retry please")))
	w := &replicaReplies{}
	err = g.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c", MessageID: "m1", Message: parley.Text("hi")})
	require.ErrorIs(t, err, parley.ErrLeaseTimeout)
	assert.Equal(t, []string{"retry please"}, w.all(), "the user is asked to retry, not left hanging")
}

func TestReplicaGuardStoreDownAsksUserToRetry(t *testing.T) {
	down := errors.New("connection refused")
	store := &failingStore{Store: memory.NewMap(), err: down}
	g := parley.NewReplicaGuard(parley.NewBot(parley.HandlerFunc(replicaEcho), parley.WithStore(store)), store,
		parley.WithRetryMessage(parley.Text("retry please")))
	w := &replicaReplies{}
	turn := &parley.Turn{ConversationID: "c", MessageID: "m1", Message: parley.Text("hi")}
	require.ErrorIs(t, g.HandleTurn(context.Background(), w, turn), down)
	store.mu.Lock()
	store.err = nil
	store.mu.Unlock()
	require.NoError(t, g.HandleTurn(context.Background(), w, turn), "the redelivered webhook succeeds")
	assert.Equal(t, []string{"retry please", "echo hi"}, w.all())
}

func TestReplicaGuardCancelsTurnWhenLeaseIsLost(t *testing.T) {
	store := memory.NewMap()
	ctx := context.Background()
	stolen := make(chan struct{})
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
		// Another replica takes the lease over (as after a long pause).
		_, err := store.Set(ctx, memory.Put{Key: parley.LeaseKey("c"), Value: []byte("thief"), IfVersion: memory.AnyVersion, TTL: time.Hour})
		close(stolen)
		if err != nil {
			return err
		}
		<-ctx.Done()
		return context.Cause(ctx)
	})
	g := parley.NewReplicaGuard(parley.NewBot(h, parley.WithStore(store)), store, parley.WithLeaseTTL(60*time.Millisecond))
	err := g.HandleTurn(ctx, &replicaReplies{}, &parley.Turn{ConversationID: "c", MessageID: "m1", Message: parley.Text("hi")})
	<-stolen
	// The Bot turns the handler's failure into its fallback reply; the
	// turn's context was cancelled with ErrLeaseLost.
	if err != nil {
		assert.ErrorIs(t, err, parley.ErrLeaseLost)
	}
	r, err := store.Get(ctx, parley.LeaseKey("c"))
	require.NoError(t, err)
	assert.Equal(t, "thief", string(r.Value), "the guard does not delete a lease it no longer holds")
}

func ExampleReplicaGuard() {
	// In production the store is shared: memory/redis or memory/postgres.
	store := memory.NewMap()
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("You said: "+t.Text()))
	}), parley.WithStore(store))
	replica := parley.NewReplicaGuard(bot, store, parley.WithReplicaID("replica-a"))

	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error {
		fmt.Println(m.Text)
		return nil
	})
	t := &parley.Turn{ConversationID: "c1", MessageID: "m1", Message: parley.Text("hello")}
	for range 2 { // the second delivery is a redelivered webhook
		if err := replica.HandleTurn(context.Background(), w, t); err != nil {
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
	if p.Key == parley.LeaseKey("c") && p.IfVersion > 0 {
		return 0, errors.New("i/o timeout")
	}
	return s.Store.Set(ctx, p)
}

func TestReplicaGuardDoesNotReleaseAnExpiredLease(t *testing.T) {
	store := memory.NewMap()
	ctx := context.Background()
	ttl := 60 * time.Millisecond
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
		// The lease expires while this replica cannot renew it, and the
		// turn is cancelled ...
		<-ctx.Done()
		// ... then another replica takes the lease, at the same version 1
		// this one had, before this one gets to release it.
		for {
			_, err := store.Set(context.Background(), memory.Put{Key: parley.LeaseKey("c"), Value: []byte("b"), IfVersion: memory.Absent, TTL: time.Hour})
			if err == nil {
				break
			}
			if !errors.Is(err, memory.ErrConflict) {
				return err
			}
			time.Sleep(5 * time.Millisecond)
		}
		return context.Cause(ctx)
	})
	a := parley.NewReplicaGuard(parley.NewBot(h, parley.WithStore(store)), renewFailStore{store}, parley.WithLeaseTTL(ttl))
	err := a.HandleTurn(ctx, &replicaReplies{}, &parley.Turn{ConversationID: "c", MessageID: "m1", Message: parley.Text("hi")})
	if err != nil {
		assert.ErrorIs(t, err, parley.ErrLeaseLost)
	}
	r, err := store.Get(ctx, parley.LeaseKey("c"))
	require.NoError(t, err, "the other replica's lease (same version) was deleted by the stale holder")
	assert.Equal(t, "b", string(r.Value))
	assert.EqualValues(t, 1, r.Version)
}
