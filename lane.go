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
	seed   maphash.Seed
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
	ls := &lanes{seed: maphash.MakeSeed()}
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

func (ls *lanes) acquire(ctx context.Context, conv string) error {
	sh := ls.shard(conv)
	sh.mu.Lock()
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
		sh.releaseLocked(conv)
		return ctx.Err()
	}
}

func (ls *lanes) release(conv string) {
	sh := ls.shard(conv)
	sh.mu.Lock()
	sh.releaseLocked(conv)
	sh.mu.Unlock()
}

func (sh *laneShard) releaseLocked(conv string) {
	waiters := sh.lanes[conv]
	if len(waiters) == 0 {
		delete(sh.lanes, conv)
		return
	}
	sh.lanes[conv] = waiters[1:]
	close(waiters[0])
}

// A gate counts what a Bot is running (turns, and the goroutines that
// drain enqueued turns) so that Shutdown can wait for it, and refuses new
// work once Shutdown has begun. It is one atomic word on cache lines of
// its own, changed once as a turn starts and once as it ends (a
// read-write lock, a flag and a WaitGroup changed two lines four times,
// and the lines held fields every turn reads).
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

// closed reports whether close has been called.
func (g *gate) closed() bool { return g.state.Load()&gateClosed != 0 }
