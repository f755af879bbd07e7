package memory

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"time"
)

// ErrLocked is returned by [Locker.Lock] when another holder has the lease.
var ErrLocked = errors.New("memory: locked")

// ErrLeaseLost is returned by [Lease.Renew] when the lease expired or was
// taken over: the holder must stop the work it guarded.
var ErrLeaseLost = errors.New("memory: lease lost")

// A Locker grants leases: exclusive, expiring claims on a key that every
// replica sharing the backend respects. A holder that dies leaves a lease
// that expires by itself after its TTL.
//
// Implementations must be safe for concurrent use. Lock returns
// [ErrLocked] when the lease is held by someone else, or the backend's
// error.
type Locker interface {
	Lock(ctx context.Context, key string, ttl time.Duration) (Lease, error)
}

// A Lease is a held lock. It is used by one goroutine at a time.
type Lease interface {
	// Renew extends the lease to ttl from now. It returns [ErrLeaseLost]
	// when the lease expired or another holder has it.
	Renew(ctx context.Context, ttl time.Duration) error
	// Unlock releases the lease. Releasing a lease that was lost is not
	// an error.
	Unlock(ctx context.Context) error
	// Expires returns the local time by which the lease expires at the
	// latest, unless renewed. It is measured before the write that set
	// the backend's TTL, so it is never later than the backend's expiry.
	Expires() time.Time
}

// NewLocker returns a [Locker] that keeps leases as records of s under
// "lock/" + key, created with [Absent] and a TTL, renewed and deleted with
// their version as precondition. Any [Store] works, so leases live in the
// same backend as the sessions they guard.
func NewLocker(s Store) Locker {
	return &storeLocker{s: s, owner: []byte(crand.Text()[:16])}
}

type storeLocker struct {
	s     Store
	owner []byte
}

// LockKey returns the store key under which [NewLocker]'s leases on key
// are kept.
func LockKey(key string) string { return "lock/" + key }

func (l *storeLocker) Lock(ctx context.Context, key string, ttl time.Duration) (Lease, error) {
	now := time.Now()
	v, err := l.s.Set(ctx, Put{Key: LockKey(key), Value: l.owner, IfVersion: Absent, TTL: ttl})
	if errors.Is(err, ErrConflict) {
		return nil, ErrLocked
	}
	if err != nil {
		return nil, fmt.Errorf("memory: lock %q: %w", key, err)
	}
	return &storeLease{l: l, key: LockKey(key), version: v, expires: now.Add(ttl)}, nil
}

type storeLease struct {
	l       *storeLocker
	key     string
	version int64
	expires time.Time
}

func (s *storeLease) Expires() time.Time { return s.expires }

func (s *storeLease) Renew(ctx context.Context, ttl time.Duration) error {
	now := time.Now()
	if now.After(s.expires) {
		// Paused past the expiry: another holder may have the lease now,
		// possibly at the same version.
		return ErrLeaseLost
	}
	ctx, cancel := context.WithDeadline(ctx, s.expires)
	defer cancel()
	v, err := s.l.s.Set(ctx, Put{Key: s.key, Value: s.l.owner, IfVersion: s.version, TTL: ttl})
	switch {
	case err == nil:
		s.version, s.expires = v, now.Add(ttl)
		return nil
	case errors.Is(err, ErrConflict), time.Now().After(s.expires):
		return fmt.Errorf("%w: %q: %w", ErrLeaseLost, s.key, err)
	}
	return fmt.Errorf("memory: renew %q: %w", s.key, err)
}

func (s *storeLease) Unlock(ctx context.Context) error {
	if time.Now().After(s.expires) {
		return nil // it may be someone else's now, at the same version
	}
	err := s.l.s.Delete(ctx, s.key, s.version)
	if err == nil || errors.Is(err, ErrConflict) {
		return nil
	}
	return fmt.Errorf("memory: unlock %q (it expires by itself): %w", s.key, err)
}
