package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

var (
	_ Store     = (*Map)(nil)
	_ Versioner = (*Map)(nil)
)

// Map is an in-memory [Store] with TTLs. It is the default store and the one
// tests use. Expired records are invisible at once and their memory is
// reclaimed lazily, on access and by a sweep every few thousand writes.
//
// A Map is safe for concurrent use. The zero value is not usable; call
// [NewMap].
type Map struct {
	now func() time.Time

	mu      sync.RWMutex
	m       map[string]*mapEntry
	writes  int
	maxSize int
}

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
	m := &Map{now: time.Now, m: make(map[string]*mapEntry), maxSize: 16 << 20}
	for _, o := range opts {
		o(m)
	}
	return m
}

func (m *Map) live(e *mapEntry, now time.Time) bool {
	return e != nil && (e.expires.IsZero() || now.Before(e.expires))
}

// Get implements [Store].
func (m *Map) Get(ctx context.Context, key string) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	if err := ValidateKey(key); err != nil {
		return Record{}, err
	}
	now := m.now()
	m.mu.RLock()
	e := m.m[key]
	if !m.live(e, now) {
		m.mu.RUnlock()
		return Record{}, ErrNotFound
	}
	r := Record{Key: key, Value: slices.Clone(e.value), Version: e.version, ExpiresAt: e.expires}
	m.mu.RUnlock()
	return r, nil
}

// Version implements [Versioner].
func (m *Map) Version(ctx context.Context, key string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now := m.now()
	m.mu.RLock()
	defer m.mu.RUnlock()
	e := m.m[key]
	if !m.live(e, now) {
		return 0, ErrNotFound
	}
	return e.version, nil
}

// Set implements [Store].
func (m *Map) Set(ctx context.Context, p Put) (int64, error) {
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
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.m[p.Key]
	var cur int64
	if m.live(e, now) {
		cur = e.version
	}
	if err := CheckVersion(cur, p.IfVersion); err != nil {
		return 0, err
	}
	ne := &mapEntry{value: slices.Clone(p.Value), version: cur + 1}
	if p.TTL > 0 {
		ne.expires = now.Add(p.TTL)
	}
	m.m[p.Key] = ne
	m.writes++
	if m.writes%4096 == 0 {
		m.sweepLocked(now)
	}
	return ne.version, nil
}

func (m *Map) sweepLocked(now time.Time) {
	for k, e := range m.m {
		if !m.live(e, now) {
			delete(m.m, k)
		}
	}
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
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.m[key]
	var cur int64
	if m.live(e, now) {
		cur = e.version
	}
	if err := CheckVersion(cur, ifVersion); err != nil {
		return err
	}
	delete(m.m, key)
	return nil
}

// Keys implements [Store].
func (m *Map) Keys(ctx context.Context, prefix string, yield func(string) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := m.now()
	m.mu.RLock()
	var keys []string
	for k, e := range m.m {
		if strings.HasPrefix(k, prefix) && m.live(e, now) {
			keys = append(keys, k)
		}
	}
	m.mu.RUnlock()
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
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, e := range m.m {
		if m.live(e, now) {
			n++
		}
	}
	return n
}

// A ValueTooLargeError reports a value over a store's size limit.
type ValueTooLargeError struct {
	Key       string
	Size, Max int
}

func (e *ValueTooLargeError) Error() string {
	return fmt.Sprintf("memory: value for %q is %d bytes, over the limit of %d", e.Key, e.Size, e.Max)
}
