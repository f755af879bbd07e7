package channel

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/parleyhq/parley/memory"
)

// A Deduper remembers which inbound messages were accepted, so that a
// platform's redelivery of a webhook is acknowledged without handling the
// message twice. Implementations must be safe for concurrent use.
type Deduper interface {
	// Claim records key and reports whether it is new. Exactly one of
	// concurrent claims of one key wins.
	Claim(ctx context.Context, key string) (bool, error)
	// Release forgets a claimed key, because the message could not be
	// accepted after all and the platform will redeliver it.
	Release(ctx context.Context, key string) error
}

// MemoryDeduper is an in-process [Deduper] that remembers keys for a TTL,
// bounded in size. It suits one replica; several replicas share a
// [StoreDeduper]. The zero value is not usable; call [NewMemoryDeduper].
type MemoryDeduper struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu   sync.Mutex
	keys map[string]time.Time
}

// NewMemoryDeduper returns a MemoryDeduper keeping up to max keys for ttl
// (defaults: 24h and 100,000 when zero). now may be nil for time.Now.
func NewMemoryDeduper(ttl time.Duration, max int, now func() time.Time) *MemoryDeduper {
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	if max <= 0 {
		max = 100_000
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryDeduper{ttl: ttl, max: max, now: now, keys: make(map[string]time.Time)}
}

// Claim implements [Deduper].
func (d *MemoryDeduper) Claim(ctx context.Context, key string) (bool, error) {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if at, ok := d.keys[key]; ok && now.Sub(at) < d.ttl {
		return false, nil
	}
	if len(d.keys) >= d.max {
		oldestKey, oldest := "", now
		for k, at := range d.keys {
			if now.Sub(at) >= d.ttl {
				delete(d.keys, k)
			} else if at.Before(oldest) {
				oldestKey, oldest = k, at
			}
		}
		if len(d.keys) >= d.max {
			delete(d.keys, oldestKey)
		}
	}
	d.keys[key] = now
	return true, nil
}

// Release implements [Deduper].
func (d *MemoryDeduper) Release(ctx context.Context, key string) error {
	d.mu.Lock()
	delete(d.keys, key)
	d.mu.Unlock()
	return nil
}

// StoreDeduper is a [Deduper] over a [memory.Store], shared by all replicas
// that use the store: a claim is a create-only write with a TTL.
type StoreDeduper struct {
	store memory.Store
	ttl   time.Duration
}

// NewStoreDeduper returns a StoreDeduper keeping keys for ttl (default 24h).
func NewStoreDeduper(s memory.Store, ttl time.Duration) *StoreDeduper {
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	return &StoreDeduper{store: s, ttl: ttl}
}

// Claim implements [Deduper].
func (d *StoreDeduper) Claim(ctx context.Context, key string) (bool, error) {
	_, err := d.store.Set(ctx, memory.Put{Key: "dedup/" + key, Value: []byte{1}, IfVersion: memory.Absent, TTL: d.ttl})
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, memory.ErrConflict):
		return false, nil
	}
	return false, fmt.Errorf("channel: claim %q: %w", key, err)
}

// Release implements [Deduper].
func (d *StoreDeduper) Release(ctx context.Context, key string) error {
	if err := d.store.Delete(ctx, "dedup/"+key, memory.AnyVersion); err != nil {
		return fmt.Errorf("channel: release %q: %w", key, err)
	}
	return nil
}
