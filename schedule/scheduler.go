package schedule

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"
)

// A Handler fires jobs of one kind. It returns nil once the job's effect
// is recorded (the turn enqueued, the message sent); an error retries the
// job with back-off (see [WithRetry]).
//
// A job may fire more than once: after a crash between the handler's
// effect and the store's record of it, or when a worker stalls past its
// lease. Handlers make that harmless by keying their effect with
// [Job.FireID] (as the MessageID of a [parley.Bot] Enqueue, whose claim
// turns the second delivery away). The context is cancelled when the
// lease is lost or the scheduler stops.
//
// [parley.Bot]: https://pkg.go.dev/github.com/parleyhq/parley#Bot
type Handler interface {
	HandleJob(ctx context.Context, j *Job) error
}

// HandlerFunc adapts a function to a [Handler].
type HandlerFunc func(ctx context.Context, j *Job) error

// HandleJob calls f(ctx, j).
func (f HandlerFunc) HandleJob(ctx context.Context, j *Job) error { return f(ctx, j) }

// EventKind says what happened to a job.
type EventKind string

// The kinds of [Event].
const (
	// EventFired: the handler returned nil and the job was removed.
	EventFired EventKind = "fired"
	// EventSkipped: the job was claimed more than its Window after its
	// due time (after downtime, or retried for too long) and removed
	// without firing.
	EventSkipped EventKind = "skipped"
	// EventRetry: the handler failed (Err); the job fires again later.
	EventRetry EventKind = "retry"
	// EventDropped: the handler failed on the last attempt (Err); the job
	// was removed.
	EventDropped EventKind = "dropped"
	// EventLost: the job's lease was lost while it ran (Err); another
	// worker may fire it again.
	EventLost EventKind = "lost"
	// EventError: the store failed (Err); the work is tried again.
	EventError EventKind = "error"
)

// An Event reports what happened to a job, to the observer of
// [WithObserver]. Job is the zero Job for a store error outside any job.
type Event struct {
	Kind EventKind
	Job  Job
	// Late is how long after its due time the job was claimed.
	Late time.Duration
	Err  error
}

// An Option configures a [Scheduler].
type Option func(*Scheduler)

// WithWorkers sets how many jobs run at once in one [Scheduler.Run]
// (default 16, at least 1).
func WithWorkers(n int) Option { return func(s *Scheduler) { s.workers = max(n, 1) } }

// WithLease sets how long a claimed job is leased to its worker (default
// 30s; at least 100ms). The lease is renewed every third of it while the
// handler runs; a worker that dies leaves the job to another after at
// most this long.
func WithLease(d time.Duration) Option {
	return func(s *Scheduler) { s.lease = max(d, 100*time.Millisecond) }
}

// WithPoll sets how often an idle scheduler asks the store for due jobs
// (default 1s; at least 1ms). Jobs scheduled through the same Scheduler
// wake it at their due time; jobs scheduled by other replicas are seen
// within one poll.
func WithPoll(d time.Duration) Option {
	return func(s *Scheduler) { s.poll = max(d, time.Millisecond) }
}

// WithRetry sets how many times a job is attempted before it is dropped
// (default 8, at least 1) and the first back-off (default 1s), doubled
// after every failure up to an hour.
func WithRetry(attempts int, backoff time.Duration) Option {
	return func(s *Scheduler) { s.attempts, s.backoff = max(attempts, 1), max(backoff, time.Millisecond) }
}

// WithObserver has fn called with every [Event], from the worker
// goroutines: it must be safe for concurrent use and return quickly.
func WithObserver(fn func(context.Context, Event)) Option {
	return func(s *Scheduler) { s.observe = fn }
}

// A Scheduler fires the jobs of a [Store] at their due times through the
// [Handler] registered for their kind: each job once across replicas
// sharing the store (under a lease), retried with back-off when its
// handler fails, skipped when claimed too late for its catch-up window.
//
// Register handlers with [Scheduler.Handle], then call [Scheduler.Run] on
// each replica; [Scheduler.Schedule], [Scheduler.Cancel] and
// [Scheduler.Erase] work with or without Run. A Scheduler is safe for
// concurrent use.
type Scheduler struct {
	store    Store
	workers  int
	lease    time.Duration
	poll     time.Duration
	attempts int
	backoff  time.Duration
	observe  func(context.Context, Event)

	mu       sync.RWMutex
	handlers map[string]Handler
	next     time.Time // the earliest due time scheduled here and not yet reached
	wake     chan struct{}
	closed   bool
	stop     chan struct{} // closed by Shutdown
	force    chan struct{} // closed when Shutdown gives up waiting
	runs     sync.WaitGroup
}

// New returns a Scheduler over store. It starts nothing: call
// [Scheduler.Run].
func New(store Store, opts ...Option) *Scheduler {
	if store == nil {
		panic("schedule: New with a nil Store")
	}
	s := &Scheduler{store: store, workers: 16, lease: 30 * time.Second, poll: time.Second,
		attempts: 8, backoff: time.Second, handlers: map[string]Handler{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), force: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Handle registers h for jobs of kind. It panics if kind is empty, h is
// nil or kind already has a handler: these are wiring mistakes.
func (s *Scheduler) Handle(kind string, h Handler) {
	if kind == "" || h == nil {
		panic("schedule: Handle with an empty kind or a nil handler")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.handlers[kind]; ok {
		panic(fmt.Sprintf("schedule: kind %q registered twice", kind))
	}
	s.handlers[kind] = h
}

func (s *Scheduler) handler(kind string) Handler {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.handlers[kind]
}

// Schedule stores jobs to fire at their due times, each replacing any
// job with its ID (see [Job.ID]). It returns an error wrapping
// [ErrInvalidJob] or [ErrUnknownKind] for a job it cannot take, storing
// none of them then, or the store's error.
func (s *Scheduler) Schedule(ctx context.Context, jobs ...Job) error {
	var earliest time.Time
	for i := range jobs {
		j := &jobs[i]
		if err := j.Validate(); err != nil {
			return err
		}
		if s.handler(j.Kind) == nil {
			return fmt.Errorf("%w %q (job %q)", ErrUnknownKind, j.Kind, j.ID)
		}
		if earliest.IsZero() || j.Due.Before(earliest) {
			earliest = j.Due
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	if err := s.store.Schedule(ctx, jobs...); err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	s.mu.Lock()
	if s.next.IsZero() || earliest.Before(s.next) {
		s.next = earliest
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// Cancel deletes the job with the ID. It returns [ErrNotFound] if there
// is none (it fired, or was never scheduled), or the store's error. A
// job already running may still complete.
func (s *Scheduler) Cancel(ctx context.Context, id string) error {
	if err := s.store.Cancel(ctx, id); err != nil {
		if errors.Is(err, ErrNotFound) {
			return err
		}
		return fmt.Errorf("schedule: cancel %q: %w", id, err)
	}
	return nil
}

// Erase deletes every job whose Key is key (a customer's right to
// erasure) and returns how many, or the store's error.
func (s *Scheduler) Erase(ctx context.Context, key string) (int, error) {
	n, err := s.store.Erase(ctx, key)
	if err != nil {
		return n, fmt.Errorf("schedule: erase: %w", err)
	}
	return n, nil
}

func (s *Scheduler) emit(ctx context.Context, e Event) {
	if s.observe != nil {
		s.observe(ctx, e)
	}
}

// Run claims due jobs and fires them until ctx ends or [Scheduler.Shutdown]
// is called; several replicas (and several Runs) may share one store. It
// returns ctx's error, or [ErrClosed] after Shutdown, once its running
// jobs have returned; when ctx ends their contexts are cancelled, and
// their leases let other replicas pick up whatever did not finish. Store
// errors are reported as [EventError] and retried at the next poll.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.runs.Add(1)
	s.mu.Unlock()
	defer s.runs.Done()

	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go func() {
		select {
		case <-ctx.Done():
		case <-s.force:
		case <-jctx.Done():
		}
		cancel()
	}()

	fl := &flight{jobs: map[*running]struct{}{}}
	rctx, stopRenew := context.WithCancel(jctx)
	renewed := make(chan struct{})
	go func() { defer close(renewed); s.renew(rctx, fl) }()
	defer func() { <-renewed }()
	defer stopRenew()
	var jobs sync.WaitGroup
	defer jobs.Wait() // first: the renewer stops after the jobs returned

	slots := make(chan struct{}, s.workers)
	for i := 0; i < s.workers; i++ {
		slots <- struct{}{}
	}
	// With a backlog (the last claim was full), claims wait for a quarter
	// of the workers to be free, so that a busy scheduler makes one claim
	// per several jobs rather than one per job.
	backlog := false
	batch := max(s.workers/4, 1)
	n := 0
	for {
		// Wait for a free worker (with a backlog, for batch of them),
		// then take as many as are free.
		for n == 0 || backlog && n < batch {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-s.stop:
				return ErrClosed
			case <-slots:
				n++
			}
		}
	more:
		for n < s.workers {
			select {
			case <-slots:
				n++
			default:
				break more
			}
		}
		now := time.Now()
		claims, err := s.store.Claim(ctx, now, now.Add(s.lease), n)
		if err != nil && ctx.Err() == nil {
			s.emit(ctx, Event{Kind: EventError, Err: fmt.Errorf("schedule: claim: %w", err)})
		}
		for _, c := range claims {
			jobs.Add(1)
			go func() {
				defer func() { slots <- struct{}{}; jobs.Done() }()
				s.fire(jctx, c, fl)
			}()
		}
		backlog = len(claims) == n && err == nil
		n -= len(claims) // the free workers left
		if backlog {
			continue // there may be more due
		}
		if err := s.idle(ctx, now, err != nil); err != nil {
			return err
		}
	}
}

// idle waits for the next poll, or for a job scheduled here to come due;
// over a [Watcher], until the store's next job is claimable. After a
// failed claim it waits for the next poll.
func (s *Scheduler) idle(ctx context.Context, now time.Time, failed bool) error {
	var changed <-chan struct{}
	wait := s.poll
	w, watched := s.store.(Watcher)
	switch {
	case failed:
		// Give the store a poll's time to recover.
	case watched:
		next, ch, err := w.Next(ctx)
		if err == nil {
			changed, wait = ch, -1 // no poll: wait for next or a change
			if !next.IsZero() {
				wait = max(next.Sub(time.Now()), 0)
			}
		}
	default:
		s.mu.Lock()
		if !s.next.IsZero() {
			if d := s.next.Sub(now); d <= 0 {
				s.next = time.Time{}
				wait = 0
			} else if d < wait {
				wait = d
			}
		}
		s.mu.Unlock()
	}
	if wait == 0 {
		return nil
	}
	var timer <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stop:
		return ErrClosed
	case <-s.wake:
	case <-changed:
	case <-timer:
	}
	return nil
}

// fire runs one claimed job: applies the catch-up window, calls the
// handler under a renewed lease, and records the outcome.
func (s *Scheduler) fire(ctx context.Context, c Claim, fl *flight) {
	j := c.Job
	late := max(time.Since(j.Due), 0)
	if j.Window > 0 && late > j.Window {
		s.release(ctx, c, time.Time{}, Event{Kind: EventSkipped, Job: j, Late: late})
		return
	}
	h := s.handler(j.Kind)
	if h == nil {
		// Scheduled by a replica that knows the kind; this one does not.
		err := fmt.Errorf("%w %q (job %q)", ErrUnknownKind, j.Kind, j.ID)
		s.release(ctx, c, time.Now().Add(s.poll), Event{Kind: EventError, Job: j, Late: late, Err: err})
		return
	}
	if time.Until(c.Until) < s.lease/2 {
		// The claim was slow (a loaded store): renew before firing, so
		// that the lease does not run out under the handler.
		until := time.Now().Add(s.lease)
		if err := s.store.Extend(ctx, c, until); err != nil {
			s.emit(ctx, Event{Kind: EventLost, Job: j, Late: late, Err: err})
			return
		}
		c.Until = until
	}
	hctx, cancel := context.WithCancelCause(ctx)
	r := &running{c: c, cancel: cancel}
	fl.add(r)
	err := s.call(hctx, h, &j)
	fl.remove(r)
	r.mu.Lock() // wait for a renewal under way
	c = r.c
	r.mu.Unlock()
	lost := context.Cause(hctx)
	cancel(nil)
	switch {
	case errors.Is(lost, ErrLeaseLost):
		s.emit(ctx, Event{Kind: EventLost, Job: j, Late: late, Err: errors.Join(lost, err)})
	case err == nil:
		s.release(ctx, c, time.Time{}, Event{Kind: EventFired, Job: j, Late: late})
	case j.Attempt >= s.attempts:
		s.release(ctx, c, time.Time{}, Event{Kind: EventDropped, Job: j, Late: late, Err: err})
	default:
		d := min(s.backoff<<min(j.Attempt-1, 32), time.Hour)
		s.release(ctx, c, time.Now().Add(d), Event{Kind: EventRetry, Job: j, Late: late, Err: err})
	}
}

// call runs the handler, turning a panic into an error.
func (s *Scheduler) call(ctx context.Context, h Handler, j *Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("schedule: handler for %q panicked: %v\n%s", j.Kind, p, debug.Stack())
		}
	}()
	return h.HandleJob(ctx, j)
}

// release records a job's outcome, trying again while its lease lasts if
// the store fails, and reports e (or why it could not be recorded: the
// job then fires again after its lease, keyed by the same FireID).
func (s *Scheduler) release(ctx context.Context, c Claim, next time.Time, e Event) {
	pause := 10 * time.Millisecond
	for {
		err := s.store.Release(ctx, c, next)
		if err == nil {
			s.emit(ctx, e)
			return
		}
		if errors.Is(err, ErrLeaseLost) {
			s.emit(ctx, Event{Kind: EventLost, Job: c.Job, Late: e.Late, Err: errors.Join(err, e.Err)})
			return
		}
		err = fmt.Errorf("schedule: release %q: %w", c.Job.ID, err)
		if ctx.Err() != nil || time.Now().Add(pause).After(c.Until) {
			s.emit(ctx, Event{Kind: EventError, Job: c.Job, Late: e.Late, Err: errors.Join(err, e.Err)})
			return
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
		pause *= 2
	}
}

// Shutdown stops every [Scheduler.Run] from claiming jobs and waits until
// the running ones return, or until ctx ends: then it cancels their
// contexts and returns ctx's error without waiting further. Schedule,
// Cancel and Erase keep working.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.stop)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.runs.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		select {
		case <-s.force:
		default:
			close(s.force)
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

// A running job, as the lease renewer sees it.
type running struct {
	mu     sync.Mutex // held while its lease is renewed
	c      Claim
	cancel context.CancelCauseFunc
}

// flight is the set of jobs a Run is firing.
type flight struct {
	mu   sync.Mutex
	jobs map[*running]struct{}
}

func (f *flight) add(r *running) {
	f.mu.Lock()
	f.jobs[r] = struct{}{}
	f.mu.Unlock()
}

func (f *flight) remove(r *running) {
	f.mu.Lock()
	delete(f.jobs, r)
	f.mu.Unlock()
}

// renew extends the leases of a Run's running jobs every third of the
// lease, until ctx ends; a job whose lease is lost has its context
// cancelled with ErrLeaseLost as the cause.
func (s *Scheduler) renew(ctx context.Context, fl *flight) {
	t := time.NewTicker(s.lease / 3)
	defer t.Stop()
	var batch []*running
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fl.mu.Lock()
		batch = batch[:0]
		for r := range fl.jobs {
			batch = append(batch, r)
		}
		fl.mu.Unlock()
		for _, r := range batch {
			r.mu.Lock()
			until := time.Now().Add(s.lease)
			err := s.store.Extend(ctx, r.c, until)
			switch {
			case err == nil:
				r.c.Until = until
			case errors.Is(err, ErrLeaseLost):
				r.cancel(err)
			case ctx.Err() == nil:
				// The store may be back before the lease ends.
				s.emit(ctx, Event{Kind: EventError, Job: r.c.Job, Err: fmt.Errorf("schedule: extend %q: %w", r.c.Job.ID, err)})
			}
			r.mu.Unlock()
		}
	}
}
