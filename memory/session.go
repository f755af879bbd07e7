package memory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/parleyhq/parley/internal/cache"
)

// Role says who wrote a history [Entry].
type Role string

// Roles of history entries.
const (
	RoleUser   Role = "user"
	RoleBot    Role = "bot"
	RoleAgent  Role = "agent"
	RoleSystem Role = "system"
)

// An Entry is one message in a conversation's history.
type Entry struct {
	Role Role      `json:"role"`
	Text string    `json:"text,omitempty"`
	Time time.Time `json:"time"`
	// MessageID is the channel's ID for an inbound message.
	MessageID string `json:"mid,omitempty"`
	// Channel the message came in or went out on.
	Channel string `json:"ch,omitempty"`
	// Meta holds small annotations (intent, sentiment) worth keeping.
	Meta map[string]string `json:"meta,omitempty"`
}

// A Session is the stored state of one conversation: per-package state,
// a bounded window of recent history, and counters. Packages keep their own
// state through a [StateKey] each declares.
//
// A Session is not safe for concurrent use: one goroutine owns it between
// [Sessions.Load] and [Sessions.Save].
type Session struct {
	// ID is the conversation ID.
	ID string `json:"id"`
	// CustomerID is the customer the conversation belongs to, if known.
	CustomerID string `json:"customer,omitempty"`
	// Version is the store version the session was loaded at; 0 for a new
	// session. Save uses it as the precondition.
	Version int64 `json:"-"`
	// Created and Updated are set by Save.
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Turns counts every inbound turn the conversation has had, including
	// those that fell out of the history window.
	Turns int `json:"turns"`
	// Messages counts every history entry ever appended.
	Messages int `json:"messages"`
	// History is the most recent entries, oldest first, at most the window
	// size of the [Sessions] that saved it.
	History []Entry `json:"history,omitempty"`
	// State maps a package name ("flow", "sentiment") to its JSON state.
	State map[string]json.RawMessage `json:"state,omitempty"`
	// Seen holds the channel message IDs of the most recent inbound turns,
	// used to drop redelivered webhooks.
	Seen []string `json:"seen,omitempty"`
	// Format is the record format version; see [SessionFormat].
	Format int `json:"v"`

	// key is SessionKey(ID), made once per conversation: copies of a
	// cached session carry it, so a turn does not build it twice.
	key string
	// slot is the slot of key's record in the *Map it was loaded from
	// or saved to, if any: the next load and save go to it directly.
	slot *mapSlot
	// enc is how History was last saved, when this session came from the
	// cache: Save copies the JSON of the entries that did not change.
	enc *encodedHistory
	// peeked is the state StateKey.Peek last decoded or Set stored.
	peeked peeked
	// histBuf and seenBuf are the whole arrays History and Seen were
	// copied into by Load, which Save's trimming cuts the front off:
	// [Sessions.Release] reuses them whole.
	histBuf []Entry
	seenBuf []string
}

// SessionFormat is the record format version this package writes. A
// record with a larger number was written by a newer Parley and is reported
// as a [*CorruptError] rather than misread.
const SessionFormat = 1

// Append adds e to the history and counts it.
func (s *Session) Append(e Entry) {
	s.History = append(s.History, e)
	s.Messages++
}

// HasSeen reports whether an inbound message ID was already processed.
func (s *Session) HasSeen(messageID string) bool {
	return messageID != "" && slices.Contains(s.Seen, messageID)
}

// MarkSeen records an inbound message ID as processed.
func (s *Session) MarkSeen(messageID string) {
	if messageID != "" && !s.HasSeen(messageID) {
		s.Seen = append(s.Seen, messageID)
	}
}

// Clone returns a deep copy of s.
func (s *Session) Clone() *Session {
	c := *s
	c.enc, c.histBuf, c.seenBuf = nil, nil, nil
	// Room for a turn's new entries and message ID, so that appending
	// does not reallocate.
	c.History = append(make([]Entry, 0, len(s.History)+4), s.History...)
	if s.Seen != nil {
		c.Seen = append(make([]string, 0, len(s.Seen)+1), s.Seen...)
	}
	if s.State != nil {
		c.State = make(map[string]json.RawMessage, len(s.State))
		for k, v := range s.State {
			c.State[k] = slices.Clone(v)
		}
	}
	return &c
}

// Sessions is a typed front over a [Store] for conversation sessions:
// JSON records under "session/<id>", saved with optimistic concurrency.
//
// Sessions is safe for concurrent use.
type Sessions struct {
	store Store
	// m is store when it is a *Map itself: Sessions then reads records
	// without copying them and reuses the buffers of replaced ones.
	m      *Map
	window int
	seen   int
	ttl    time.Duration

	// cache holds recently saved sessions, decoded, keyed by ID. An entry
	// is used only if the store still holds the same version and bytes, so
	// other replicas' writes (and re-creations) are never missed. Save
	// caches a copy; Load takes the entry out of the cache and hands it
	// over, so a caller that abandons its changes (a failed turn) never
	// leaks them into the cache, and a turn costs one copy, not two.
	cache    *cache.Cache[cachedSession]
	cacheCap int
	// spare holds released sessions, whose memory Load reuses.
	spare sync.Pool
	// records holds *recordBuf: buffers of records that a Map no longer
	// holds, for the next save to encode into (with a Map only: see save).
	records sync.Pool
}

// A recordBuf carries a record buffer through Sessions.records.
type recordBuf struct{ b []byte }

// A SessionsOption configures [Sessions].
type SessionsOption func(*Sessions)

// WithHistoryWindow keeps the n most recent history entries (default 20).
// Older entries still count in [Session.Messages].
func WithHistoryWindow(n int) SessionsOption {
	return func(s *Sessions) { s.window = max(n, 0) }
}

// WithSessionTTL makes an idle session expire after d (default 30 days).
// Every save extends it.
func WithSessionTTL(d time.Duration) SessionsOption {
	return func(s *Sessions) { s.ttl = d }
}

// WithSessionCache keeps up to n recently saved sessions decoded in memory
// (default 4096; 0 disables it). A cached session is used only while the
// store holds the same record (version and bytes), so it is safe with many
// replicas; it saves decoding the record on every turn.
func WithSessionCache(n int) SessionsOption {
	return func(s *Sessions) { s.cacheCap = max(n, 0) }
}

// NewSessions returns a session front over store. It panics if store is nil.
func NewSessions(store Store, opts ...SessionsOption) *Sessions {
	if store == nil {
		panic("memory: NewSessions with nil store")
	}
	s := &Sessions{store: store, window: 20, seen: 32, ttl: 30 * 24 * time.Hour, cacheCap: 4096}
	// Only a *Map itself: a wrapper that embeds one and overrides Get or
	// Set must be called through them.
	if m, ok := store.(*Map); ok {
		s.m = m
	}
	for _, o := range opts {
		o(s)
	}
	s.cache = cache.New[cachedSession](s.cacheCap)
	return s
}

// Store returns the underlying store.
func (ss *Sessions) Store() Store { return ss.store }

// sessionPrefix starts the store key of every session.
const sessionPrefix = "session/"

// SessionKey returns the store key of a conversation's session.
func SessionKey(id string) string { return sessionPrefix + id }

// storeKey returns SessionKey(s.ID), made once.
func (s *Session) storeKey() string {
	if len(s.key) != len(sessionPrefix)+len(s.ID) || s.key[len(sessionPrefix):] != s.ID {
		s.key, s.slot = SessionKey(s.ID), nil // the slot was the old key's
	}
	return s.key
}

// New returns an empty, unsaved session for conversation id.
func (ss *Sessions) New(id string) *Session {
	return &Session{ID: id, Format: SessionFormat}
}

// Load returns the stored session of conversation id, or [ErrNotFound].
func (ss *Sessions) Load(ctx context.Context, id string) (*Session, error) {
	// The cached session, if any, is taken first: it knows the key.
	var c cachedSession
	if ss.cacheCap > 0 {
		c, _ = ss.cache.Take(id)
	}
	key := ""
	if c.s != nil && c.s.ID == id {
		key = c.s.storeKey()
	} else {
		key = SessionKey(id)
	}
	// No shortcut through Versioner: a version repeats when a session is
	// deleted (erased, expired) and re-created by another replica, so only
	// the record's bytes prove that a cached copy is current.
	var rec Record
	var err error
	var slot *mapSlot
	same := false // the store holds c.raw
	if ss.m != nil {
		var hint *mapSlot
		if c.s != nil && c.s.ID == id {
			hint = c.s.slot
		}
		rec, same, slot, err = ss.m.getUnchanged(ctx, key, c.raw, hint)
	} else {
		rec, err = ss.store.Get(ctx, key)
		same = err == nil && c.s != nil && bytes.Equal(c.raw, rec.Value)
	}
	if err != nil {
		if c.s != nil && !errors.Is(err, ErrNotFound) {
			// The store failed, not the cache: keep it for the retry.
			ss.cache.Put(id, c)
		}
		return nil, err
	}
	if s := ss.cached(c, rec.Version, same); s != nil {
		s.slot = slot
		return s, nil
	}
	s := new(Session)
	if err := json.Unmarshal(rec.Value, s); err != nil {
		return nil, &CorruptError{Key: key, Err: err}
	}
	if s.Format > SessionFormat {
		return nil, &CorruptError{Key: key, Err: fmt.Errorf("format %d written by a newer version (this one reads up to %d)", s.Format, SessionFormat)}
	}
	if s.ID != id {
		return nil, &CorruptError{Key: key, Err: fmt.Errorf("holds session %q", s.ID)}
	}
	s.Version = rec.Version
	s.key, s.slot = key, slot
	return s, nil
}

// LoadOrNew loads the session of conversation id, or returns a new one if
// there is none.
func (ss *Sessions) LoadOrNew(ctx context.Context, id string) (*Session, error) {
	s, err := ss.Load(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return ss.New(id), nil
	}
	return s, err
}

// Save trims the history to the window and writes s if nobody else saved
// the session since it was loaded; otherwise it returns [ErrConflict] and s
// is unchanged. On success s.Version is the new version.
func (ss *Sessions) Save(ctx context.Context, s *Session) error { return ss.save(ctx, s, false) }

// save is Save; with give, s is the cache's once saved (SaveAndRelease).
func (ss *Sessions) save(ctx context.Context, s *Session, give bool) error {
	now := time.Now()
	if s.Created.IsZero() {
		s.Created = now
	}
	s.Updated = now
	s.Format = SessionFormat
	// Trim by re-slicing: moving the entries down would copy the whole
	// window on every turn.
	trimmed := 0
	if over := len(s.History) - ss.window; over > 0 {
		s.History = s.History[over:]
		trimmed = over
	}
	if over := len(s.Seen) - ss.seen; over > 0 {
		s.Seen = s.Seen[over:]
	}
	// With a Map, the record is encoded into the buffer of one the Map
	// has replaced, if there is one of about the right size: a much
	// larger one would sit in the Map with the record, and a conversation
	// left idle would keep it.
	hint := s.sizeHint()
	var rb *recordBuf
	var buf []byte
	if ss.m != nil {
		if rb, _ = ss.records.Get().(*recordBuf); rb != nil && cap(rb.b) >= hint && cap(rb.b)-hint <= hint/4 {
			buf = rb.b[:0]
		}
	}
	// The entries loaded from the cache that are still there are copied
	// from the record they were saved in, not encoded again, so that a
	// turn's cost does not grow with the history window.
	b, offs := s.appendJSON(buf, hint, s.enc, trimmed)
	// b is the store's from here on (a Map keeps it) and the cache's: it
	// is never modified while the store holds it.
	put := Put{Key: s.storeKey(), Value: b, IfVersion: s.Version, TTL: ss.ttl}
	var v int64
	var err error
	if ss.m != nil {
		v, s.slot, err = ss.m.setOwned(ctx, put, s.slot)
	} else {
		v, err = ss.store.Set(ctx, put)
	}
	if err != nil {
		if rb != nil {
			ss.records.Put(rb) // the Map did not keep b
		}
		return err
	}
	s.Version = v
	old := s.enc
	s.enc = nil
	if ss.m != nil {
		ss.recycle(rb, old)
	}
	if give {
		ss.keep(s, b, offs, old)
	} else {
		ss.remember(s, b, offs, old)
	}
	return nil
}

// SaveAndRelease is [Sessions.Save] followed by [Sessions.Release], for a
// caller done with s once it is saved (a [parley.Bot] at the end of a
// turn): s is ss's afterwards, whether or not the save succeeded, and
// nothing read from it may be used. With the session cache on, a
// successful save caches s itself instead of a copy, which saves copying
// the history window on every turn.
func (ss *Sessions) SaveAndRelease(ctx context.Context, s *Session) error {
	if ss.cacheCap == 0 {
		return ss.Save(ctx, s)
	}
	if err := ss.save(ctx, s, true); err != nil {
		ss.Release(s)
		return err
	}
	return nil
}

// Delete removes the session of conversation id.
func (ss *Sessions) Delete(ctx context.Context, id string) error {
	ss.uncache(id)
	return ss.store.Delete(ctx, SessionKey(id), AnyVersion)
}

// cached returns the session of c, the cached session of a conversation
// that Load took out of the cache, if it is the one stored at version
// (same: the store holds c.raw).
//
// The turn gets a session in a released one's memory: its own copy of the
// history window, and the cached session's Seen and State themselves
// (taking the entry out of the cache made them the load's alone). The
// cached session keeps its history, as the [encodedHistory] the next
// save compares the turn's entries with (a caller may change an entry in
// place), and takes the released session's Seen and State memory, for a
// later save or load to reuse.
func (ss *Sessions) cached(c cachedSession, version int64, same bool) *Session {
	if c.s == nil || c.s.Version != version || !same {
		return nil
	}
	s, _ := ss.spare.Get().(*Session)
	if s == nil {
		s = new(Session)
	}
	c.s.moveTo(s)
	enc := c.enc
	if enc == nil {
		enc = new(encodedHistory)
	}
	*enc = encodedHistory{entries: c.s.History, seen: c.s.seenBuf[:0], state: c.s.State, raw: c.raw, offs: c.offs, spareOffs: c.spare, sess: c.s}
	s.enc = enc
	return s
}

// moveTo makes dst the session s is, in dst's memory (a released
// session's), with room for a turn's new entries and message ID: dst
// gets a copy of the history and s's Seen and State themselves, and s
// gets dst's Seen and State memory (whoever uses it next empties it).
// Copying Seen and State (a map) cost as much as copying the history,
// and nothing needs them as they were: Save encodes both whole.
func (s *Session) moveTo(dst *Session) {
	hist, seen, state := dst.histBuf, dst.seenBuf, dst.State
	*dst = *s
	dst.enc = nil
	if n := len(s.History); cap(hist) < n+4 {
		hist = make([]Entry, n+8)
	}
	dst.histBuf = hist[:cap(hist)]
	dst.History = append(hist[:0], s.History...)
	// Save trims Seen by re-slicing: once no room is left behind its
	// end, its entries move to the front of the array, or to a new one.
	if n := len(s.Seen); s.Seen != nil && cap(s.Seen) == n {
		whole := wholeArray(s.Seen, s.seenBuf)
		if cap(whole) < n+1 {
			whole = make([]string, n+4)
		}
		dst.Seen = whole[:copy(whole[:cap(whole)], s.Seen)]
		dst.seenBuf = whole[:cap(whole)]
	}
	// The memory s gets is emptied by whoever uses it next (remember).
	s.Seen, s.seenBuf, s.State = nil, seen[:cap(seen)], state
}

// recycle gives ss.records the buffer of the record a successful save
// replaced: the one the session was loaded with from the cache (old.raw),
// which the Map held (or had dropped) and no longer does. Nobody else
// reads it: the Map reads its values only under its locks and hands out
// copies ([Map.getUnchanged]); the cache entry that held it was taken by
// the load; and a stale shallow copy of the session finds old emptied
// (keep, remember). rb, if not nil, is the holder save took from the
// pool, whose buffer the Map now holds or that went unused.
func (ss *Sessions) recycle(rb *recordBuf, old *encodedHistory) {
	if old == nil || old.raw == nil {
		if rb != nil {
			rb.b = nil
			ss.records.Put(rb)
		}
		return
	}
	if rb == nil {
		rb = new(recordBuf)
	}
	rb.b = old.raw[:0]
	ss.records.Put(rb)
}

// sameArray reports whether a and b are slices of one array (they end at
// the same element of it).
func sameArray[T any](a, b []T) bool {
	return cap(a) > 0 && cap(b) > 0 && &a[:cap(a)][cap(a)-1] == &b[:cap(b)][cap(b)-1]
}

// wholeArray returns s's array from s's first element to its end, or the
// whole of buf when s is a slice of buf.
func wholeArray[T any](s, buf []T) []T {
	if sameArray(s, buf) {
		return buf
	}
	return s[:cap(s)]
}

// Release gives ss the memory of s, a session the caller loaded or saved
// and will not use again, for a later Load to reuse: nothing read from s
// (such as its History slice) may be used afterwards either, and s must
// not be released twice. Releasing is optional; a session that is not
// released is collected as usual. A [parley.Bot] releases each turn's
// session when the turn has ended (with [Sessions.SaveAndRelease] when it
// saves it then), which keeps the cost of a turn independent of the
// length of the history window.
func (ss *Sessions) Release(s *Session) {
	if s == nil || ss.cacheCap == 0 {
		return
	}
	*s = Session{histBuf: wholeArray(s.History, s.histBuf), seenBuf: wholeArray(s.Seen, s.seenBuf), State: s.State}
	ss.spare.Put(s)
}

// remember caches a copy of s, just saved as raw, with where each history
// entry is in raw (see [encodedHistory]). old is the cached session s was
// loaded with, if any: s's alone, so its memory is reused.
func (ss *Sessions) remember(s *Session, raw []byte, offs []int32, old *encodedHistory) {
	if ss.cacheCap == 0 {
		return
	}
	var hist []Entry
	var seen []string
	var state map[string]json.RawMessage
	var spare []int32
	var c *Session
	if old != nil {
		hist, seen, state, spare, c = old.entries[:0], old.seen[:0], old.state, old.offs, old.sess
		clear(state)
		// Emptied, so that a stale copy of the pointer (a shallow copy of
		// the session) finds nothing to copy from; the next load reuses it.
		*old = encodedHistory{}
	}
	if c == nil {
		c = new(Session)
	}
	*c = *s
	c.enc, c.histBuf, c.seenBuf = nil, nil, nil
	c.History = append(hist, s.History...)
	c.Seen = append(seen, s.Seen...)
	c.State = nil
	if len(s.State) > 0 {
		if state == nil {
			state = make(map[string]json.RawMessage, len(s.State))
		}
		for k, v := range s.State {
			state[k] = slices.Clone(v)
		}
		c.State = state
	}
	// The peeked state goes with the copy of its bytes, so that the next
	// turn's load (which shares the cached state values) finds it decoded.
	c.peeked = peeked{}
	if p := s.peeked; p.name != "" && sameBytes(p.raw, s.State[p.name]) {
		p.raw = c.State[p.name]
		c.peeked = p
	}
	ss.cache.Put(s.ID, cachedSession{s: c, raw: raw, offs: offs, spare: spare, enc: old})
}

// keep caches s itself, just saved as raw, with where each history entry
// is in raw: its caller gave it up. old is the cached session s was
// loaded with, if any: s's alone, so its memory serves a later load, as
// a released session's does.
func (ss *Sessions) keep(s *Session, raw []byte, offs []int32, old *encodedHistory) {
	var spare []int32
	if old != nil {
		spare = old.offs
		if c := old.sess; c != nil {
			*c = Session{histBuf: wholeArray(old.entries, c.histBuf), seenBuf: wholeArray(old.seen, c.seenBuf), State: old.state}
			ss.spare.Put(c)
		}
		// Emptied, as in remember; the next load reuses it.
		*old = encodedHistory{}
	}
	s.histBuf, s.seenBuf = wholeArray(s.History, s.histBuf), wholeArray(s.Seen, s.seenBuf)
	if p := s.peeked; p.name != "" && !sameBytes(p.raw, s.State[p.name]) {
		s.peeked = peeked{}
	}
	ss.cache.Put(s.ID, cachedSession{s: s, raw: raw, offs: offs, spare: spare, enc: old})
}

// A cachedSession is a decoded session and the record bytes it was saved
// as, with where each history entry is in them. s is never handed out nor
// changed while it is in the cache.
type cachedSession struct {
	s    *Session
	raw  []byte
	offs []int32
	// spare is memory for the offsets of the next save.
	spare []int32
	// enc, if not nil, is an emptied encodedHistory for the next load to
	// reuse.
	enc *encodedHistory
}

func (ss *Sessions) uncache(id string) {
	if ss.cacheCap == 0 {
		return
	}
	ss.cache.Delete(id)
}
