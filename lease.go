package parley

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/parleyhq/parley/memory"
)

// ErrLeaseTimeout is the error of a turn whose conversation's lease (see
// [WithLocker]) stayed taken by another replica for longer than twice the
// lease TTL. The user is asked to send the message again.
var ErrLeaseTimeout = errors.New("parley: timed out waiting for the conversation lease")

// withLease runs fn holding conv's lease when the Bot has a Locker,
// renewing it every third of its TTL; fn's context is cancelled with
// [memory.ErrLeaseLost] as its cause if the lease is lost.
func (b *Bot) withLease(ctx context.Context, conv string, fn func(context.Context) error) error {
	if b.locker == nil {
		return fn(ctx)
	}
	l, err := b.lock(ctx, conv)
	if err != nil {
		return err
	}
	tctx, cancel := context.WithCancelCause(ctx)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(b.leaseTTL / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if err := l.Renew(tctx, b.leaseTTL); errors.Is(err, memory.ErrLeaseLost) {
				cancel(err)
				return
			}
			// Another error: the store may be back before the lease expires.
		}
	}()
	err = fn(tctx)
	close(stop)
	<-done
	cause := context.Cause(tctx)
	cancel(nil)
	if err != nil && errors.Is(cause, memory.ErrLeaseLost) {
		err = fmt.Errorf("%w: %w", cause, err)
	}
	uctx, ucancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer ucancel()
	return errors.Join(err, l.Unlock(uctx))
}

// lock takes conv's lease, waiting with jittered exponential back-off
// while another replica holds it, so that waiters on different replicas
// do not poll in lockstep.
func (b *Bot) lock(ctx context.Context, conv string) (memory.Lease, error) {
	deadline := time.Now().Add(b.leaseMax)
	pause := 2 * time.Millisecond
	for {
		l, err := b.locker.Lock(ctx, "conversation/"+conv, b.leaseTTL)
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, memory.ErrLocked) {
			return nil, fmt.Errorf("parley: take lease %q: %w", conv, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w %q after %v", ErrLeaseTimeout, conv, b.leaseMax)
		}
		timer := time.NewTimer(pause/2 + rand.N(pause/2+1))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
		pause = min(pause*2, 100*time.Millisecond)
	}
}
