package llm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// A RetryOption configures [Retry].
type RetryOption func(*retryPolicy)

// retryPolicy says how [Retry] retries.
type retryPolicy struct {
	attempts  int
	base, max time.Duration
	timeout   time.Duration
	budget    time.Duration
}

// WithAttempts sets the total number of tries, the first included
// (default 3).
func WithAttempts(n int) RetryOption { return func(p *retryPolicy) { p.attempts = n } }

// WithBackoff sets the first backoff, which doubles each retry (default
// 500ms), and the cap on one backoff and on a Retry-After the provider
// asks for (default 10s): a longer Retry-After ends the retries. A zero
// value keeps the default.
func WithBackoff(base, max time.Duration) RetryOption {
	return func(p *retryPolicy) { p.base, p.max = base, max }
}

// WithAttemptTimeout bounds one attempt: a whole Generate, or a stream's
// wait for its first chunk (once text flows, the stream runs under the
// caller's context and the client's own Timeout). An attempt that times
// out is retried like a network error. By default an attempt has no bound
// of its own.
func WithAttemptTimeout(d time.Duration) RetryOption { return func(p *retryPolicy) { p.timeout = d } }

// WithBudget bounds the whole call: every attempt and every wait between
// them (for a stream, until its first chunk). A retry whose wait (backoff
// or the provider's Retry-After) would end at or past the budget is not
// waited for: the call fails at once. When the budget ends the call, the
// error wraps [ErrTimeBudget] (and the last attempt's error, or
// [context.DeadlineExceeded]). By default only ctx bounds the call.
func WithBudget(d time.Duration) RetryOption { return func(p *retryPolicy) { p.budget = d } }

// Retry wraps m so that a call failing with a temporary error (HTTP 429,
// 5xx, a network error, a timed-out attempt, an incomplete stream before
// any text) is retried with exponential backoff and full jitter, waiting
// at least what the provider's Retry-After asks. A stream is retried only
// while it has yielded nothing. No wait outlasts the budget
// ([WithBudget]) or ctx's deadline: when the next try could not start in
// time, Retry returns at once. Tokens billed for failed attempts
// ([UsageError]) are added to the final Response's Usage, or carried by
// the error, so that a [Meter] around Retry counts them. The result is
// safe for concurrent use.
func Retry(m Model, opts ...RetryOption) Model {
	return &retry{m: m, p: newRetryPolicy(opts)}
}

// Do calls f as [Retry] calls a Model's Generate: a temporary error is
// retried with backoff under the same options ([WithAttempts],
// [WithBackoff], [WithAttemptTimeout], [WithBudget]), and the error is
// the last attempt's (wrapping [ErrTimeBudget] when the budget ended the
// call). It gives calls that are not a Model's, such as package media's
// transcriptions, the same retries.
func Do(ctx context.Context, f func(context.Context) error, opts ...RetryOption) error {
	r := retry{p: newRetryPolicy(opts)}
	return r.do(ctx, f)
}

func newRetryPolicy(opts []RetryOption) retryPolicy {
	var p retryPolicy
	for _, o := range opts {
		o(&p)
	}
	if p.attempts <= 0 {
		p.attempts = 3
	}
	if p.base <= 0 {
		p.base = 500 * time.Millisecond
	}
	if p.max <= 0 {
		p.max = 10 * time.Second
	}
	return p
}

type retry struct {
	m Model
	p retryPolicy
}

// retryable reports whether err may go away on retry.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return false
	}
	return transient(err)
}

// transient reports whether err says the provider is failing rather than
// the request being wrong: HTTP 429 or 5xx, a network error, a timeout,
// an incomplete stream.
func transient(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Temporary()
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, ErrIncomplete) || errors.Is(err, context.DeadlineExceeded)
}

// wait sleeps before retry number n (from 1). It returns nil to retry, or
// the error to give up with: err itself when the provider asks for longer
// than Max or ctx's deadline comes first, err wrapped in [ErrTimeBudget]
// when the wait would end at or past end (the budget; zero for none), and
// err too when ctx ends while waiting.
func (r *retry) wait(ctx context.Context, end time.Time, n int, err error) error {
	d := r.p.base << (n - 1)
	if d > r.p.max || d <= 0 {
		d = r.p.max
	}
	d = time.Duration(rand.Float64() * float64(d))
	var se *StatusError
	if errors.As(err, &se) && se.RetryAfter > 0 {
		if se.RetryAfter > r.p.max {
			return err
		}
		d = max(d, se.RetryAfter)
	}
	now := time.Now()
	if dl, ok := ctx.Deadline(); ok && !dl.After(now.Add(d)) && (end.IsZero() || dl.Before(end)) {
		return err
	}
	if !end.IsZero() && !end.After(now.Add(d)) {
		return fmt.Errorf("%w: %v left, next try in %v: %w", ErrTimeBudget, end.Sub(now).Round(time.Millisecond), d.Round(time.Millisecond), err)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return err
	case <-t.C:
		return nil
	}
}

// budgetError is the error of a call whose budget d ran out.
func budgetError(d time.Duration, err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		err = context.DeadlineExceeded
	}
	if errors.Is(err, ErrTimeBudget) {
		return err
	}
	return fmt.Errorf("%w after %v: %w", ErrTimeBudget, d, err)
}

// attemptError is the error of an attempt that ran out of its time d.
func attemptError(d time.Duration) error {
	return fmt.Errorf("llm: attempt timed out after %v: %w", d, context.DeadlineExceeded)
}

// Generate implements [Model].
func (r *retry) Generate(ctx context.Context, req *Request) (*Response, error) {
	var resp *Response
	var spent Usage // by failed attempts
	err := r.do(ctx, func(ctx context.Context) error {
		var err error
		resp, err = r.m.Generate(ctx, req)
		spent = spent.Add(usageOf(err))
		return err
	})
	if err != nil {
		return nil, withUsage(err, spent)
	}
	return chargeTo(resp, spent), nil
}

// do calls f until it succeeds, fails for good, or the policy gives up.
func (r *retry) do(ctx context.Context, f func(context.Context) error) error {
	bctx, end := ctx, time.Time{}
	var budget error
	if r.p.budget > 0 {
		// end is taken first so that it is never after bctx's deadline.
		end = time.Now().Add(r.p.budget)
		budget = errors.New("llm: retry budget")
		var cancel context.CancelFunc
		bctx, cancel = context.WithTimeoutCause(ctx, r.p.budget, budget)
		defer cancel()
	}
	var err error
	for n := range r.p.attempts {
		if n > 0 {
			if werr := r.wait(bctx, end, n, err); werr != nil {
				err = werr
				break
			}
		}
		if err = r.attempt(bctx, f); err == nil {
			return nil
		}
		if !retryable(bctx, err) {
			break
		}
	}
	if budget != nil && ctx.Err() == nil && context.Cause(bctx) == budget {
		err = budgetError(r.p.budget, err)
	}
	return err
}

// attempt calls f once under the policy's attempt timeout.
func (r *retry) attempt(ctx context.Context, f func(context.Context) error) error {
	if r.p.timeout <= 0 {
		return f(ctx)
	}
	cause := errors.New("llm: attempt timeout")
	actx, cancel := context.WithTimeoutCause(ctx, r.p.timeout, cause)
	defer cancel()
	err := f(actx)
	if err != nil && ctx.Err() == nil && context.Cause(actx) == cause {
		return attemptError(r.p.timeout)
	}
	return err
}

// A fuse is a context that ends after a delay unless defused first: the
// time limit of a stream until its first chunk.
type fuse struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
	cause  error
}

// newFuse returns a fuse that ends ctx after d; d <= 0 never ends it.
// The caller must call release.
func newFuse(ctx context.Context, d time.Duration) *fuse {
	f := &fuse{cause: errors.New("llm: time limit")}
	f.ctx, f.cancel = context.WithCancelCause(ctx)
	if d > 0 {
		f.timer = time.AfterFunc(d, func() { f.cancel(f.cause) })
	}
	return f
}

// defuse stops the timer; it is a no-op on a nil fuse.
func (f *fuse) defuse() {
	if f != nil && f.timer != nil {
		f.timer.Stop()
	}
}

// blown reports whether the fuse's timer ended its context.
func (f *fuse) blown() bool { return f != nil && context.Cause(f.ctx) == f.cause }

func (f *fuse) release() {
	f.defuse()
	f.cancel(context.Canceled)
}

// Stream implements [Streamer].
func (r *retry) Stream(ctx context.Context, req *Request) iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		bctx, end := ctx, time.Time{}
		var budget *fuse
		if r.p.budget > 0 {
			budget = newFuse(ctx, r.p.budget)
			defer budget.release()
			bctx, end = budget.ctx, time.Now().Add(r.p.budget)
		}
		var err error
		var spent Usage // by failed attempts
		for n := range r.p.attempts {
			if n > 0 {
				if werr := r.wait(bctx, end, n, err); werr != nil {
					err = werr
					break
				}
			}
			var sent, stop bool
			sent, stop, err = r.stream(bctx, budget, spent, req, yield)
			if stop || err == nil {
				return
			}
			spent = spent.Add(usageOf(err))
			if sent || !retryable(bctx, err) {
				break
			}
		}
		if budget.blown() && ctx.Err() == nil {
			err = budgetError(r.p.budget, err)
		}
		yield(Chunk{}, withUsage(err, spent))
	}
}

// stream makes one streaming attempt under the policy's Timeout, passing
// its chunks on, with spent added to the final response's usage. It
// reports whether it sent anything, whether the caller stopped the loop,
// and the attempt's error.
func (r *retry) stream(ctx context.Context, budget *fuse, spent Usage, req *Request, yield func(Chunk, error) bool) (sent, stop bool, err error) {
	attempt := newFuse(ctx, r.p.timeout)
	defer attempt.release()
	for c, e := range Stream(attempt.ctx, r.m, req) {
		if e != nil {
			if attempt.blown() && ctx.Err() == nil {
				e = attemptError(r.p.timeout)
			}
			return sent, false, e
		}
		if !sent {
			sent = true
			attempt.defuse()
			budget.defuse()
		}
		c.Response = chargeTo(c.Response, spent)
		if !yield(c, nil) {
			return sent, true, nil
		}
	}
	return sent, false, nil
}

// Within returns a Model that gives every call to m at most d in total:
// a Generate, or a stream until its first chunk (after that the stream
// runs under the caller's context). When d runs out first, the call
// fails with an error wrapping [ErrTimeBudget] and
// [context.DeadlineExceeded]. Put it around a [Fallback] to bound the
// whole chain, so that a dead provider never keeps the user waiting
// longer than d before the caller's own fallback (an extractive answer,
// a hand-off) takes over. A d <= 0 returns m unchanged. The result is
// safe for concurrent use.
func Within(m Model, d time.Duration) Model {
	if d <= 0 {
		return m
	}
	return &within{m: m, d: d}
}

type within struct {
	m Model
	d time.Duration
}

// Generate implements [Model].
func (w *within) Generate(ctx context.Context, req *Request) (*Response, error) {
	cause := errors.New("llm: budget")
	bctx, cancel := context.WithTimeoutCause(ctx, w.d, cause)
	defer cancel()
	resp, err := w.m.Generate(bctx, req)
	if err != nil && ctx.Err() == nil && context.Cause(bctx) == cause {
		return nil, budgetError(w.d, err)
	}
	return resp, err
}

// Stream implements [Streamer].
func (w *within) Stream(ctx context.Context, req *Request) iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		f := newFuse(ctx, w.d)
		defer f.release()
		first := true
		for c, err := range Stream(f.ctx, w.m, req) {
			if err != nil {
				if f.blown() && ctx.Err() == nil {
					err = budgetError(w.d, err)
				}
				yield(Chunk{}, err)
				return
			}
			if first {
				first = false
				f.defuse()
			}
			if !yield(c, nil) {
				return
			}
		}
	}
}

// A Breaker is a circuit breaker around a [Model]: after a number of
// consecutive failures ([WithThreshold]) it fails fast with
// [ErrCircuitOpen] for a cooldown ([WithCooldown]),
// then lets one trial call through; a success closes it again. It keeps a
// dead provider from adding its timeout to every user's wait.
//
// Only failures that say the provider is failing count: HTTP 429 and 5xx,
// timeouts, network errors, incomplete streams (what [Retry] retries).
// A client error such as HTTP 400, an undecodable reply, or the caller's
// own cancellation neither counts nor resets the count.
//
// A Breaker is safe for concurrent use.
type Breaker struct {
	m         Model
	threshold int
	cooldown  time.Duration

	mu       sync.Mutex
	failures int
	openedAt time.Time
	trial    bool
}

// A BreakerOption configures a [Breaker].
type BreakerOption func(*Breaker)

// WithThreshold sets how many consecutive failures open the breaker
// (default 5).
func WithThreshold(n int) BreakerOption { return func(b *Breaker) { b.threshold = n } }

// WithCooldown sets how long an open breaker fails fast before it lets a
// trial call through (default 30 seconds).
func WithCooldown(d time.Duration) BreakerOption { return func(b *Breaker) { b.cooldown = d } }

// NewBreaker returns a Breaker around m; m may be nil for a Breaker used
// only through [Breaker.Do].
func NewBreaker(m Model, opts ...BreakerOption) *Breaker {
	b := &Breaker{m: m}
	for _, o := range opts {
		o(b)
	}
	if b.threshold <= 0 {
		b.threshold = 5
	}
	if b.cooldown <= 0 {
		b.cooldown = 30 * time.Second
	}
	return b
}

// allow reports whether a call may go through.
func (b *Breaker) allow() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < b.threshold {
		return nil
	}
	if time.Since(b.openedAt) < b.cooldown || b.trial {
		return ErrCircuitOpen
	}
	b.trial = true
	return nil
}

func (b *Breaker) record(ctx context.Context, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.trial = false
	switch {
	case err == nil:
		b.failures = 0
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		// The caller gave up; that says nothing about the provider.
	case !transient(err):
		// The request's fault (HTTP 400, a reply that fails validation):
		// the provider is up. It neither counts nor resets.
	default:
		b.failures++
		if b.failures >= b.threshold {
			b.openedAt = time.Now()
		}
	}
}

// Open reports whether the breaker is refusing calls.
func (b *Breaker) Open() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failures >= b.threshold && time.Since(b.openedAt) < b.cooldown
}

// Do calls f through the breaker: while it is open Do fails fast with
// [ErrCircuitOpen] without calling f, and f's error counts as a Model's
// would. It lets one breaker guard calls that are not a Model's, such as
// package media's transcriptions; a Breaker used only through Do may be
// made with NewBreaker(nil).
func (b *Breaker) Do(ctx context.Context, f func(context.Context) error) error {
	if err := b.allow(); err != nil {
		return err
	}
	err := f(ctx)
	b.record(ctx, err)
	return err
}

// Generate implements [Model].
func (b *Breaker) Generate(ctx context.Context, req *Request) (*Response, error) {
	var resp *Response
	err := b.Do(ctx, func(ctx context.Context) error {
		var err error
		resp, err = b.m.Generate(ctx, req)
		return err
	})
	return resp, err
}

// Stream implements [Streamer].
func (b *Breaker) Stream(ctx context.Context, req *Request) iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		if err := b.allow(); err != nil {
			yield(Chunk{}, err)
			return
		}
		var err error
		defer func() { b.record(ctx, err) }()
		for c, e := range Stream(ctx, b.m, req) {
			if e != nil {
				err = e
				yield(Chunk{}, e)
				return
			}
			if !yield(c, nil) {
				return
			}
		}
	}
}

// Fallback returns a Model that tries models in order and returns the
// first success. A stream moves on to the next model only while it has
// yielded no text; after that, its error is the caller's to handle (the
// answer layer falls back to an extractive answer or a hand-off). The
// errors of all failed models are joined. Fallback tries the next model
// as long as ctx allows: to bound the time of the whole chain, wrap it in
// [Within] and give each model a [WithBudget] shorter than that.
// Tokens billed for failed models are carried as [Retry] carries them.
// The result is safe for concurrent use.
func Fallback(models ...Model) Model { return fallback(models) }

type fallback []Model

// Generate implements [Model].
func (f fallback) Generate(ctx context.Context, req *Request) (*Response, error) {
	if len(f) == 0 {
		return nil, ErrNoModel
	}
	var errs []error
	var spent Usage // by failed models
	for i, m := range f {
		resp, err := m.Generate(ctx, req)
		if err == nil {
			return chargeTo(resp, spent), nil
		}
		spent = spent.Add(usageOf(err))
		errs = append(errs, fmt.Errorf("model %d: %w", i, err))
		if ctx.Err() != nil {
			break
		}
	}
	return nil, withUsage(errors.Join(errs...), spent)
}

// Stream implements [Streamer].
func (f fallback) Stream(ctx context.Context, req *Request) iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		if len(f) == 0 {
			yield(Chunk{}, ErrNoModel)
			return
		}
		var errs []error
		var spent Usage // by failed models
		for i, m := range f {
			sent := false
			var err error
			for c, e := range Stream(ctx, m, req) {
				if e != nil {
					err = e
					break
				}
				sent = true
				c.Response = chargeTo(c.Response, spent)
				if !yield(c, nil) {
					return
				}
			}
			if err == nil {
				return
			}
			spent = spent.Add(usageOf(err))
			errs = append(errs, fmt.Errorf("model %d: %w", i, err))
			if sent || ctx.Err() != nil {
				break
			}
		}
		yield(Chunk{}, withUsage(errors.Join(errs...), spent))
	}
}
