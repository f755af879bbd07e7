package parley

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/parleyhq/parley/memory"
)

// ErrLeaseLost is the cause of the context cancellation a [ReplicaGuard]
// applies when it can no longer renew a conversation's lease: another
// replica may now run that conversation, so the turn must stop.
var ErrLeaseLost = errors.New("parley: conversation lease lost")

// ErrLeaseTimeout is returned by [ReplicaGuard.HandleTurn] when the
// conversation's lease stayed taken for longer than the guard's wait limit.
var ErrLeaseTimeout = errors.New("parley: timed out waiting for the conversation lease")

// LeaseKey returns the store key of conversation id's lease.
func LeaseKey(id string) string { return "lease/" + id }

// A ReplicaGuard runs a [Handler], usually a [Bot], so that the turns of
// one conversation never overlap even when several replicas of the service
// share one [memory.Store] (Redis, PostgreSQL) behind a load balancer.
//
// Before passing a turn on, the guard takes the conversation's lease: a
// record under [LeaseKey] created with [memory.Absent] and a TTL, renewed
// while the turn runs and deleted (with its version as precondition)
// afterwards. A replica that dies mid-turn leaves a lease that expires
// after the TTL, so its conversations resume on the others. With the lease
// held, the Bot's session load, de-duplication check (Session.Seen) and
// save see no concurrent writer, so de-duplication is shared by all
// replicas; the session's version check remains as a backstop should a
// lease be lost to a long pause.
//
// Within one replica, turns of a conversation wait for the lease in arrival
// order. Across replicas, turns are ordered by who takes the lease first:
// deliver a conversation's messages in order (as channels do) and they run
// in that order.
//
// When the wrapped handler fails to run a turn at all (the store is down,
// the lease was lost), the guard sends the retry message to the user and
// returns the error, so the channel can redeliver the webhook.
//
// A ReplicaGuard is safe for concurrent use. It starts one goroutine per
// running turn to renew the lease and waits for it before HandleTurn
// returns.
type ReplicaGuard struct {
	h      Handler
	store  memory.Store
	ttl    time.Duration
	wait   time.Duration
	owner  string
	retry  Message
	pollLo time.Duration
	pollHi time.Duration
	sem    chan struct{}

	mu    sync.Mutex
	lanes map[string]*lane
}

// A ReplicaOption configures a [ReplicaGuard].
type ReplicaOption func(*ReplicaGuard)

// WithLeaseTTL sets how long a lease lives without renewal (default 30s):
// how long the conversations of a crashed replica stay blocked. The lease
// is renewed every third of it.
func WithLeaseTTL(d time.Duration) ReplicaOption {
	return func(g *ReplicaGuard) { g.ttl = d }
}

// WithLeaseWait bounds how long a turn waits for a taken lease before
// failing with [ErrLeaseTimeout] (default twice the TTL).
func WithLeaseWait(d time.Duration) ReplicaOption {
	return func(g *ReplicaGuard) { g.wait = d }
}

// WithMaxLeases bounds how many turns hold a lease at once on this replica
// (default 64, the Bot's default concurrency); turns beyond it wait before
// taking their lease, so no lease is held by a turn that is only queued.
// Keep it at or below the Bot's [WithMaxConcurrency].
func WithMaxLeases(n int) ReplicaOption {
	return func(g *ReplicaGuard) { g.sem = make(chan struct{}, max(n, 1)) }
}

// WithReplicaID names this replica in the leases it writes (default a
// random ID), which helps when inspecting the store.
func WithReplicaID(id string) ReplicaOption {
	return func(g *ReplicaGuard) { g.owner = id }
}

// WithRetryMessage sets the reply sent when a turn could not be run
// (default: a short apology asking the user to send the message again).
func WithRetryMessage(m Message) ReplicaOption {
	return func(g *ReplicaGuard) { g.retry = m }
}

// NewReplicaGuard returns a guard that runs h under per-conversation
// leases kept in store, which must be the store (or share the backend)
// the Bot keeps its sessions in. It panics if h or store is nil.
func NewReplicaGuard(h Handler, store memory.Store, opts ...ReplicaOption) *ReplicaGuard {
	if h == nil || store == nil {
		panic("parley: NewReplicaGuard with nil handler or store")
	}
	g := &ReplicaGuard{
		h:      h,
		store:  store,
		ttl:    30 * time.Second,
		retry:  Text("Sorry, I couldn't process your last message just now. Please send it again in a moment."),
		pollLo: 2 * time.Millisecond,
		pollHi: 100 * time.Millisecond,
		lanes:  make(map[string]*lane),
		sem:    make(chan struct{}, 64),
	}
	for _, o := range opts {
		o(g)
	}
	if g.ttl < 30*time.Millisecond {
		g.ttl = 30 * time.Millisecond
	}
	if g.wait <= 0 {
		g.wait = 2 * g.ttl
	}
	if g.owner == "" {
		g.owner = crand.Text()[:16]
	}
	return g
}

// HandleTurn takes the conversation's lease, runs the wrapped handler and
// releases the lease. It returns the handler's error, [ErrLeaseTimeout],
// ctx's error while waiting, or a store error.
func (g *ReplicaGuard) HandleTurn(ctx context.Context, w ReplyWriter, t *Turn) error {
	if t == nil || t.ConversationID == "" {
		return ErrNoConversation
	}
	conv := t.ConversationID
	if err := g.acquireLane(ctx, conv); err != nil {
		return err
	}
	defer g.releaseLane(conv)
	select {
	case g.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.sem }()

	l, err := g.acquire(ctx, conv)
	if err != nil {
		return g.failed(ctx, w, err)
	}
	tctx, cancel := context.WithCancelCause(ctx)
	held := make(chan lease, 1)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		held <- g.renew(tctx, conv, l, stop, cancel)
	}()
	herr := g.h.HandleTurn(tctx, w, t)
	close(stop)
	wg.Wait()
	cancel(nil)
	l = <-held
	rerr := g.release(ctx, conv, l)
	if herr != nil {
		if cause := context.Cause(tctx); errors.Is(cause, ErrLeaseLost) {
			herr = fmt.Errorf("%w: %w", cause, herr)
		}
		return errors.Join(g.failed(ctx, w, herr), rerr)
	}
	return rerr
}

// failed tells the user to retry and returns err, joined with the reply's
// error if that failed too.
func (g *ReplicaGuard) failed(ctx context.Context, w ReplyWriter, err error) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return err // the caller gave up: nobody to tell
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if rerr := w.Reply(rctx, g.retry); rerr != nil {
		return errors.Join(err, fmt.Errorf("parley: send retry message: %w", rerr))
	}
	return err
}

// A lease is a held lease record: its version and when it expires at the
// latest by the local (monotonic) clock. The local expiry is taken before
// the write that set the store's TTL, so it is never later than the
// store's.
type lease struct {
	version int64
	expires time.Time
}

// acquire creates the lease record, waiting while another replica holds
// it.
func (g *ReplicaGuard) acquire(ctx context.Context, conv string) (lease, error) {
	key := LeaseKey(conv)
	val := []byte(g.owner)
	deadline := time.Now().Add(g.wait)
	pause := g.pollLo
	for {
		now := time.Now()
		v, err := g.store.Set(ctx, memory.Put{Key: key, Value: val, IfVersion: memory.Absent, TTL: g.ttl})
		if err == nil {
			return lease{version: v, expires: now.Add(g.ttl)}, nil
		}
		if !errors.Is(err, memory.ErrConflict) {
			return lease{}, fmt.Errorf("parley: take lease %q: %w", conv, err)
		}
		if time.Now().After(deadline) {
			return lease{}, fmt.Errorf("%w %q after %v", ErrLeaseTimeout, conv, g.wait)
		}
		// Jittered exponential back-off: waiters on other replicas do not
		// poll in lockstep.
		d := pause/2 + rand.N(pause/2+1)
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return lease{}, ctx.Err()
		case <-timer.C:
		}
		pause = min(pause*2, g.pollHi)
	}
}

// renew extends the lease every third of its TTL until stop is closed and
// returns the lease as last renewed. If the lease is gone, cannot be
// renewed, or has expired (the replica was paused: another may hold it
// now, possibly at the same version), it cancels the turn with
// [ErrLeaseLost].
func (g *ReplicaGuard) renew(ctx context.Context, conv string, l lease, stop <-chan struct{}, cancel context.CancelCauseFunc) lease {
	key := LeaseKey(conv)
	tick := time.NewTicker(g.ttl / 3)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return l
		case <-ctx.Done():
			return l
		case <-tick.C:
		}
		now := time.Now()
		if now.After(l.expires) {
			cancel(fmt.Errorf("%w: %q expired before it was renewed", ErrLeaseLost, conv))
			return l
		}
		rctx, rcancel := context.WithDeadline(ctx, l.expires)
		v, err := g.store.Set(rctx, memory.Put{Key: key, Value: []byte(g.owner), IfVersion: l.version, TTL: g.ttl})
		rcancel()
		switch {
		case err == nil:
			l = lease{version: v, expires: now.Add(g.ttl)}
		case errors.Is(err, memory.ErrConflict), time.Now().After(l.expires):
			cancel(fmt.Errorf("%w: %q: %w", ErrLeaseLost, conv, err))
			return l
		}
		// Another error: the store may be back before the lease expires.
	}
}

// release deletes the lease if this turn still holds it. A lease past its
// local expiry is left alone: it may already be another replica's, at the
// same version.
func (g *ReplicaGuard) release(ctx context.Context, conv string, l lease) error {
	if time.Now().After(l.expires) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := g.store.Delete(ctx, LeaseKey(conv), l.version)
	if err == nil || errors.Is(err, memory.ErrConflict) {
		// A conflict: the lease expired and someone else holds it now.
		return nil
	}
	return fmt.Errorf("parley: release lease %q (it expires by itself): %w", conv, err)
}

func (g *ReplicaGuard) acquireLane(ctx context.Context, conv string) error {
	g.mu.Lock()
	l, busy := g.lanes[conv]
	if !busy {
		g.lanes[conv] = &lane{}
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	l.waiters = append(l.waiters, ch)
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		defer g.mu.Unlock()
		for i, c := range l.waiters {
			if c == ch {
				l.waiters = append(l.waiters[:i], l.waiters[i+1:]...)
				return ctx.Err()
			}
		}
		g.releaseLaneLocked(conv) // handed the lane just as ctx ended
		return ctx.Err()
	}
}

func (g *ReplicaGuard) releaseLane(conv string) {
	g.mu.Lock()
	g.releaseLaneLocked(conv)
	g.mu.Unlock()
}

func (g *ReplicaGuard) releaseLaneLocked(conv string) {
	l := g.lanes[conv]
	if len(l.waiters) == 0 {
		delete(g.lanes, conv)
		return
	}
	next := l.waiters[0]
	l.waiters = l.waiters[1:]
	close(next)
}
