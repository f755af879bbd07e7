package escalation

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// A DeskMessage is one message in a desk ticket's thread.
type DeskMessage struct {
	// From is "customer" or the agent's name.
	From string    `json:"from"`
	Text string    `json:"text"`
	Time time.Time `json:"time"`
}

// A DeskTicket is a [Ticket] as an in-memory desk holds it.
type DeskTicket struct {
	Ticket
	Status   Status        `json:"status"`
	Agent    string        `json:"agent,omitempty"`
	Thread   []DeskMessage `json:"thread,omitempty"`
	Assigned time.Time     `json:"assigned,omitzero"`
	Closed   time.Time     `json:"closed,omitzero"`
	// CloseReason says why a cancelled ticket was withdrawn.
	CloseReason string `json:"close_reason,omitempty"`
	// Submits counts submissions of the ticket, duplicates included.
	Submits int `json:"submits"`
}

// MemoryDesk is an in-memory [Desk] with the agents' side built in:
// [MemoryDesk.Assign], [MemoryDesk.Reply] and [MemoryDesk.Resolve] deliver
// the lifecycle turns to the conversation. It is the default desk, the one
// tests use, and the back end of [Console].
//
// A MemoryDesk is safe for concurrent use. It does not survive a restart.
type MemoryDesk struct {
	deliver Deliverer
	now     func() time.Time

	mu      sync.Mutex
	tickets map[string]*DeskTicket
	agents  int
	fault   error
}

var (
	_ Desk         = (*MemoryDesk)(nil)
	_ AgentCounter = (*MemoryDesk)(nil)
)

// A MemoryDeskOption configures a [MemoryDesk].
type MemoryDeskOption func(*MemoryDesk)

// WithDeskClock sets the desk's clock.
func WithDeskClock(now func() time.Time) MemoryDeskOption {
	return func(d *MemoryDesk) { d.now = now }
}

// WithAgents sets how many agents are available (default: unlimited,
// reported as 1000).
func WithAgents(n int) MemoryDeskOption { return func(d *MemoryDesk) { d.agents = n } }

// NewMemoryDesk returns an empty desk that delivers agent activity through
// d. It panics if d is nil.
func NewMemoryDesk(d Deliverer, opts ...MemoryDeskOption) *MemoryDesk {
	if d == nil {
		panic("escalation: NewMemoryDesk with nil Deliverer")
	}
	m := &MemoryDesk{deliver: d, now: time.Now, tickets: map[string]*DeskTicket{}, agents: 1000}
	for _, o := range opts {
		o(m)
	}
	return m
}

// SetAgents changes how many agents are available.
func (d *MemoryDesk) SetAgents(n int) {
	d.mu.Lock()
	d.agents = n
	d.mu.Unlock()
}

// SetFault makes every desk call fail with err (wrapped in
// [ErrDeskUnavailable]) until it is called with nil: a desk that is down.
func (d *MemoryDesk) SetFault(err error) {
	d.mu.Lock()
	d.fault = err
	d.mu.Unlock()
}

func (d *MemoryDesk) faultLocked() error {
	if d.fault != nil {
		return fmt.Errorf("%w: %w", ErrDeskUnavailable, d.fault)
	}
	return nil
}

// Submit implements [Desk]. A ticket ID the desk already has is counted
// but creates nothing new.
func (d *MemoryDesk) Submit(ctx context.Context, t Ticket) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.ID == "" {
		return fmt.Errorf("escalation: submit: ticket has no ID")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.faultLocked(); err != nil {
		return err
	}
	if old, ok := d.tickets[t.ID]; ok {
		old.Submits++
		return nil
	}
	if t.Created.IsZero() {
		t.Created = d.now()
	}
	d.tickets[t.ID] = &DeskTicket{Ticket: t, Status: StatusQueued, Submits: 1}
	return nil
}

// Relay implements [Desk].
func (d *MemoryDesk) Relay(ctx context.Context, id string, m parley.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.faultLocked(); err != nil {
		return err
	}
	t, ok := d.tickets[id]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownTicket, id)
	}
	if t.Status == StatusResolved || t.Status == StatusCancelled {
		return fmt.Errorf("%w: %q", ErrClosedTicket, id)
	}
	t.Thread = append(t.Thread, DeskMessage{From: "customer", Text: m.Text, Time: d.now()})
	return nil
}

// Cancel implements [Desk].
func (d *MemoryDesk) Cancel(ctx context.Context, id, reason string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.faultLocked(); err != nil {
		return err
	}
	t, ok := d.tickets[id]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownTicket, id)
	}
	if t.Status == StatusResolved || t.Status == StatusCancelled {
		return nil
	}
	t.Status, t.Closed, t.CloseReason = StatusCancelled, d.now(), reason
	return nil
}

// AgentsAvailable implements [AgentCounter].
func (d *MemoryDesk) AgentsAvailable(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.faultLocked(); err != nil {
		return 0, err
	}
	return d.agents, nil
}

var priorityRank = map[parley.Priority]int{parley.PriorityUrgent: 0, parley.PriorityHigh: 1, parley.PriorityNormal: 2, "": 2, parley.PriorityLow: 3}

// Queue returns the open tickets (queued or assigned), most urgent first,
// then oldest first.
func (d *MemoryDesk) Queue() []DeskTicket {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []DeskTicket
	for _, t := range d.tickets {
		if t.Status == StatusQueued || t.Status == StatusAssigned {
			out = append(out, t.clone())
		}
	}
	slices.SortFunc(out, func(a, b DeskTicket) int {
		return cmp.Or(cmp.Compare(priorityRank[a.Priority], priorityRank[b.Priority]),
			a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Get returns the ticket with the given ID.
func (d *MemoryDesk) Get(id string) (DeskTicket, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.tickets[id]
	if !ok {
		return DeskTicket{}, false
	}
	return t.clone(), true
}

func (t *DeskTicket) clone() DeskTicket {
	c := *t
	c.Thread = slices.Clone(t.Thread)
	return c
}

// Assign gives ticket id to agent and tells the conversation.
func (d *MemoryDesk) Assign(ctx context.Context, id, agent string) error {
	d.mu.Lock()
	t, ok := d.tickets[id]
	if !ok {
		d.mu.Unlock()
		return fmt.Errorf("%w: %q", ErrUnknownTicket, id)
	}
	if t.Status != StatusQueued && t.Status != StatusAssigned {
		d.mu.Unlock()
		return fmt.Errorf("%w: %q", ErrClosedTicket, id)
	}
	t.Status, t.Agent = StatusAssigned, agent
	if t.Assigned.IsZero() {
		t.Assigned = d.now()
	}
	tk := t.Ticket
	d.mu.Unlock()
	return d.deliver.Deliver(ctx, LifecycleTurn(tk, SignalAssigned, map[string]string{DataAgent: agent}))
}

// Reply sends an agent's message to the customer of ticket id. The ticket
// is assigned to agent if it was not yet.
func (d *MemoryDesk) Reply(ctx context.Context, id, agent, text string) error {
	d.mu.Lock()
	t, ok := d.tickets[id]
	if !ok {
		d.mu.Unlock()
		return fmt.Errorf("%w: %q", ErrUnknownTicket, id)
	}
	if t.Status != StatusQueued && t.Status != StatusAssigned {
		d.mu.Unlock()
		return fmt.Errorf("%w: %q", ErrClosedTicket, id)
	}
	assign := t.Status == StatusQueued
	if assign {
		t.Status, t.Agent, t.Assigned = StatusAssigned, agent, d.now()
	}
	t.Thread = append(t.Thread, DeskMessage{From: agent, Text: text, Time: d.now()})
	tk, n := t.Ticket, len(t.Thread)
	d.mu.Unlock()
	if assign {
		if err := d.deliver.Deliver(ctx, LifecycleTurn(tk, SignalAssigned, map[string]string{DataAgent: agent})); err != nil {
			return err
		}
	}
	turn := LifecycleTurn(tk, parley.SignalAgentMessage, map[string]string{DataAgent: agent, DataText: text})
	turn.MessageID = fmt.Sprintf("agent:%s:%d", id, n)
	return d.deliver.Deliver(ctx, turn)
}

// Resolve closes ticket id and hands the conversation back to the bot.
func (d *MemoryDesk) Resolve(ctx context.Context, id string) error {
	d.mu.Lock()
	t, ok := d.tickets[id]
	if !ok {
		d.mu.Unlock()
		return fmt.Errorf("%w: %q", ErrUnknownTicket, id)
	}
	if t.Status != StatusQueued && t.Status != StatusAssigned {
		d.mu.Unlock()
		return fmt.Errorf("%w: %q", ErrClosedTicket, id)
	}
	t.Status, t.Closed = StatusResolved, d.now()
	tk, agent := t.Ticket, t.Agent
	d.mu.Unlock()
	return d.deliver.Deliver(ctx, LifecycleTurn(tk, parley.SignalHandoffResolved, map[string]string{DataAgent: agent}))
}
