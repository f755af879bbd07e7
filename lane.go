package parley

import (
	"context"
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
)

// laneShards splits the per-conversation queues so that turns of different
// conversations on different cores rarely share a lock.
const laneShards = 64

// lanes serialises the turns of each conversation in arrival order: one
// lane per conversation with a turn running, holding the turns waiting
// behind it. It is safe for concurrent use.
type lanes struct {
	seed maphash.Seed
	// closed makes enter refuse a Bot's turns: Shutdown has begun. ended
	// gets a value when a lane ends after that.
	closed atomic.Bool
	ended  chan struct{}
	_      [128 - 24]byte // the shards' lines are written on every turn: not this one
	shards [laneShards]laneShard
}

// A laneShard maps each conversation with a turn running to the turns
// waiting behind it, oldest first. A conversation with no turn waiting
// maps to a nil slice, so that a turn allocates nothing in the common case.
type laneShard struct {
	mu    sync.Mutex
	lanes map[string][]chan struct{}
	// Shards are 128 bytes apart, so that two never share a cache line
	// nor an adjacent pair of lines (which x86 cores fetch together): at
	// 56 bytes, turns of conversations in neighbouring shards on
	// different cores passed the line between the cores on every turn.
	_ [128 - 16]byte
}

// A lane serialises the turns of one conversation in arrival order
// (ReplicaGuard's queues).
type lane struct {
	waiters []chan struct{}
}

func newLanes() *lanes {
	ls := &lanes{seed: maphash.MakeSeed(), ended: make(chan struct{}, 1)}
	for i := range ls.shards {
		ls.shards[i].lanes = make(map[string][]chan struct{})
	}
	return ls
}

// acquire waits until conv's earlier turns are done, or ctx ends.
func (b *Bot) acquire(ctx context.Context, conv string) error { return b.lanes.acquire(ctx, conv) }

// release lets conv's next turn run.
func (b *Bot) release(conv string) { b.lanes.release(conv) }

func (ls *lanes) shard(conv string) *laneShard {
	return &ls.shards[maphash.String(ls.seed, conv)%laneShards]
}

func (ls *lanes) acquire(ctx context.Context, conv string) error { return ls.enter(ctx, conv, false) }

// enter is acquire; with refuse, it returns ErrClosed once close has been
// called. A conversation's lane stays in its shard while a turn holds it
// or waits for it, so Shutdown waits for HandleTurn's turns by waiting
// until every shard is empty (idle): a turn changes no counter shared
// with the other cores for it.
func (ls *lanes) enter(ctx context.Context, conv string, refuse bool) error {
	sh := ls.shard(conv)
	sh.mu.Lock()
	// Read under the shard's lock: either close's caller finds this
	// turn's lane when it looks at the shard (idle), or the turn finds
	// the lanes closed.
	if refuse && ls.closed.Load() {
		sh.mu.Unlock()
		return ErrClosed
	}
	waiters, busy := sh.lanes[conv]
	if !busy {
		sh.lanes[conv] = nil
		sh.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	sh.lanes[conv] = append(waiters, ch)
	sh.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		sh.mu.Lock()
		defer sh.mu.Unlock()
		waiters := sh.lanes[conv]
		if i := slices.Index(waiters, ch); i >= 0 {
			sh.lanes[conv] = slices.Delete(waiters, i, i+1)
			return ctx.Err()
		}
		// Handed the lane just as ctx ended: pass it on.
		ls.releaseLocked(sh, conv)
		return ctx.Err()
	}
}

func (ls *lanes) release(conv string) {
	sh := ls.shard(conv)
	sh.mu.Lock()
	ls.releaseLocked(sh, conv)
	sh.mu.Unlock()
}

func (ls *lanes) releaseLocked(sh *laneShard, conv string) {
	waiters := sh.lanes[conv]
	if len(waiters) == 0 {
		delete(sh.lanes, conv)
		if ls.closed.Load() {
			select {
			case ls.ended <- struct{}{}:
			default: // a wake-up is pending already
			}
		}
		return
	}
	sh.lanes[conv] = waiters[1:]
	close(waiters[0])
}

// close makes enter refuse turns from now on.
func (ls *lanes) close() { ls.closed.Store(true) }

// idle reports whether no lane is held or waited for.
func (ls *lanes) idle() bool {
	for i := range ls.shards {
		sh := &ls.shards[i]
		sh.mu.Lock()
		n := len(sh.lanes)
		sh.mu.Unlock()
		if n > 0 {
			return false
		}
	}
	return true
}

// waitIdle waits until no lane is held or waited for, after close, or
// until ctx ends.
func (ls *lanes) waitIdle(ctx context.Context) error {
	for !ls.idle() {
		select {
		case <-ls.ended:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// A gate counts the goroutines a Bot runs to drain enqueued turns, so
// that Shutdown can wait for them, and refuses new ones once Shutdown has
// begun: one atomic word on cache lines of its own. (HandleTurn's turns
// are counted by their lanes.)
type gate struct {
	_     [64]byte
	state atomic.Int64 // gateClosed, plus the number in flight
	_     [64 - 8]byte
	done  chan struct{} // closed once the gate is closed and nothing is in flight
	once  sync.Once
}

// gateClosed is the bit of gate.state that says Shutdown has begun.
const gateClosed = 1 << 62

func newGate() *gate { return &gate{done: make(chan struct{})} }

// enter counts one more thing in flight and reports true, or reports
// false (counting nothing) once the gate is closed.
func (g *gate) enter() bool {
	if g.state.Add(1)&gateClosed != 0 {
		g.leave()
		return false
	}
	return true
}

// leave ends what enter counted.
func (g *gate) leave() {
	if g.state.Add(-1) == gateClosed {
		g.once.Do(func() { close(g.done) })
	}
}

// close refuses new work and returns a channel closed once nothing is in
// flight.
func (g *gate) close() <-chan struct{} {
	if g.state.Or(gateClosed)&^gateClosed == 0 {
		g.once.Do(func() { close(g.done) })
	}
	return g.done
}
