package cache

import (
	"sync"
	"sync/atomic"
)

// Cache maps strings to values of type V. The zero value is not usable;
// call [New].
//
// Each key has a slot of its own, which stays in the index while the key
// is in use: taking a value out and putting the next one back (what a
// turn does) change only the slot, which one goroutine at a time uses,
// and only read the index (a [sync.Map], read without locks). A map with
// a lock per shard, written on every Take and Put, made the cores of a
// server pass the shards' memory to each other on every turn.
type Cache[V any] struct {
	index sync.Map // string -> *slot[V]
	slots atomic.Int64
	cap   int64
}

// A slot holds the value of one key, if any.
type slot[V any] struct {
	mu  sync.Mutex
	v   V
	set bool
}

// New returns a cache holding about capacity entries; capacity <= 0 makes
// a cache that holds nothing.
func New[V any](capacity int) *Cache[V] {
	return &Cache[V]{cap: int64(max(capacity, 0))}
}

func (c *Cache[V]) slot(key string) *slot[V] {
	if s, ok := c.index.Load(key); ok {
		return s.(*slot[V])
	}
	return nil
}

// Get returns the value under key.
func (c *Cache[V]) Get(key string) (V, bool) { return c.read(key, false) }

// Take removes the value under key and returns it, so that no other
// caller gets the same value.
func (c *Cache[V]) Take(key string) (V, bool) { return c.read(key, true) }

// read returns the value under key, and with take removes it.
func (c *Cache[V]) read(key string, take bool) (V, bool) {
	var zero V
	s := c.slot(key)
	if s == nil {
		return zero, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.v, s.set
	if take {
		s.v, s.set = zero, false
	}
	return v, ok
}

// Put stores v under key. When the cache is full, a new key evicts an
// arbitrary other one.
func (c *Cache[V]) Put(key string, v V) {
	if c.cap == 0 {
		return
	}
	s := c.slot(key)
	if s == nil {
		n, loaded := c.index.LoadOrStore(key, new(slot[V]))
		s = n.(*slot[V])
		if !loaded && c.slots.Add(1) > c.cap {
			c.evict(key)
		}
	}
	s.mu.Lock()
	s.v, s.set = v, true
	s.mu.Unlock()
}

// evict removes a key other than keep.
func (c *Cache[V]) evict(keep string) {
	c.index.Range(func(k, _ any) bool {
		if k.(string) == keep {
			return true
		}
		if _, ok := c.index.LoadAndDelete(k); ok {
			c.slots.Add(-1)
		}
		return false
	})
}

// Delete removes key.
func (c *Cache[V]) Delete(key string) {
	if v, ok := c.index.LoadAndDelete(key); ok {
		c.slots.Add(-1)
		// A Take that found the slot before it left the index gets
		// nothing; a Put, as if it came before the Delete.
		s := v.(*slot[V])
		var zero V
		s.mu.Lock()
		s.v, s.set = zero, false
		s.mu.Unlock()
	}
}

// Len returns the number of entries.
func (c *Cache[V]) Len() int {
	n := 0
	c.index.Range(func(_, v any) bool {
		s := v.(*slot[V])
		s.mu.Lock()
		if s.set {
			n++
		}
		s.mu.Unlock()
		return true
	})
	return n
}
