package desk

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
)

// A Message is one message in a case's thread.
type Message struct {
	// From is "customer" or the agent's name.
	From string    `json:"from"`
	Text string    `json:"text"`
	Time time.Time `json:"time"`
	// Internal marks an agents' note (or a transfer or resolution
	// record): agents see it, the customer never does.
	Internal bool `json:"internal,omitempty"`
	// Bot marks a message the application sent the customer while the
	// case was open, not an agent through the desk (an approval's
	// decision; see [Memory.Sent]). From is then the agent it was sent
	// for, or "".
	Bot bool `json:"bot,omitempty"`
}

// A Case is a ticket as the desk holds it, with what happened to it.
type Case struct {
	Ticket   escalation.Ticket `json:"ticket"`
	Status   escalation.Status `json:"status"`
	Agent    string            `json:"agent,omitempty"`
	Thread   []Message         `json:"thread,omitempty"`
	Assigned time.Time         `json:"assigned,omitzero"`
	Closed   time.Time         `json:"closed,omitzero"`
	// CloseReason says why the ticket was closed: why it was withdrawn
	// (cancelled) or how the agent resolved it.
	CloseReason string `json:"close_reason,omitempty"`
	// Submits counts submissions of the ticket, duplicates included.
	Submits int `json:"submits"`
}

// Memory is an in-memory [escalation.Desk] with the agents' side built
// in: [Memory.Assign], [Memory.Reply] and [Memory.Resolve] deliver the
// lifecycle turns to the conversation. It is the default desk, the one
// tests use, and the back end of [Console].
//
// A Memory desk is safe for concurrent use. It does not survive a restart.
type Memory struct {
	deliver escalation.Deliverer

	mu      sync.Mutex
	tickets map[string]*Case
	agents  int
	fault   error
	changed chan struct{} // closed and replaced on every change
}

var (
	_ escalation.Desk         = (*Memory)(nil)
	_ escalation.AgentCounter = (*Memory)(nil)
)

// An Option configures a [Memory] desk.
type Option func(*Memory)

// WithAgents sets how many agents are available (default: unlimited,
// reported as 1000). With none, the escalator offers a call-back instead
// of a queue.
func WithAgents(n int) Option { return func(d *Memory) { d.agents = max(n, 0) } }

// NewMemory returns an empty desk that delivers agent activity through
// d. It panics if d is nil.
func NewMemory(d escalation.Deliverer, opts ...Option) *Memory {
	if d == nil {
		panic("desk: NewMemory with nil Deliverer")
	}
	m := &Memory{deliver: d, tickets: map[string]*Case{}, agents: 1000, changed: make(chan struct{})}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Changes returns a channel that is closed at the next change of any
// case (a new ticket, a message, an assignment, a note, a closing): a
// console waits on it to push updates to agents' screens, then calls
// Changes again.
func (d *Memory) Changes() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.changed
}

// notifyLocked wakes the waiters of Changes. d.mu must be held.
func (d *Memory) notifyLocked() {
	close(d.changed)
	d.changed = make(chan struct{})
}

// SetAgents changes how many agents are available.
func (d *Memory) SetAgents(n int) {
	d.mu.Lock()
	d.agents = n
	d.mu.Unlock()
}

// SetFault makes every desk call fail with err (wrapped in
// [escalation.ErrDeskUnavailable]) until it is called with nil: a desk
// that is down.
func (d *Memory) SetFault(err error) {
	d.mu.Lock()
	d.fault = err
	d.mu.Unlock()
}

// lock locks d for a call from the bot's side, which fails while ctx is
// done or the desk is down (SetFault); on error d is left unlocked.
func (d *Memory) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	if d.fault != nil {
		d.mu.Unlock()
		return fmt.Errorf("%w: %w", escalation.ErrDeskUnavailable, d.fault)
	}
	return nil
}

// openLocked returns ticket id if it is open (queued or assigned): an
// error wrapping [escalation.ErrUnknownTicket] if there is none, and the
// case with one wrapping [escalation.ErrClosedTicket] if it is closed.
// d.mu must be held.
func (d *Memory) openLocked(id string) (*Case, error) {
	t, ok := d.tickets[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", escalation.ErrUnknownTicket, id)
	}
	if t.Status != escalation.StatusQueued && t.Status != escalation.StatusAssigned {
		return t, fmt.Errorf("%w: %q", escalation.ErrClosedTicket, id)
	}
	return t, nil
}

// Submit implements [escalation.Desk]. A ticket ID the desk already has is counted
// but creates nothing new.
func (d *Memory) Submit(ctx context.Context, t escalation.Ticket) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.ID == "" {
		return errors.New("desk: submit: ticket has no ID")
	}
	if err := d.lock(ctx); err != nil {
		return err
	}
	defer d.mu.Unlock()
	if old, ok := d.tickets[t.ID]; ok {
		old.Submits++
		return nil
	}
	if t.Created.IsZero() {
		t.Created = time.Now()
	}
	d.tickets[t.ID] = &Case{Ticket: t, Status: escalation.StatusQueued, Submits: 1}
	d.notifyLocked()
	return nil
}

// Relay implements [escalation.Desk].
func (d *Memory) Relay(ctx context.Context, id string, m parley.Message) error {
	if err := d.lock(ctx); err != nil {
		return err
	}
	defer d.mu.Unlock()
	t, err := d.openLocked(id)
	if err != nil {
		return err
	}
	t.Thread = append(t.Thread, Message{From: "customer", Text: m.Text, Time: time.Now()})
	d.notifyLocked()
	return nil
}

// Sent records in the thread of ticket id a message the customer was
// sent by the application rather than by an agent through the desk, such
// as the decision on a refund an agent approved, so that agents read the
// conversation in the order the customer saw it. m.Agent, if set, names
// the agent the message was sent for. Call it when the message was sent;
// it returns [escalation.ErrClosedTicket] for a closed ticket.
func (d *Memory) Sent(ctx context.Context, id string, m parley.Message) error {
	if err := d.lock(ctx); err != nil {
		return err
	}
	defer d.mu.Unlock()
	t, err := d.openLocked(id)
	if err != nil {
		return err
	}
	t.Thread = append(t.Thread, Message{From: m.Agent, Text: m.Text, Time: time.Now(), Bot: true})
	d.notifyLocked()
	return nil
}

// Cancel implements [escalation.Desk].
func (d *Memory) Cancel(ctx context.Context, id, reason string) error {
	if err := d.lock(ctx); err != nil {
		return err
	}
	defer d.mu.Unlock()
	t, err := d.openLocked(id)
	if errors.Is(err, escalation.ErrClosedTicket) {
		return nil // cancelling a closed ticket changes nothing
	}
	if err != nil {
		return err
	}
	t.Status, t.Closed, t.CloseReason = escalation.StatusCancelled, time.Now(), reason
	d.notifyLocked()
	return nil
}

// AgentsAvailable implements [escalation.AgentCounter].
func (d *Memory) AgentsAvailable(ctx context.Context) (int, error) {
	if err := d.lock(ctx); err != nil {
		return 0, err
	}
	defer d.mu.Unlock()
	return d.agents, nil
}

var priorityRank = map[dialog.Priority]int{dialog.PriorityUrgent: 0, dialog.PriorityHigh: 1, dialog.PriorityNormal: 2, "": 2, dialog.PriorityLow: 3}

// Queue returns the open cases (queued or assigned), most urgent first,
// then oldest first.
func (d *Memory) Queue() []Case {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Case
	for _, t := range d.tickets {
		if t.Status == escalation.StatusQueued || t.Status == escalation.StatusAssigned {
			out = append(out, t.clone())
		}
	}
	slices.SortFunc(out, func(a, b Case) int {
		return cmp.Or(cmp.Compare(priorityRank[a.Ticket.Priority], priorityRank[b.Ticket.Priority]),
			a.Ticket.Created.Compare(b.Ticket.Created), cmp.Compare(a.Ticket.ID, b.Ticket.ID))
	})
	return out
}

// Get returns the case of ticket id.
func (d *Memory) Get(id string) (Case, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.tickets[id]
	if !ok {
		return Case{}, false
	}
	return t.clone(), true
}

func (t *Case) clone() Case {
	c := *t
	c.Thread = slices.Clone(t.Thread)
	return c
}

// Assign gives ticket id to agent and tells the conversation.
func (d *Memory) Assign(ctx context.Context, id, agent string) error {
	d.mu.Lock()
	t, err := d.openLocked(id)
	if err != nil {
		d.mu.Unlock()
		return err
	}
	t.Status, t.Agent = escalation.StatusAssigned, agent
	if t.Assigned.IsZero() {
		t.Assigned = time.Now()
	}
	tk := t.Ticket
	d.notifyLocked()
	d.mu.Unlock()
	return d.deliver.Deliver(ctx, escalation.LifecycleTurn(tk, escalation.SignalAssigned, map[string]string{escalation.DataAgent: agent}))
}

// Reply sends an agent's message to the customer of ticket id. The ticket
// is assigned to agent if it was not yet.
func (d *Memory) Reply(ctx context.Context, id, agent, text string) error {
	d.mu.Lock()
	t, err := d.openLocked(id)
	if err != nil {
		d.mu.Unlock()
		return err
	}
	assign := t.Status == escalation.StatusQueued
	if assign {
		t.Status, t.Agent, t.Assigned = escalation.StatusAssigned, agent, time.Now()
	}
	t.Thread = append(t.Thread, Message{From: agent, Text: text, Time: time.Now()})
	tk, n := t.Ticket, len(t.Thread)
	d.notifyLocked()
	d.mu.Unlock()
	if assign {
		if err := d.deliver.Deliver(ctx, escalation.LifecycleTurn(tk, escalation.SignalAssigned, map[string]string{escalation.DataAgent: agent})); err != nil {
			return err
		}
	}
	turn := escalation.LifecycleTurn(tk, dialog.SignalAgentMessage, map[string]string{escalation.DataAgent: agent, escalation.DataText: text})
	turn.MessageID = fmt.Sprintf("agent:%s:%d", id, n)
	return d.deliver.Deliver(ctx, turn)
}

// Resolve closes ticket id, recording how agent resolved it (reason,
// for the agents' records; the customer does not see it), and hands the
// conversation back to the bot.
func (d *Memory) Resolve(ctx context.Context, id, agent, reason string) error {
	d.mu.Lock()
	t, err := d.openLocked(id)
	if err != nil {
		d.mu.Unlock()
		return err
	}
	if agent == "" {
		agent = t.Agent
	}
	now := time.Now()
	t.Status, t.Closed, t.CloseReason = escalation.StatusResolved, now, reason
	if reason != "" {
		t.Thread = append(t.Thread, Message{From: agent, Text: "Resolved: " + reason, Time: now, Internal: true})
	}
	tk := t.Ticket
	d.notifyLocked()
	d.mu.Unlock()
	return d.deliver.Deliver(ctx, escalation.LifecycleTurn(tk, dialog.SignalHandoffResolved, map[string]string{escalation.DataAgent: agent}))
}

// Note adds an internal note by agent to ticket id: other agents see it
// in the thread, the customer never does.
func (d *Memory) Note(ctx context.Context, id, agent, text string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	t, err := d.openLocked(id)
	if err != nil {
		return err
	}
	t.Thread = append(t.Thread, Message{From: agent, Text: text, Time: time.Now(), Internal: true})
	d.notifyLocked()
	return nil
}

// Transfer gives ticket id from agent from to agent to, with a note
// saying so, and tells the conversation who the customer is talking
// with now (an assignment to the new agent).
func (d *Memory) Transfer(ctx context.Context, id, from, to string) error {
	if to == "" {
		return errors.New("desk: transfer to nobody")
	}
	d.mu.Lock()
	t, err := d.openLocked(id)
	if err != nil {
		d.mu.Unlock()
		return err
	}
	now := time.Now()
	t.Status, t.Agent = escalation.StatusAssigned, to
	if t.Assigned.IsZero() {
		t.Assigned = now
	}
	t.Thread = append(t.Thread, Message{From: from, Text: "Transferred to " + to, Time: now, Internal: true})
	tk := t.Ticket
	d.notifyLocked()
	d.mu.Unlock()
	return d.deliver.Deliver(ctx, escalation.LifecycleTurn(tk, escalation.SignalAssigned, map[string]string{escalation.DataAgent: to}))
}

// recent returns up to n closed cases, most recently closed first.
func (d *Memory) recent(n int) []Case {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Case
	for _, t := range d.tickets {
		if !t.Closed.IsZero() {
			out = append(out, t.clone())
		}
	}
	slices.SortFunc(out, func(a, b Case) int {
		return cmp.Or(b.Closed.Compare(a.Closed), cmp.Compare(a.Ticket.ID, b.Ticket.ID))
	})
	return out[:min(n, len(out))]
}
