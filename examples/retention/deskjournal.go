package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/memory"
)

// deskJournal is the agents' in-memory desk with its open tickets written
// to the example's store, so that a hand-off waiting when the example
// stops is back in the workspace's queue when it starts again (with its
// summary, transcript and priority; an agent who had taken it takes it
// again). A ticket leaves the journal when it is withdrawn or resolved.
type deskJournal struct {
	*desk.Memory
	store memory.Store
}

// deskPrefix is where the journal keeps open tickets, by ID.
const deskPrefix = "demo/desk/open/"

var _ escalation.Desk = (*deskJournal)(nil)

// Submit implements [escalation.Desk]: the ticket is journaled, then
// queued.
func (d *deskJournal) Submit(ctx context.Context, t escalation.Ticket) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	if _, err := d.store.Set(ctx, memory.Put{Key: deskPrefix + t.ID, Value: b, IfVersion: memory.AnyVersion}); err != nil {
		return fmt.Errorf("%w: journal: %w", escalation.ErrDeskUnavailable, err)
	}
	return d.Memory.Submit(ctx, t)
}

// Cancel implements [escalation.Desk]: the ticket is withdrawn and leaves
// the journal.
func (d *deskJournal) Cancel(ctx context.Context, id, reason string) error {
	if err := d.Memory.Cancel(ctx, id, reason); err != nil {
		return err
	}
	return d.forget(ctx, id)
}

// forget drops ticket id from the journal.
func (d *deskJournal) forget(ctx context.Context, id string) error {
	return d.store.Delete(ctx, deskPrefix+id, memory.AnyVersion)
}

// closed drops the ticket of a resolution turn from the journal; call it
// with every lifecycle turn the desk delivers.
func (d *deskJournal) closed(ctx context.Context, t *parley.Turn) error {
	if t.Signal == nil || t.Signal.Name != dialog.SignalHandoffResolved || t.Signal.Data[escalation.DataTicket] == "" {
		return nil
	}
	return d.forget(ctx, t.Signal.Data[escalation.DataTicket])
}

// restore queues the journaled tickets again, after a restart.
func (d *deskJournal) restore(ctx context.Context) (int, error) {
	var ids []string
	if err := d.store.Keys(ctx, deskPrefix, func(k string) bool { ids = append(ids, k); return true }); err != nil {
		return 0, err
	}
	n := 0
	for _, k := range ids {
		rec, err := d.store.Get(ctx, k)
		if errors.Is(err, memory.ErrNotFound) {
			continue
		}
		if err != nil {
			return n, err
		}
		var t escalation.Ticket
		if err := json.Unmarshal(rec.Value, &t); err != nil {
			return n, &memory.CorruptError{Key: k, Err: err}
		}
		if err := d.Memory.Submit(ctx, t); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
