package memory

import (
	"encoding/json"
	"fmt"
)

// A StateKey names a typed piece of conversation state kept in a
// [Session], as [parley.Key] names a typed annotation of a turn: the
// package that owns the state declares one key and reads and writes
// through it, so no other package needs to know the name or the type.
//
//	var offerKey = memory.NewStateKey[offer]("escalation.offer")
//
//	o, ok, err := offerKey.Get(s)
//	err = offerKey.Set(s, o)
//
// Name the key with its package as prefix: two keys with the same name
// share the stored value. A StateKey is safe for concurrent use; the
// Session it reads is not.
type StateKey[T any] struct{ name string }

// NewStateKey returns a key for state of type T stored under name.
func NewStateKey[T any](name string) *StateKey[T] { return &StateKey[T]{name: name} }

// Name returns the name the state is stored under.
func (k *StateKey[T]) Name() string { return k.name }

// Get decodes the state into a new T. It reports false if s holds none,
// and a [*CorruptError] if it cannot be decoded.
func (k *StateKey[T]) Get(s *Session) (T, bool, error) {
	var v T
	raw, ok := s.State[k.name]
	if !ok {
		return v, false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, true, &CorruptError{Key: s.ID + "#" + k.name, Err: err}
	}
	return v, true, nil
}

// Set stores v as the state, encoded as JSON.
func (k *StateKey[T]) Set(s *Session, v T) error {
	val := any(v) // boxed once, for both
	b, err := json.Marshal(val)
	if err != nil {
		return fmt.Errorf("memory: encode state %q: %w", k.name, err)
	}
	if s.State == nil {
		s.State = make(map[string]json.RawMessage)
	}
	s.State[k.name] = b
	if s.peeked.name == k.name {
		s.peeked.raw, s.peeked.val = b, val
	}
	return nil
}

// Delete removes the state from s.
func (k *StateKey[T]) Delete(s *Session) { delete(s.State, k.name) }

// Peek is [StateKey.Get] for state that several packages read in one
// turn: it decodes the stored bytes once and returns the same value until
// they change, and after [StateKey.Set] it returns the value set without
// decoding it. The value is shared: replace it with Set, never modify it
// in place (its maps, slices and pointers included). A session remembers
// the state of one key at a time, that of the key last peeked.
func (k *StateKey[T]) Peek(s *Session) (T, bool, error) {
	raw, ok := s.State[k.name]
	if !ok {
		var zero T
		return zero, false, nil
	}
	if p := &s.peeked; p.name == k.name && sameBytes(p.raw, raw) {
		if v, ok := p.val.(T); ok { // another key of the same name may hold another type
			return v, true, nil
		}
	}
	v, _, err := k.Get(s)
	if err != nil {
		return v, true, err
	}
	s.peeked = peeked{name: k.name, raw: raw, val: v}
	return v, true, nil
}

// peeked is the decoded state of one key. It holds no mutable data of its
// own, so a copied Session (see [Session.Clone]) may share it: the copy's
// State bytes are new slices, which never match raw.
type peeked struct {
	name string
	raw  []byte
	val  any
}

// sameBytes reports whether a and b are the same slice (not merely equal
// bytes): storing state always replaces the slice.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}
