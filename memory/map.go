package memory

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"time"
)

var (
	_ Store     = (*Map)(nil)
	_ Versioner = (*Map)(nil)
)

// mapShards is the number of independently locked parts of a Map, so that
// conversations on different cores rarely wait for each other.
const mapShards = 64

// Map is an in-memory [Store] with TTLs. It is the default store and the one
// tests use. Expired records are invisible at once and their memory is
// reclaimed lazily: every write looks at a few records picked at random and
// drops those that expired, so at most about a third as many expired
// records as live ones are kept, and no write stops to sweep the store.
//
// A Map is safe for concurrent use. The zero value is not usable; call
// [NewMap].
type Map struct {
	now     func() time.Time
	maxSize int
	seed    maphash.Seed
	shards  [mapShards]mapShard
}

type mapShard struct {
	mu sync.RWMutex
	m  map[string]mapEntry
	_  [96]byte // keep shards on separate cache lines
}

// expirySample is how many records a write looks at to reclaim expired
// ones.
const expirySample = 4

type mapEntry struct {
	value   []byte
	version int64
	expires time.Time
}

// A MapOption configures a [Map].
type MapOption func(*Map)

// WithMapClock makes the Map read time from now instead of [time.Now]. Tests
// use it to expire records without waiting; testing/synctest works too.
func WithMapClock(now func() time.Time) MapOption {
	return func(m *Map) { m.now = now }
}

// WithMaxValueSize makes Set reject values larger than n bytes with a
// [*ValueTooLargeError]. The default is 16 MiB.
func WithMaxValueSize(n int) MapOption {
	return func(m *Map) { m.maxSize = n }
}

// NewMap returns an empty in-memory store.
func NewMap(opts ...MapOption) *Map {
	m := &Map{now: time.Now, maxSize: 16 << 20, seed: maphash.MakeSeed()}
	for i := range m.shards {
		m.shards[i].m = make(map[string]mapEntry)
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

func (m *Map) shard(key string) *mapShard {
	return &m.shards[maphash.String(m.seed, key)%mapShards]
}

// live reports whether e is a record (versions start at 1; a missing key
// reads as the zero entry) that has not expired.
func live(e mapEntry, now time.Time) bool {
	return e.version != 0 && (e.expires.IsZero() || now.Before(e.expires))
}

// Get implements [Store].
func (m *Map) Get(ctx context.Context, key string) (Record, error) {
	r, _, err := m.getUnchanged(ctx, key, nil)
	return r, err
}

// getUnchanged is Get for [Sessions], which keeps the bytes it saved last
// under key: if the stored value is still cached (the same bytes), same
// is true and r.Value is nil; otherwise r.Value is a copy. Stored bytes
// are read only under the shard's lock, never handed out: once Set has
// replaced a value, nobody reads it, so that the caller that stored it
// may reuse its memory ([Sessions] does, for the next record it encodes).
func (m *Map) getUnchanged(ctx context.Context, key string, cached []byte) (r Record, same bool, err error) {
	if err := ctx.Err(); err != nil {
		return Record{}, false, err
	}
	if err := ValidateKey(key); err != nil {
		return Record{}, false, err
	}
	now := m.now()
	s := m.shard(key)
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.m[key]
	if !live(e, now) {
		return Record{}, false, ErrNotFound
	}
	r = Record{Key: key, Version: e.version, ExpiresAt: e.expires}
	if cached != nil && bytes.Equal(cached, e.value) {
		return r, true, nil
	}
	r.Value = slices.Clone(e.value)
	return r, false, nil
}

// Version implements [Versioner].
func (m *Map) Version(ctx context.Context, key string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now := m.now()
	s := m.shard(key)
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.m[key]
	if !live(e, now) {
		return 0, ErrNotFound
	}
	return e.version, nil
}

// Set implements [Store].
func (m *Map) Set(ctx context.Context, p Put) (int64, error) { return m.set(ctx, p, true) }

// setOwned is Set without the copy: the Map keeps p.Value, which the
// caller must not modify while it is stored. [Sessions] uses it for the
// record it has just encoded, and reuses the memory of the value it
// replaces (nobody reads that any more: see getUnchanged).
func (m *Map) setOwned(ctx context.Context, p Put) (int64, error) { return m.set(ctx, p, false) }

func (m *Map) set(ctx context.Context, p Put, clone bool) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := ValidateKey(p.Key); err != nil {
		return 0, err
	}
	if len(p.Value) > m.maxSize {
		return 0, &ValueTooLargeError{Key: p.Key, Size: len(p.Value), Max: m.maxSize}
	}
	if p.TTL < 0 {
		return 0, &KeyError{Key: p.Key, Reason: "negative TTL"}
	}
	now := m.now()
	ne := mapEntry{value: p.Value}
	if clone {
		ne.value = slices.Clone(p.Value)
	}
	if p.TTL > 0 {
		ne.expires = now.Add(p.TTL)
	}
	s := m.shard(p.Key)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[p.Key]
	var cur int64
	if live(e, now) {
		cur = e.version
	}
	if err := CheckVersion(cur, p.IfVersion); err != nil {
		return 0, err
	}
	ne.version = cur + 1
	s.m[p.Key] = ne
	// A map's iteration starts at a random record. A full sweep here held
	// the shard for as long as it was big, every 1,024 writes: with a
	// de-duplication claim stored per turn, that was a turn's tail latency.
	n := 0
	for k, e := range s.m {
		if !live(e, now) {
			delete(s.m, k)
		}
		if n++; n == expirySample {
			break
		}
	}
	return ne.version, nil
}

// Delete implements [Store].
func (m *Map) Delete(ctx context.Context, key string, ifVersion int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := ValidateKey(key); err != nil {
		return err
	}
	now := m.now()
	s := m.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[key]
	var cur int64
	if live(e, now) {
		cur = e.version
	}
	if err := CheckVersion(cur, ifVersion); err != nil {
		return err
	}
	delete(s.m, key)
	return nil
}

// Keys implements [Store].
func (m *Map) Keys(ctx context.Context, prefix string, yield func(string) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := m.now()
	var keys []string
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.RLock()
		for k, e := range s.m {
			if strings.HasPrefix(k, prefix) && live(e, now) {
				keys = append(keys, k)
			}
		}
		s.mu.RUnlock()
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !yield(k) {
			break
		}
	}
	return nil
}

// Len returns the number of live records.
func (m *Map) Len() int {
	now := m.now()
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.RLock()
		for _, e := range s.m {
			if live(e, now) {
				n++
			}
		}
		s.mu.RUnlock()
	}
	return n
}

// A ValueTooLargeError reports a value over a store's size limit.
type ValueTooLargeError struct {
	Key       string
	Size, Max int
}

// Error implements the error interface.
func (e *ValueTooLargeError) Error() string {
	return fmt.Sprintf("memory: value for %q is %d bytes, over the limit of %d", e.Key, e.Size, e.Max)
}
