package channel

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// A Dispatcher runs accepted turns on a fixed pool of worker goroutines it
// owns, so that webhooks are acknowledged at once. Turns of one
// conversation always go to the same worker and so run in arrival order.
// The workers start with the first turn; [Dispatcher.Close] stops accepting
// and waits for every queued turn to finish.
//
// A Dispatcher is safe for concurrent use.
type Dispatcher struct {
	h       parley.Handler
	obs     parley.Observer
	workers int
	queue   int
	timeout time.Duration
	seed    maphash.Seed

	once   sync.Once
	mu     sync.RWMutex
	closed bool
	shards []chan job
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
}

type job struct {
	w parley.ReplyWriter
	t *parley.Turn
}

// NewDispatcher returns a Dispatcher with the given number of workers
// (default 8) and total queue size (default 1024) that runs turns through h
// with a per-turn timeout (default 60s). Handler errors are reported to obs
// as [EventHandlerError]. It panics if h is nil.
func NewDispatcher(h parley.Handler, obs parley.Observer, workers, queue int, timeout time.Duration) *Dispatcher {
	if h == nil {
		panic("channel: NewDispatcher with nil handler")
	}
	if workers <= 0 {
		workers = 8
	}
	if queue <= 0 {
		queue = 1024
	}
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	return &Dispatcher{h: h, obs: obs, workers: workers, queue: queue, timeout: timeout, seed: maphash.MakeSeed()}
}

func (d *Dispatcher) start() {
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.shards = make([]chan job, d.workers)
	per := max(d.queue/d.workers, 1)
	for i := range d.shards {
		ch := make(chan job, per)
		d.shards[i] = ch
		d.wg.Go(func() {
			for j := range ch {
				d.run(j)
			}
		})
	}
}

func (d *Dispatcher) run(j job) {
	ctx, cancel := context.WithTimeout(d.ctx, d.timeout)
	defer cancel()
	if err := d.h.HandleTurn(ctx, j.w, j.t); err != nil && d.obs != nil {
		e := parley.Event{Kind: EventHandlerError, Time: time.Now(), ConversationID: j.t.ConversationID,
			CustomerID: j.t.CustomerID, Channel: j.t.Channel, MessageID: j.t.MessageID, Err: err}
		d.obs.Observe(ctx, e)
	}
}

// Dispatch queues t to be handled with w. It does not block: it returns
// [ErrQueueFull] when the conversation's worker has no room and
// [ErrClosed] after Close.
func (d *Dispatcher) Dispatch(t *parley.Turn, w parley.ReplyWriter) error {
	d.once.Do(d.start)
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return ErrClosed
	}
	ch := d.shards[maphash.String(d.seed, t.ConversationID)%uint64(len(d.shards))]
	select {
	case ch <- job{w: w, t: t}:
		return nil
	default:
		return ErrQueueFull
	}
}

// Close stops accepting turns and waits until the queued ones are handled.
// If ctx ends first, the running turns' contexts are cancelled and Close
// returns ctx's error once the workers have stopped.
func (d *Dispatcher) Close(ctx context.Context) error {
	d.once.Do(d.start)
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		for _, ch := range d.shards {
			close(ch)
		}
	}
	d.mu.Unlock()
	done := make(chan struct{})
	go func() {
		d.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		d.cancel()
		return nil
	case <-ctx.Done():
		d.cancel()
		<-done
		return ctx.Err()
	}
}
