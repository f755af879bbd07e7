package memory

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
func (k *StateKey[T]) Get(s *Session) (T, bool, error) { return GetState[T](s, k.name) }

// Set stores v as the state, encoded as JSON.
func (k *StateKey[T]) Set(s *Session, v T) error { return SetState(s, k.name, v) }

// Delete removes the state from s.
func (k *StateKey[T]) Delete(s *Session) { DeleteState(s, k.name) }
