package desk

import (
	"context"
	"slices"
)

// Name names the desk's tickets in a privacy export ("desk_tickets");
// with [Memory.Export] and [Memory.Erase] it makes a Memory desk a
// privacy.Source.
func (d *Memory) Name() string { return "desk_tickets" }

// Export returns the cases of the customer's tickets, oldest first.
func (d *Memory) Export(ctx context.Context, customerID string) (any, error) {
	if err := d.lock(ctx); err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	out := []Case{}
	for id, c := range d.tickets {
		if customerID != "" && id == c.Ticket.ID && c.Ticket.CustomerID == customerID {
			out = append(out, c.clone())
		}
	}
	slices.SortFunc(out, func(a, b Case) int { return a.Ticket.Created.Compare(b.Ticket.Created) })
	return out, nil
}

// Erase deletes the customer's tickets, open or closed, with their
// threads, summaries and transcripts. An agent working on one sees it
// leave the queue. Tickets kept by a hosted help desk are erased by that
// desk's own Erase (zendesk.Desk, freshdesk.Desk), through its API.
func (d *Memory) Erase(ctx context.Context, customerID string) error {
	if err := d.lock(ctx); err != nil {
		return err
	}
	defer d.mu.Unlock()
	n := 0
	for id, c := range d.tickets {
		if customerID != "" && c.Ticket.CustomerID == customerID {
			delete(d.tickets, id)
			n++
		}
	}
	if n > 0 {
		d.notifyLocked()
	}
	return nil
}
