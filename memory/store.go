package memory

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned when a key does not exist or has expired.
var ErrNotFound = errors.New("memory: not found")

// ErrConflict is returned by a conditional write when the stored version is
// not the expected one: another writer got there first.
var ErrConflict = errors.New("memory: version conflict")

// Version preconditions for [Put].
const (
	// AnyVersion makes a write unconditional.
	AnyVersion int64 = -1
	// Absent makes a write succeed only if the key does not exist (or has
	// expired): create-only, the basis of de-duplication and leases.
	Absent int64 = 0
)

// A Record is one stored value with its version and expiry.
type Record struct {
	Key     string
	Value   []byte
	Version int64
	// ExpiresAt is the zero time for a record that never expires.
	ExpiresAt time.Time
}

// Put describes a write: the value, its precondition and its time to live.
type Put struct {
	Key   string
	Value []byte
	// IfVersion is the version the record must have for the write to
	// succeed: a version returned by an earlier read or write, [Absent] for
	// create-only, or [AnyVersion] for an unconditional write.
	IfVersion int64
	// TTL is how long the record lives; zero means forever.
	TTL time.Duration
}

// A Store is a key-value store with versioned, conditional writes and
// per-key expiry. It is the one interface every backend implements.
//
// Implementations must be safe for concurrent use. Keys are arbitrary
// non-empty UTF-8 strings of up to [MaxKeyLen] bytes; values are opaque.
type Store interface {
	// Get returns the record stored under key, or [ErrNotFound].
	Get(ctx context.Context, key string) (Record, error)
	// Set writes p atomically if its precondition holds and returns the new
	// version. It returns [ErrConflict] if the precondition fails.
	Set(ctx context.Context, p Put) (int64, error)
	// Delete removes key. ifVersion is a precondition as in [Put.IfVersion];
	// deleting a missing key with [AnyVersion] is not an error.
	Delete(ctx context.Context, key string, ifVersion int64) error
	// Keys calls yield with every live key that starts with prefix, in
	// lexical order, until yield returns false.
	Keys(ctx context.Context, prefix string, yield func(key string) bool) error
}

// A Versioner is a [Store] that can report a key's current version without
// reading its value. It is an optional capability, checked by type
// assertion. A version repeats when a key is deleted (or expires) and is
// written again, so an unchanged version does not prove an unchanged
// value. It returns [ErrNotFound] for a missing key.
type Versioner interface {
	Version(ctx context.Context, key string) (int64, error)
}

// MaxKeyLen is the longest key every Store must accept.
const MaxKeyLen = 1024

// ValidateKey reports whether key is acceptable to every Store. Backends
// call it so that a bad key fails the same way everywhere.
func ValidateKey(key string) error {
	if key == "" {
		return &KeyError{Key: key, Reason: "empty key"}
	}
	if len(key) > MaxKeyLen {
		return &KeyError{Key: key[:32] + "...", Reason: fmt.Sprintf("key longer than %d bytes", MaxKeyLen)}
	}
	return nil
}

// A KeyError reports a key that no Store accepts.
type KeyError struct {
	Key    string
	Reason string
}

// Error implements the error interface.
func (e *KeyError) Error() string { return fmt.Sprintf("memory: key %q: %s", e.Key, e.Reason) }

// A CorruptError reports a stored record that cannot be decoded, or one
// written by a newer, incompatible version of Parley.
type CorruptError struct {
	Key string
	Err error
}

// Error implements the error interface.
func (e *CorruptError) Error() string { return fmt.Sprintf("memory: record %q: %v", e.Key, e.Err) }

// Unwrap returns the underlying error.
func (e *CorruptError) Unwrap() error { return e.Err }

// CheckVersion reports whether a record with version current (0 when absent)
// satisfies the precondition want. Backends that compare in Go use it.
func CheckVersion(current, want int64) error {
	if want == AnyVersion || want == current {
		return nil
	}
	return ErrConflict
}
