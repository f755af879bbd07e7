package parley

import (
	"context"
	"hash/maphash"
	"sync"
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

type laneShard struct {
	mu    sync.Mutex
	lanes map[string]*lane
	_     [40]byte // keep shards on separate cache lines
}

// A lane serialises the turns of one conversation in arrival order.
type lane struct {
	waiters []chan struct{}
}

func newLanes() *lanes {
	ls := &lanes{seed: maphash.MakeSeed()}
	for i := range ls.shards {
		ls.shards[i].lanes = make(map[string]*lane)
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
	l, busy := sh.lanes[conv]
	if !busy {
		sh.lanes[conv] = &lane{}
		sh.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	l.waiters = append(l.waiters, ch)
	sh.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		sh.mu.Lock()
		defer sh.mu.Unlock()
		for i, c := range l.waiters {
			if c == ch {
				l.waiters = append(l.waiters[:i], l.waiters[i+1:]...)
				return ctx.Err()
			}
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
	l := sh.lanes[conv]
	if len(l.waiters) == 0 {
		delete(sh.lanes, conv)
		return
	}
	next := l.waiters[0]
	l.waiters = l.waiters[1:]
	close(next)
}
