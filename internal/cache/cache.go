package cache

import (
	"hash/maphash"
	"sync"
)

const shards = 32

// Cache maps strings to values of type V. The zero value is not usable;
// call [New].
type Cache[V any] struct {
	seed   maphash.Seed
	per    int
	shards [shards]shard[V]
}

type shard[V any] struct {
	mu sync.Mutex
	m  map[string]V
	_  [48]byte // keep shards on separate cache lines
}

// New returns a cache holding about capacity entries; capacity <= 0 makes
// a cache that holds nothing.
func New[V any](capacity int) *Cache[V] {
	c := &Cache[V]{seed: maphash.MakeSeed()}
	if capacity > 0 {
		c.per = max(1, (capacity+shards-1)/shards)
	}
	for i := range c.shards {
		c.shards[i].m = make(map[string]V)
	}
	return c
}

func (c *Cache[V]) shard(key string) *shard[V] {
	return &c.shards[maphash.String(c.seed, key)%shards]
}

// Get returns the value under key.
func (c *Cache[V]) Get(key string) (V, bool) {
	s := c.shard(key)
	s.mu.Lock()
	v, ok := s.m[key]
	s.mu.Unlock()
	return v, ok
}

// Take removes the value under key and returns it, so that no other
// caller gets the same value.
func (c *Cache[V]) Take(key string) (V, bool) {
	s := c.shard(key)
	s.mu.Lock()
	v, ok := s.m[key]
	if ok {
		delete(s.m, key)
	}
	s.mu.Unlock()
	return v, ok
}

// Put stores v under key.
func (c *Cache[V]) Put(key string, v V) {
	if c.per == 0 {
		return
	}
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[key]; !ok && len(s.m) >= c.per {
		for k := range s.m {
			delete(s.m, k)
			break
		}
	}
	s.m[key] = v
}

// Delete removes key.
func (c *Cache[V]) Delete(key string) {
	s := c.shard(key)
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
}

// Len returns the number of entries.
func (c *Cache[V]) Len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.m)
		s.mu.Unlock()
	}
	return n
}
