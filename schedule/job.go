package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Errors of the package. Stores return [ErrNotFound] and [ErrLeaseLost];
// [Scheduler.Schedule] returns [ErrInvalidJob] and [ErrUnknownKind]
// wrapped with the job and the reason.
var (
	// ErrNotFound is returned by [Store.Cancel] and [Scheduler.Cancel]
	// for an ID with no scheduled job.
	ErrNotFound = errors.New("schedule: job not found")
	// ErrLeaseLost is returned by [Store.Extend] and [Store.Release] when
	// the claim is no longer the job's: its lease expired and another
	// worker claimed it, or the job was cancelled, erased or rescheduled.
	ErrLeaseLost = errors.New("schedule: lease lost")
	// ErrInvalidJob is returned for a job that cannot be scheduled: an
	// empty ID or kind, a zero due time, a negative window.
	ErrInvalidJob = errors.New("schedule: invalid job")
	// ErrUnknownKind is returned by [Scheduler.Schedule] for a kind no
	// handler was registered for with [Scheduler.Handle].
	ErrUnknownKind = errors.New("schedule: unknown kind")
	// ErrClosed is returned by [Scheduler.Run] after [Scheduler.Shutdown].
	ErrClosed = errors.New("schedule: scheduler closed")
)

// A Job is a piece of work due at a time: a campaign step, a flow's wait
// timeout, an escalation call-back. It is a plain value; the [Store] keeps
// a copy.
type Job struct {
	// ID names the job and is its idempotency key: scheduling a job whose
	// ID is already scheduled replaces it (a reschedule), so a redelivered
	// business event schedules nothing twice. IDs are unique per store;
	// prefix them with their owner ("flow.wait/", "campaign/").
	ID string
	// Kind selects the [Handler] that fires the job (see
	// [Scheduler.Handle]).
	Kind string
	// Key groups jobs for erasure: usually the customer or conversation
	// ID the job would reach. [Scheduler.Erase] deletes every job with a
	// key. It may be empty.
	Key string
	// Due is when the job fires. Jobs fire in order of their due times,
	// no earlier than Due; how much later depends on the workers and on
	// Window.
	Due time.Time
	// Window is the catch-up policy, for a job that comes due while no
	// scheduler runs (downtime, an outage) or is retried: a job claimed
	// more than Window after Due is skipped (reported as [EventSkipped])
	// instead of fired. Zero fires the job however late.
	Window time.Duration
	// Payload is handed to the handler as it was scheduled.
	Payload []byte
	// Attempt counts the claims of this job, from 1 for the first: set
	// by the Store when the job is claimed, ignored when scheduling.
	Attempt int
}

// FireID returns a stable identifier of this firing of the job: the same
// on every attempt and on every replica, different once the job is
// rescheduled to another due time. Use it as the [parley.Turn] MessageID
// of the turn the job enqueues, or as the idempotency key of the message
// it sends: the Bot's per-message claim turns a second delivery away, so
// a crash between "sent" and "recorded as fired" never sends twice.
//
// [parley.Turn]: https://pkg.go.dev/github.com/parleyhq/parley#Turn
func (j *Job) FireID() string {
	return "job/" + j.ID + "@" + strconv.FormatInt(j.Due.UnixMicro(), 10)
}

// Validate reports whether j can be scheduled: it returns an error
// wrapping [ErrInvalidJob] naming what is wrong, or nil.
func (j *Job) Validate() error {
	var why string
	switch {
	case j.ID == "":
		why = "empty ID"
	case j.Kind == "":
		why = "empty kind"
	case j.Due.IsZero():
		why = "zero due time"
	case j.Window < 0:
		why = "negative window"
	default:
		return nil
	}
	return fmt.Errorf("%w %q: %s", ErrInvalidJob, j.ID, why)
}

// A Claim is a job handed to one worker under a lease: until Until no
// other worker can claim it. Token identifies the claim to [Store.Extend]
// and [Store.Release].
type Claim struct {
	Job   Job
	Token string
	Until time.Time
}
