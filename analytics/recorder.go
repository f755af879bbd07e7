package analytics

import (
	"context"
	"fmt"
	"runtime"
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
// starve the others. Events are written in batches of up to
// [WithBatch] events.
//
// NewRecorder starts nothing. A sink's goroutine starts when events
// arrive and ends when it has written them all; [Recorder.Close]
// flushes and waits for them. A Recorder is safe for
// concurrent use.
type Recorder struct {
	pumps   []*pump
	onError func(error)
	batch   int
	buffer  int
	flush   time.Duration
	timeout time.Duration

	mu     sync.RWMutex // guards closed against sends on closed channels, and wg.Add against Wait
	closed bool
	cancel context.CancelFunc
	ctx    context.Context
	wg     sync.WaitGroup
	late   atomic.Uint64
}

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
// [DefaultBatch]).
func WithBatch(n int) Option { return func(r *Recorder) { r.batch = max(n, 1) } }

// WithFlushInterval sets how long a sink's goroutine waits for more
// events before writing an incomplete batch, for sinks that prefer
// fewer, larger writes (an HTTP collector). The default, 0, writes at
// once what has arrived; under load batches fill up anyway while the
// previous Write runs.
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
		timeout: DefaultWriteTimeout}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	for _, o := range opts {
		o(r)
	}
	for i, p := range r.pumps {
		p.index = i
		p.ch = make(chan Event, r.buffer)
	}
	return r
}

// Observe implements [parley.Observer]: it queues e for every sink and
// returns at once.
func (r *Recorder) Observe(_ context.Context, e parley.Event) {
	x := FromParley(e)
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.late.Add(1)
		return
	}
	for _, p := range r.pumps {
		select {
		case p.ch <- x:
		default:
			p.dropped.Add(1)
		}
		if !p.running.Load() && p.running.CompareAndSwap(false, true) {
			r.wg.Add(1)
			go p.run(r)
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
		out[i] = SinkStats{Written: p.written.Load(), Dropped: p.dropped.Load(), Failed: p.failed.Load(), Queued: len(p.ch)}
	}
	return out
}

// Close stops taking events, writes what is buffered and waits for the
// sinks, or until ctx ends; then writes in flight are cancelled and the
// rest of the buffers is dropped. Events observed after Close are
// dropped. Close returns ctx's error if it ended first.
func (r *Recorder) Close(ctx context.Context) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	for _, p := range r.pumps {
		close(p.ch)
	}
	r.mu.Unlock()
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
	running atomic.Bool
	index   int
	sink    Sink
	ch      chan Event
	written atomic.Uint64
	dropped atomic.Uint64
	failed  atomic.Uint64
	// reported losses, touched by the pump's goroutine only.
	repDropped, repFailed uint64
	lastErr               error
}

// run writes the pump's events, in batches of what has arrived, until
// its channel is empty or closed.
func (p *pump) run(r *Recorder) {
	defer r.wg.Done()
	buf := make([]Event, 0, r.batch)
	for {
		closed := p.fill(r, &buf)
		buf = p.write(r, buf)
		if closed {
			return
		}
		// A turn emits its events microseconds apart: yield a few times
		// before stopping, rather than start a goroutine per event.
		for i := 0; i < 8 && len(p.ch) == 0; i++ {
			runtime.Gosched()
		}
		if len(p.ch) == 0 {
			// Done: stop, unless an event came in and its sender saw
			// this goroutine still running.
			p.running.Store(false)
			if len(p.ch) == 0 || !p.running.CompareAndSwap(false, true) {
				return
			}
		}
	}
}

// fill takes events into buf, up to a batch: those already queued, then,
// with a linger, those that arrive within it of each other. It reports
// whether the channel was closed.
func (p *pump) fill(r *Recorder, buf *[]Event) bool {
	var t *time.Timer
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	for len(*buf) < r.batch {
		select {
		case e, ok := <-p.ch:
			if !ok {
				return true
			}
			*buf = append(*buf, e)
			continue
		default:
		}
		if r.flush <= 0 || len(*buf) == 0 {
			return false
		}
		if t == nil {
			t = time.NewTimer(r.flush)
		} else {
			t.Reset(r.flush)
		}
		select {
		case e, ok := <-p.ch:
			if !ok {
				return true
			}
			*buf = append(*buf, e)
		case <-t.C:
			return false
		}
	}
	return false
}

// write writes buf, counts and reports, and returns buf emptied.
func (p *pump) write(r *Recorder, buf []Event) []Event {
	if len(buf) > 0 {
		if r.ctx.Err() != nil {
			p.dropped.Add(uint64(len(buf)))
		} else {
			ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
			err := p.sink.Write(ctx, buf)
			cancel()
			if err != nil {
				p.failed.Add(uint64(len(buf)))
				p.lastErr = err
			} else {
				p.written.Add(uint64(len(buf)))
			}
		}
	}
	d, f := p.dropped.Load(), p.failed.Load()
	if r.onError != nil && (d > p.repDropped || f > p.repFailed) {
		r.onError(&DropError{Sink: p.index, Dropped: d - p.repDropped, Failed: f - p.repFailed, Err: p.lastErr})
	}
	p.repDropped, p.repFailed, p.lastErr = d, f, nil
	clear(buf)
	return buf[:0]
}
