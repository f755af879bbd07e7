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
// reclaimed lazily: every Set looks at a few records picked at random and
// drops those that expired, so at most about a third as many expired
// records as live ones are kept, and no write stops to sweep the store.
// ([Sessions] writes a conversation's record again without looking.)
//
// A Map is safe for concurrent use. The zero value is not usable; call
// [NewMap].
type Map struct {
	maxSize int
	seed    maphash.Seed
	shards  [mapShards]mapShard
}

type mapShard struct {
	mu sync.RWMutex
	m  map[string]*mapSlot
	_  [96]byte // keep shards on separate cache lines
}

// expirySample is how many records a write looks at to reclaim expired
// ones.
const expirySample = 4

// A mapSlot holds the record of one key, under a lock of its own. A slot
// stays in its shard while the key has a record (expired or not); the
// shard's lock orders only adding and removing slots. [Sessions] keeps
// the slot of each conversation's record and reads and writes it without
// looking the key up or locking its shard: a turn then writes no memory
// that the turns of other conversations (on other cores) write too. A
// slot is 56 bytes, allocated in the 64-byte size class: one cache line,
// which the slots of two conversations never share.
type mapSlot struct {
	mu sync.Mutex
	mapEntry
	owner *Map
}

// A mapEntry is a record. Its version is 0 in a slot not yet written and
// slotGone in one that left its shard (whoever holds it looks the key up
// again); expires is in Unix nanoseconds, 0 for never.
type mapEntry struct {
	value   []byte
	version int64
	expires int64
}

// slotGone is the version of a slot that left its shard.
const slotGone = -1

// A MapOption configures a [Map].
type MapOption func(*Map)

// WithMaxValueSize makes Set reject values larger than n bytes with a
// [*ValueTooLargeError]. The default is 16 MiB.
func WithMaxValueSize(n int) MapOption {
	return func(m *Map) { m.maxSize = n }
}

// NewMap returns an empty in-memory store.
func NewMap(opts ...MapOption) *Map {
	m := &Map{maxSize: 16 << 20, seed: maphash.MakeSeed()}
	for i := range m.shards {
		m.shards[i].m = make(map[string]*mapSlot)
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
	return e.version > 0 && (e.expires == 0 || now.UnixNano() < e.expires)
}

// Get implements [Store].
func (m *Map) Get(ctx context.Context, key string) (Record, error) {
	r, _, _, err := m.getUnchanged(ctx, key, nil, nil)
	return r, err
}

// lookup returns key's slot, locked, or nil if key has none.
func (m *Map) lookup(key string) *mapSlot {
	s := m.shard(key)
	s.mu.RLock()
	sl := s.m[key]
	if sl != nil {
		// Locked before the shard is unlocked: the slot cannot leave
		// the shard in between (removing it takes both locks).
		sl.mu.Lock()
	}
	s.mu.RUnlock()
	return sl
}

// held locks and returns sl if it is a slot of m still in its shard;
// otherwise it returns nil. The caller knows that sl is its key's.
func (m *Map) held(sl *mapSlot) *mapSlot {
	if sl == nil || sl.owner != m {
		return nil
	}
	sl.mu.Lock()
	if sl.version == slotGone {
		sl.mu.Unlock()
		return nil
	}
	return sl
}

// getUnchanged is Get for [Sessions], which keeps the bytes it saved last
// under key and the key's slot (hint, from an earlier call; nil if none):
// if the stored value is still cached (the same bytes), same is true and
// r.Value is nil; otherwise r.Value is a copy. Stored bytes are read only
// under the slot's lock, never handed out: once Set has replaced a value,
// nobody reads it, so that the caller that stored it may reuse its memory
// ([Sessions] does, for the next record it encodes). It returns the
// key's slot, if it has one, for the next call.
func (m *Map) getUnchanged(ctx context.Context, key string, cached []byte, hint *mapSlot) (r Record, same bool, slot *mapSlot, err error) {
	if err := ctx.Err(); err != nil {
		return Record{}, false, nil, err
	}
	sl := m.held(hint)
	if sl == nil {
		if err := ValidateKey(key); err != nil {
			return Record{}, false, nil, err
		}
		if sl = m.lookup(key); sl == nil {
			return Record{}, false, nil, ErrNotFound
		}
	}
	defer sl.mu.Unlock()
	e := sl.mapEntry
	if !live(e, time.Now()) {
		return Record{}, false, sl, ErrNotFound
	}
	r = Record{Key: key, Version: e.version}
	if e.expires != 0 {
		r.ExpiresAt = time.Unix(0, e.expires)
	}
	if cached != nil && bytes.Equal(cached, e.value) {
		return r, true, sl, nil
	}
	r.Value = slices.Clone(e.value)
	return r, false, sl, nil
}

// Version implements [Versioner].
func (m *Map) Version(ctx context.Context, key string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	sl := m.lookup(key)
	if sl == nil {
		return 0, ErrNotFound
	}
	defer sl.mu.Unlock()
	if !live(sl.mapEntry, time.Now()) {
		return 0, ErrNotFound
	}
	return sl.version, nil
}

// Set implements [Store].
func (m *Map) Set(ctx context.Context, p Put) (int64, error) {
	v, _, err := m.set(ctx, p, true, nil)
	return v, err
}

// setOwned is Set without the copy: the Map keeps p.Value, which the
// caller must not modify while it is stored. [Sessions] uses it for the
// record it has just encoded, and reuses the memory of the value it
// replaces (nobody reads that any more: see getUnchanged). hint is the
// key's slot from an earlier call, or nil; it returns the key's slot.
func (m *Map) setOwned(ctx context.Context, p Put, hint *mapSlot) (int64, *mapSlot, error) {
	return m.set(ctx, p, false, hint)
}

func (m *Map) set(ctx context.Context, p Put, clone bool, hint *mapSlot) (int64, *mapSlot, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	if len(p.Value) > m.maxSize {
		return 0, nil, &ValueTooLargeError{Key: p.Key, Size: len(p.Value), Max: m.maxSize}
	}
	if p.TTL < 0 {
		return 0, nil, &KeyError{Key: p.Key, Reason: "negative TTL"}
	}
	now := time.Now()
	ne := mapEntry{value: p.Value}
	if clone {
		ne.value = slices.Clone(p.Value)
	}
	if p.TTL > 0 {
		ne.expires = now.Add(p.TTL).UnixNano()
	}
	// The key's slot, if the caller holds it: no shard is locked.
	if sl := m.held(hint); sl != nil {
		defer sl.mu.Unlock()
		v, err := sl.put(ne, p.IfVersion, now)
		return v, sl, err
	}
	if err := ValidateKey(p.Key); err != nil {
		return 0, nil, err
	}
	s := m.shard(p.Key)
	s.mu.Lock()
	defer s.mu.Unlock()
	sl := s.m[p.Key]
	if sl == nil {
		sl = &mapSlot{owner: m}
		s.m[p.Key] = sl
	}
	sl.mu.Lock()
	v, err := sl.put(ne, p.IfVersion, now)
	if sl.version == 0 {
		// A new slot whose write failed: nothing to keep.
		sl.version = slotGone
		delete(s.m, p.Key)
	}
	sl.mu.Unlock()
	if err != nil {
		return 0, nil, err
	}
	// A map's iteration starts at a random record. A full sweep here held
	// the shard for as long as it was big, every 1,024 writes: with a
	// de-duplication claim stored per turn, that was a turn's tail latency.
	n := 0
	for k, o := range s.m {
		if o != sl {
			o.mu.Lock()
			if !live(o.mapEntry, now) {
				o.mapEntry = mapEntry{version: slotGone}
				delete(s.m, k)
			}
			o.mu.Unlock()
		}
		if n++; n == expirySample {
			break
		}
	}
	return v, sl, nil
}

// put stores e in sl (locked) if its version is ifVersion, and returns
// the new version.
func (sl *mapSlot) put(e mapEntry, ifVersion int64, now time.Time) (int64, error) {
	var cur int64
	if live(sl.mapEntry, now) {
		cur = sl.version
	}
	if err := CheckVersion(cur, ifVersion); err != nil {
		return 0, err
	}
	e.version = cur + 1
	sl.mapEntry = e
	return e.version, nil
}

// Delete implements [Store].
func (m *Map) Delete(ctx context.Context, key string, ifVersion int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := ValidateKey(key); err != nil {
		return err
	}
	now := time.Now()
	s := m.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	sl := s.m[key]
	if sl == nil {
		return CheckVersion(0, ifVersion)
	}
	sl.mu.Lock()
	defer sl.mu.Unlock()
	var cur int64
	if live(sl.mapEntry, now) {
		cur = sl.version
	}
	if err := CheckVersion(cur, ifVersion); err != nil {
		return err
	}
	sl.mapEntry = mapEntry{version: slotGone}
	delete(s.m, key)
	return nil
}

// Keys implements [Store].
func (m *Map) Keys(ctx context.Context, prefix string, yield func(string) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now()
	var keys []string
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.RLock()
		for k, sl := range s.m {
			if strings.HasPrefix(k, prefix) && sl.live(now) {
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
	now := time.Now()
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.RLock()
		for _, sl := range s.m {
			if sl.live(now) {
				n++
			}
		}
		s.mu.RUnlock()
	}
	return n
}

// live reports whether sl holds a record that has not expired.
func (sl *mapSlot) live(now time.Time) bool {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	return live(sl.mapEntry, now)
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
