package analytics

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley"
)

// A Sink receives batches of events from a [Recorder], on a goroutine
// of its own, never on a turn's. Write may block (a network call) for up
// to the Recorder's write timeout; an error means the batch is lost and
// is counted as failed. Write must honour ctx and must not keep events
// after it returns.
// Implementations must be safe for concurrent use.
type Sink interface {
	Write(ctx context.Context, events []Event) error
}

// SinkFunc adapts a function to a [Sink].
type SinkFunc func(ctx context.Context, events []Event) error

// Write calls f(ctx, events).
func (f SinkFunc) Write(ctx context.Context, events []Event) error { return f(ctx, events) }

// Defaults of a [Recorder].
const (
	DefaultBuffer       = 8192
	DefaultBatch        = 256
	DefaultWriteTimeout = 10 * time.Second
)

// A DropError reports events a sink lost: dropped because its buffer
// was full (the sink is slow or down) or the Recorder was closed, or
// failed because Write returned an error.
type DropError struct {
	// Sink is the sink's index: 0 for the one given to [NewRecorder],
	// then the [WithSink] ones in order.
	Sink    int
	Dropped uint64
	Failed  uint64
	// Err is the latest Write error, if any.
	Err error
}

// Error describes the loss.
func (e *DropError) Error() string {
	s := fmt.Sprintf("analytics: sink %d lost events: %d dropped, %d failed", e.Sink, e.Dropped, e.Failed)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the latest Write error.
func (e *DropError) Unwrap() error { return e.Err }

// A Recorder is the [parley.Observer] that feeds analytics: it turns
// each event into an [Event] and hands it to each sink through a bounded
// buffer, without blocking. A sink that is slow, down or failing never
// slows or fails a turn: when its buffer is full the event is dropped
// and counted ([Recorder.Stats]), and losses are reported to the error
// handler ([WithErrorHandler]) once per batch, not once per event.
//
// Each sink has its own buffer and goroutine, so one slow sink does not
// starve the others. A turn only appends to the buffers: it never wakes
// or starts a goroutine for its events, except the first after an idle
// spell. A sink's goroutine writes what has arrived every flush interval
// ([WithFlushInterval]), or as soon as a full batch ([WithBatch]) is
// waiting, and ends after a second with nothing to write (so a test's
// goroutines end with it). [Recorder.Close] flushes and waits for them.
// A Recorder is safe for concurrent use.
type Recorder struct {
	pumps   []*pump
	onError func(error)
	batch   int
	buffer  int
	flush   time.Duration
	timeout time.Duration

	stop   chan struct{} // closed by Close
	cancel context.CancelFunc
	ctx    context.Context
	wg     sync.WaitGroup
}

// defaultFlush is how often a sink's goroutine writes by default: short
// enough for a live view, long enough that a busy bot's events are
// written in batches rather than one wake-up per turn. idleFor is how
// long a goroutine with nothing to write waits before ending.
const (
	defaultFlush = 20 * time.Millisecond
	idleFor      = time.Second
)

// An Option configures a [Recorder].
type Option func(*Recorder)

// WithSink adds a sink, with its own buffer.
func WithSink(s Sink) Option {
	return func(r *Recorder) { r.pumps = append(r.pumps, &pump{sink: s}) }
}

// WithBuffer sets how many events each sink's buffer holds (default
// [DefaultBuffer]).
func WithBuffer(n int) Option { return func(r *Recorder) { r.buffer = max(n, 1) } }

// WithBatch sets the largest batch passed to a sink's Write (default
// [DefaultBatch]). A full batch is written without waiting for the
// flush interval.
func WithBatch(n int) Option { return func(r *Recorder) { r.batch = max(n, 1) } }

// WithFlushInterval sets how often a sink's goroutine writes the events
// that have arrived, when fewer than a batch wait: longer for sinks that
// prefer fewer, larger writes (an HTTP collector), shorter for a fresher
// live view. The default, 0, means 20ms.
func WithFlushInterval(d time.Duration) Option { return func(r *Recorder) { r.flush = d } }

// WithWriteTimeout bounds each Write (default [DefaultWriteTimeout]).
func WithWriteTimeout(d time.Duration) Option { return func(r *Recorder) { r.timeout = d } }

// WithErrorHandler receives a [*DropError] whenever a sink lost events
// since the last report. It is called on the sink's goroutine and must
// not block for long. Without it losses are only counted.
func WithErrorHandler(f func(error)) Option { return func(r *Recorder) { r.onError = f } }

// NewRecorder returns a Recorder that writes to s (typically an
// [Aggregator]) and the sinks of [WithSink]. It panics if s is nil.
func NewRecorder(s Sink, opts ...Option) *Recorder {
	if s == nil {
		panic("analytics: NewRecorder needs a sink")
	}
	r := &Recorder{pumps: []*pump{{sink: s}}, batch: DefaultBatch, buffer: DefaultBuffer,
		timeout: DefaultWriteTimeout, stop: make(chan struct{})}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	for _, o := range opts {
		o(r)
	}
	if r.flush <= 0 {
		r.flush = defaultFlush
	}
	for i, p := range r.pumps {
		p.index = i
		p.kick = make(chan struct{}, 1)
	}
	return r
}

// Observe implements [parley.Observer]: it queues e for every sink and
// returns at once.
func (r *Recorder) Observe(_ context.Context, e parley.Event) {
	x := FromParley(e)
	for _, p := range r.pumps {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return // Close closes every pump: the others are closed too
		}
		full := p.push(r, x)
		if !p.running {
			p.running = true
			r.wg.Add(1) // under p.mu, before Close can mark p closed and Wait
			go p.run(r)
		}
		p.mu.Unlock()
		if full {
			select {
			case p.kick <- struct{}{}:
			default:
			}
		}
	}
}

// SinkStats counts what happened to one sink's events.
type SinkStats struct {
	// Written counts events in batches Write accepted.
	Written uint64
	// Dropped counts events dropped because the buffer was full.
	Dropped uint64
	// Failed counts events in batches Write failed.
	Failed uint64
	// Queued is how many events wait in the buffer.
	Queued int
}

// Stats returns each sink's counts, in the order of [DropError.Sink].
func (r *Recorder) Stats() []SinkStats {
	out := make([]SinkStats, len(r.pumps))
	for i, p := range r.pumps {
		p.mu.Lock()
		q := p.queued
		p.mu.Unlock()
		out[i] = SinkStats{Written: p.written.Load(), Dropped: p.dropped.Load(), Failed: p.failed.Load(), Queued: q}
	}
	return out
}

// Close stops taking events, writes what is buffered and waits for the
// sinks, or until ctx ends; then writes in flight are cancelled and the
// rest of the buffers is dropped. Events observed after Close are
// dropped. Close returns ctx's error if it ended first.
func (r *Recorder) Close(ctx context.Context) error {
	first := false
	for _, p := range r.pumps {
		p.mu.Lock()
		if !p.closed {
			p.closed, first = true, true
		}
		p.mu.Unlock()
	}
	if !first {
		return nil
	}
	close(r.stop)
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		r.cancel()
		return nil
	case <-ctx.Done():
		r.cancel()
		<-done
		return ctx.Err()
	}
}

type pump struct {
	index int
	sink  Sink
	kick  chan struct{} // a batch is waiting

	// The queue is a list of chunks of up to a batch each, so that a
	// turn appends without ever copying the queue, and chunks are
	// reused once written.
	mu      sync.Mutex
	full    [][]Event // chunks of a batch each, oldest first
	cur     []Event   // the chunk being filled
	free    [][]Event // written chunks, emptied
	queued  int       // events in full and cur, at most the Recorder's buffer
	running bool      // a goroutine runs p.run
	closed  bool

	written atomic.Uint64
	dropped atomic.Uint64
	failed  atomic.Uint64
	// touched by the pump's goroutine only: the list the full chunks
	// are swapped with, and the losses reported so far.
	spare                 [][]Event
	repDropped, repFailed uint64
	lastErr               error
}

// push queues x, or drops it if the queue is full. It reports whether a
// batch is waiting. p.mu is held.
func (p *pump) push(r *Recorder, x Event) bool {
	if p.queued >= r.buffer {
		p.dropped.Add(1)
		return len(p.full) > 0
	}
	if p.cur == nil {
		if n := len(p.free); n > 0 {
			p.cur, p.free = p.free[n-1], p.free[:n-1]
		} else {
			p.cur = make([]Event, 0, min(r.batch, r.buffer))
		}
	}
	p.cur = append(p.cur, x)
	p.queued++
	if len(p.cur) == r.batch {
		p.full = append(p.full, p.cur)
		p.cur = nil
	}
	return len(p.full) > 0
}

// run writes the pump's events every flush interval, or when a batch is
// waiting, until the Recorder is closed and the queue written, or the
// queue has stayed empty for idleFor.
func (p *pump) run(r *Recorder) {
	defer r.wg.Done()
	t := time.NewTimer(r.flush)
	defer t.Stop()
	var idle time.Duration
	stopped := false
	for {
		if !stopped {
			select {
			case <-t.C:
			case <-p.kick:
			case <-r.stop:
				stopped = true
			}
		}
		p.mu.Lock()
		chunks := p.full
		p.full = p.spare[:0]
		if len(p.cur) > 0 {
			chunks = append(chunks, p.cur)
			p.cur = nil
		}
		p.queued = 0
		closed := p.closed
		if len(chunks) == 0 {
			idle += r.flush
			if closed || idle >= idleFor {
				// Report while still the running goroutine (no other can
				// start and touch spare or the counts), outside the lock
				// (the error handler is the user's), then stop unless
				// events came in meanwhile.
				p.spare = chunks
				p.mu.Unlock()
				p.report(r)
				p.mu.Lock()
				if len(p.full) > 0 || len(p.cur) > 0 {
					p.mu.Unlock()
					idle = 0
					if !stopped {
						t.Reset(r.flush)
					}
					continue
				}
				p.running = false
				p.mu.Unlock()
				return
			}
		} else {
			idle = 0
		}
		p.mu.Unlock()
		for _, c := range chunks {
			p.write(r, c)
			clear(c)
		}
		p.mu.Lock()
		for _, c := range chunks {
			if len(p.free)*r.batch < r.buffer {
				p.free = append(p.free, c[:0])
			}
		}
		p.mu.Unlock()
		clear(chunks)
		p.spare = chunks[:0]
		if !stopped {
			// Reset after the writes: a slow sink is not written more
			// often than every flush interval plus its own latency.
			t.Reset(r.flush)
		}
	}
}

// write writes events, counts and reports.
func (p *pump) write(r *Recorder, events []Event) {
	if r.ctx.Err() != nil {
		p.dropped.Add(uint64(len(events)))
	} else {
		ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
		err := p.sink.Write(ctx, events)
		cancel()
		if err != nil {
			p.failed.Add(uint64(len(events)))
			p.lastErr = err
		} else {
			p.written.Add(uint64(len(events)))
		}
	}
	p.report(r)
}

// report passes the losses since the last report to the error handler.
func (p *pump) report(r *Recorder) {
	d, f := p.dropped.Load(), p.failed.Load()
	if r.onError != nil && (d > p.repDropped || f > p.repFailed) {
		r.onError(&DropError{Sink: p.index, Dropped: d - p.repDropped, Failed: f - p.repFailed, Err: p.lastErr})
	}
	p.repDropped, p.repFailed, p.lastErr = d, f, nil
}
