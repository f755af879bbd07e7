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

// RetryPolicy says how [Retry] retries.
type RetryPolicy struct {
	// Attempts is the total number of tries, first included; default 3.
	Attempts int
	// Base is the first backoff; it doubles each retry. Default 500ms.
	Base time.Duration
	// Max caps one backoff, and a Retry-After the provider asks for: a
	// longer Retry-After ends the retries. Default 10s.
	Max time.Duration
}

// Retry wraps m so that a call failing with a temporary error (HTTP 429,
// 5xx, a network error, an incomplete stream before any text) is retried
// with exponential backoff and full jitter, waiting at least what the
// provider's Retry-After asks. A stream is retried only while it has
// yielded nothing. The result is safe for concurrent use.
func Retry(m Model, p RetryPolicy) Model {
	if p.Attempts <= 0 {
		p.Attempts = 3
	}
	if p.Base <= 0 {
		p.Base = 500 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 10 * time.Second
	}
	return &retry{m: m, p: p}
}

type retry struct {
	m Model
	p RetryPolicy
}

// retryable reports whether err may go away on retry.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Temporary()
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, ErrIncomplete) || errors.Is(err, context.DeadlineExceeded)
}

// wait sleeps before retry number n (from 1), or returns false if the
// provider asks for longer than Max or ctx ends.
func (r *retry) wait(ctx context.Context, n int, err error) bool {
	d := r.p.Base << (n - 1)
	if d > r.p.Max || d <= 0 {
		d = r.p.Max
	}
	d = time.Duration(rand.Float64() * float64(d))
	var se *StatusError
	if errors.As(err, &se) && se.RetryAfter > 0 {
		if se.RetryAfter > r.p.Max {
			return false
		}
		d = max(d, se.RetryAfter)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Generate implements [Model].
func (r *retry) Generate(ctx context.Context, req *Request) (*Response, error) {
	var err error
	for n := range r.p.Attempts {
		if n > 0 && !r.wait(ctx, n, err) {
			break
		}
		var resp *Response
		resp, err = r.m.Generate(ctx, req)
		if err == nil || !retryable(ctx, err) {
			return resp, err
		}
	}
	return nil, err
}

// Stream implements [Streamer].
func (r *retry) Stream(ctx context.Context, req *Request) iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		var err error
		for n := range r.p.Attempts {
			if n > 0 && !r.wait(ctx, n, err) {
				break
			}
			sent := false
			err = nil
			for c, e := range Stream(ctx, r.m, req) {
				if e != nil {
					err = e
					break
				}
				sent = true
				if !yield(c, nil) {
					return
				}
			}
			if err == nil {
				return
			}
			if sent || !retryable(ctx, err) {
				break
			}
		}
		yield(Chunk{}, err)
	}
}

// A Breaker is a circuit breaker around a [Model]: after Threshold
// consecutive failures it fails fast with [ErrCircuitOpen] for Cooldown,
// then lets one trial call through; a success closes it again. It keeps a
// dead provider from adding its timeout to every user's wait.
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

// NewBreaker returns a Breaker around m. Threshold defaults to 5 and
// cooldown to 30 seconds when not positive.
func NewBreaker(m Model, threshold int, cooldown time.Duration) *Breaker {
	if threshold <= 0 {
		threshold = 5
	}
	if cooldown <= 0 {
		cooldown = 30 * time.Second
	}
	return &Breaker{m: m, threshold: threshold, cooldown: cooldown}
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

// Generate implements [Model].
func (b *Breaker) Generate(ctx context.Context, req *Request) (*Response, error) {
	if err := b.allow(); err != nil {
		return nil, err
	}
	resp, err := b.m.Generate(ctx, req)
	b.record(ctx, err)
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
// errors of all failed models are joined. The result is safe for
// concurrent use.
func Fallback(models ...Model) Model { return fallback(models) }

type fallback []Model

// Generate implements [Model].
func (f fallback) Generate(ctx context.Context, req *Request) (*Response, error) {
	if len(f) == 0 {
		return nil, ErrNoModel
	}
	var errs []error
	for i, m := range f {
		resp, err := m.Generate(ctx, req)
		if err == nil {
			return resp, nil
		}
		errs = append(errs, fmt.Errorf("model %d: %w", i, err))
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// Stream implements [Streamer].
func (f fallback) Stream(ctx context.Context, req *Request) iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		if len(f) == 0 {
			yield(Chunk{}, ErrNoModel)
			return
		}
		var errs []error
		for i, m := range f {
			sent := false
			var err error
			for c, e := range Stream(ctx, m, req) {
				if e != nil {
					err = e
					break
				}
				sent = true
				if !yield(c, nil) {
					return
				}
			}
			if err == nil {
				return
			}
			errs = append(errs, fmt.Errorf("model %d: %w", i, err))
			if sent || ctx.Err() != nil {
				break
			}
		}
		yield(Chunk{}, errors.Join(errs...))
	}
}

// A Meter counts token usage per conversation ([Request.Conversation])
// for the calls that go through it, and can enforce a per-conversation
// budget.
//
// A Meter is safe for concurrent use.
type Meter struct {
	m      Model
	budget int

	mu    sync.Mutex
	usage map[string]Usage
	total Usage
}

// ErrBudget is returned by a [Meter] when a conversation has used its
// token budget.
var ErrBudget = errors.New("llm: conversation token budget exhausted")

// NewMeter returns a Meter around m. A positive budget caps the input
// plus output tokens of one conversation: once reached, calls fail with
// [ErrBudget].
func NewMeter(m Model, budget int) *Meter {
	return &Meter{m: m, budget: budget, usage: map[string]Usage{}}
}

// Usage returns the tokens used by a conversation.
func (mt *Meter) Usage(conversation string) Usage {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	return mt.usage[conversation]
}

// Total returns the tokens used by all conversations.
func (mt *Meter) Total() Usage {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	return mt.total
}

func (mt *Meter) check(conv string) error {
	if mt.budget <= 0 {
		return nil
	}
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if u := mt.usage[conv]; u.InputTokens+u.OutputTokens >= mt.budget {
		return fmt.Errorf("%w (%d tokens)", ErrBudget, mt.budget)
	}
	return nil
}

func (mt *Meter) add(conv string, u Usage) {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	mt.usage[conv] = mt.usage[conv].Add(u)
	mt.total = mt.total.Add(u)
}

// Generate implements [Model].
func (mt *Meter) Generate(ctx context.Context, req *Request) (*Response, error) {
	if err := mt.check(req.Conversation); err != nil {
		return nil, err
	}
	resp, err := mt.m.Generate(ctx, req)
	if err == nil {
		mt.add(req.Conversation, resp.Usage)
	}
	return resp, err
}

// Stream implements [Streamer].
func (mt *Meter) Stream(ctx context.Context, req *Request) iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		if err := mt.check(req.Conversation); err != nil {
			yield(Chunk{}, err)
			return
		}
		for c, err := range Stream(ctx, mt.m, req) {
			if c.Response != nil {
				mt.add(req.Conversation, c.Response.Usage)
			}
			if !yield(c, err) || err != nil {
				return
			}
		}
	}
}
