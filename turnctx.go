package parley

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// turnContext is the context a handler runs a turn in: its parent's values
// and cancellation, and the turn's deadline, as context.WithTimeout would
// give. WithTimeout allocates four objects and arms a timer on every turn,
// although most turns end long before their deadline and nothing in them
// waits on Done. A turnContext computes Err and Deadline, and makes the
// real context (and its timer) only when something needs a channel (Done,
// or a context derived from it), or once it is done: its turn has ended,
// its deadline has passed or its parent is done. It is safe for concurrent
// use, and stays done after its turn (it is never reused).
type turnContext struct {
	parent   context.Context
	deadline time.Time

	mu    sync.Mutex // serialises making made and ending
	made  atomic.Pointer[madeContext]
	ended atomic.Bool
}

// madeContext is the context.WithDeadline a turnContext stands for.
type madeContext struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// start makes c the context of a turn with parent and a deadline d from
// now. It must be called once, before c is used.
func (c *turnContext) start(parent context.Context, d time.Duration) {
	c.parent = parent
	c.deadline = time.Now().Add(d)
}

// end cancels c, as the CancelFunc of context.WithTimeout does: its turn
// is over.
func (c *turnContext) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ended.Store(true)
	if m := c.made.Load(); m != nil {
		m.cancel()
	}
}

// pending reports whether c is not done and has not made its context, so
// that it can answer from its parent and its deadline.
func (c *turnContext) pending() bool {
	return c.made.Load() == nil && !c.ended.Load() && c.parent.Err() == nil && time.Now().Before(c.deadline)
}

// real returns the context c stands for, making it on first use.
func (c *turnContext) real() context.Context {
	if m := c.made.Load(); m != nil {
		return m.ctx
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.made.Load(); m != nil {
		return m.ctx
	}
	ctx, cancel := context.WithDeadline(c.parent, c.deadline)
	if c.ended.Load() {
		cancel()
	}
	c.made.Store(&madeContext{ctx: ctx, cancel: cancel})
	return ctx
}

// Deadline implements [context.Context].
func (c *turnContext) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

// Done implements [context.Context].
func (c *turnContext) Done() <-chan struct{} { return c.real().Done() }

// Err implements [context.Context].
func (c *turnContext) Err() error {
	if c.pending() {
		return nil
	}
	return c.real().Err()
}

// Value implements [context.Context]. Once c is done, or something has
// asked for its channel, the values (including what [context.Cause] and
// derived contexts look up) are the real context's.
func (c *turnContext) Value(key any) any {
	if c.pending() {
		return c.parent.Value(key)
	}
	return c.real().Value(key)
}

// String describes c, as the contexts of package context do.
func (c *turnContext) String() string { return "parley.turnContext" }
