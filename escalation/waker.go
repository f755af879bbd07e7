package escalation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// The wake index: one record per waiting conversation, read by Run.

const wakePrefix = "escalation/wake/"

type wakeRecord struct {
	ConversationID string    `json:"conversation"`
	CustomerID     string    `json:"customer,omitempty"`
	Channel        string    `json:"channel,omitempty"`
	Locale         string    `json:"locale,omitempty"`
	Ticket         string    `json:"ticket,omitempty"`
	Due            time.Time `json:"due"`
}

func (tc *turnCtx) setWake(ctx context.Context) error {
	e := tc.e
	if e.store == nil {
		return nil
	}
	due := tc.st.RequestedAt.Add(e.timeout)
	if tc.st.Pending != nil || len(tc.st.Outbox) > 0 {
		due = tc.st.NextRetry
		if due.IsZero() {
			due = time.Now().Add(e.backoff)
		}
	}
	rec := wakeRecord{ConversationID: tc.t.ConversationID, CustomerID: tc.t.CustomerID, Channel: tc.t.Channel,
		Locale: tc.t.Locale, Ticket: tc.st.TicketID, Due: due}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("escalation: wake record: %w", err)
	}
	if _, err := e.store.Set(ctx, memory.Put{Key: wakePrefix + tc.t.ConversationID, Value: b, IfVersion: memory.AnyVersion, TTL: 7 * 24 * time.Hour}); err != nil {
		return fmt.Errorf("escalation: wake record: %w", err)
	}
	return nil
}

func (tc *turnCtx) clearWake(ctx context.Context) error {
	if tc.e.store == nil {
		return nil
	}
	if err := tc.e.store.Delete(ctx, wakePrefix+tc.t.ConversationID, memory.AnyVersion); err != nil {
		return fmt.Errorf("escalation: wake record: %w", err)
	}
	return nil
}

// Run wakes waiting conversations until ctx ends: every interval of
// [WithWaker] it delivers a wake-up turn to each conversation whose
// retry or queue time-out is due, so that a user waiting in silence still
// gets a call-back offer and a desk outage is retried. Several replicas
// may run it: a conditional write makes sure one of them wakes each
// conversation. It returns ctx's error, or an error at once when the
// escalator has no waker. Delivery errors are reported through onErr
// when it is not nil and do not stop the loop.
func (e *Escalator) Run(ctx context.Context, onErr func(error)) error {
	if e.store == nil {
		return errors.New("escalation: Run needs WithWaker")
	}
	t := time.NewTicker(e.tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if err := e.sweep(ctx); err != nil && onErr != nil {
			onErr(err)
		}
	}
}

// sweep does one round of [Escalator.Run]: it wakes every conversation
// whose wake record is due and returns the errors it met.
func (e *Escalator) sweep(ctx context.Context) error {
	var keys []string
	if err := e.store.Keys(ctx, wakePrefix, func(k string) bool { keys = append(keys, k); return true }); err != nil {
		return fmt.Errorf("escalation: sweep: %w", err)
	}
	var errs []error
	now := time.Now()
	for _, k := range keys {
		rec, err := e.store.Get(ctx, k)
		if errors.Is(err, memory.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var w wakeRecord
		if err := json.Unmarshal(rec.Value, &w); err != nil {
			errs = append(errs, fmt.Errorf("escalation: wake record %q: %w", k, err))
			if err := e.store.Delete(ctx, k, rec.Version); err != nil && !errors.Is(err, memory.ErrConflict) {
				errs = append(errs, err)
			}
			continue
		}
		if now.Before(w.Due) {
			continue
		}
		// Claim this wake-up: push the due time so that no other replica
		// (and no later sweep) delivers it again unless the turn says so.
		w.Due = now.Add(e.timeout)
		b, err := json.Marshal(w)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := e.store.Set(ctx, memory.Put{Key: k, Value: b, IfVersion: rec.Version, TTL: 7 * 24 * time.Hour}); err != nil {
			if !errors.Is(err, memory.ErrConflict) {
				errs = append(errs, err)
			}
			continue
		}
		turn := &parley.Turn{ConversationID: w.ConversationID, CustomerID: w.CustomerID, Channel: w.Channel, Locale: w.Locale,
			Signal: &parley.Signal{Name: signalTick, Data: map[string]string{DataTicket: w.Ticket}}}
		if err := e.deliver.Deliver(ctx, turn); err != nil {
			errs = append(errs, fmt.Errorf("escalation: wake %q: %w", w.ConversationID, err))
		}
	}
	return errors.Join(errs...)
}
