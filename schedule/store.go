package schedule

import (
	"context"
	"time"
)

// A Store keeps scheduled jobs durably and hands due ones to workers under
// leases, so that jobs survive restarts and each fires on one replica at a
// time. The [Scheduler] is its only intended caller; implementations pass
// the conformance suite in schedule/scheduletest.
//
// Times come from the caller (the Scheduler passes time.Now), so replicas
// sharing a store must have clocks that agree to well within the lease.
// Stores keep times to the microsecond.
//
// Implementations must be safe for concurrent use, also by several
// processes sharing the backend.
type Store interface {
	// Schedule stores jobs, each replacing any job with its ID (claimed
	// or not: a replaced job's claim is lost). Attempt restarts at 0. It
	// stores all of the jobs or, on an error, possibly only some; jobs
	// are validated by the caller.
	Schedule(ctx context.Context, jobs ...Job) error
	// Cancel deletes the job with the ID, claimed or not. It returns
	// [ErrNotFound] when there is none.
	Cancel(ctx context.Context, id string) error
	// Erase deletes every job whose Key is key and returns how many. The
	// empty key is no key: erasing it deletes nothing.
	Erase(ctx context.Context, key string) (int, error)
	// Claim hands out up to limit jobs that are claimable at now,
	// earliest first, leasing each until until and counting its attempt.
	// A job is claimable from its Due, from the expiry of its last lease
	// (its worker died), or from the next time of its last Release (a
	// retry), and is ordered by that time. Two calls never get the same
	// job under overlapping leases.
	Claim(ctx context.Context, now, until time.Time, limit int) ([]Claim, error)
	// Extend moves c's lease to until. It returns [ErrLeaseLost] when c
	// is no longer the job's claim.
	Extend(ctx context.Context, c Claim, until time.Time) error
	// Release ends c: with a zero next it deletes the job (it fired, or
	// was given up); otherwise it keeps the job, unclaimed, claimable
	// again from next (a retry), with its Due unchanged. It returns
	// [ErrLeaseLost] when c is no longer the job's claim, and then
	// changes nothing.
	Release(ctx context.Context, c Claim, next time.Time) error
}

// A Watcher is a [Store] that can say when its next job is claimable and
// when that may have changed, so that an idle [Scheduler] sleeps until
// then instead of polling. [Memory] is one; stores shared between
// processes poll instead.
type Watcher interface {
	Store
	// Next returns the earliest time at which a job is claimable (the
	// zero time when the store is empty) and a channel closed when that
	// may have changed.
	Next(ctx context.Context) (time.Time, <-chan struct{}, error)
}
