package desk

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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
	// Joined are the tickets of the same customer's other conversations
	// (a second device or tab) submitted while this case was open: one
	// customer is one case in the queue. Their ticket IDs find this
	// case, their messages come into its thread, and what agents do
	// here (take, reply, transfer, resolve) reaches each of them too.
	Joined []escalation.Ticket `json:"joined,omitempty"`
}

// tickets returns the case's ticket and its joined ones.
func (t *Case) tickets() []escalation.Ticket {
	return append([]escalation.Ticket{t.Ticket}, t.Joined...)
}

// deliverAll delivers the lifecycle turn that turn builds for each ticket.
func (d *Memory) deliverAll(ctx context.Context, tks []escalation.Ticket, turn func(escalation.Ticket) *parley.Turn) error {
	var errs []error
	for _, tk := range tks {
		errs = append(errs, d.deliver.Deliver(ctx, turn(tk)))
	}
	return errors.Join(errs...)
}

// lifecycle builds, for deliverAll, each ticket's lifecycle turn of the
// signal name with data.
func lifecycle(name string, data map[string]string) func(escalation.Ticket) *parley.Turn {
	return func(tk escalation.Ticket) *parley.Turn { return escalation.LifecycleTurn(tk, name, data) }
}

// agentEdit applies edit to the open case id under the lock, tells the
// desk's watchers and returns the case's tickets, for the caller to
// deliver to once the lock is released.
func (d *Memory) agentEdit(id string, edit func(*Case)) ([]escalation.Ticket, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, err := d.openLocked(id)
	if err != nil {
		return nil, err
	}
	edit(t)
	d.notifyLocked()
	return t.tickets(), nil
}

// assignLocked gives case t to agent, keeping when it was first assigned.
func assignLocked(t *Case, agent string, now time.Time) {
	t.Status, t.Agent = escalation.StatusAssigned, agent
	if t.Assigned.IsZero() {
		t.Assigned = now
	}
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
// but creates nothing new. A ticket of a customer who already has an open
// case, from another conversation (a second device), joins that case
// (see [Case.Joined]) with a note saying so; if an agent has it, the new
// conversation is told they joined.
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
	if old, ok := d.tickets[t.ID]; ok {
		old.Submits++
		d.mu.Unlock()
		return nil
	}
	if t.Created.IsZero() {
		t.Created = time.Now()
	}
	if c := d.openCaseOfLocked(t); c != nil {
		c.Joined = append(c.Joined, t)
		d.tickets[t.ID] = c
		note := "The customer asked for a person from another conversation too (another device or tab"
		if t.Channel != "" {
			note += ", " + t.Channel
		}
		note += "): it is joined here. Their messages from there come into this thread, and your replies reach both."
		if first, _, _ := strings.Cut(t.Summary, "\n"); first != "" {
			note += " There: " + first
		}
		c.Thread = append(c.Thread, Message{From: "desk", Text: note, Time: time.Now(), Internal: true})
		agent, assigned := c.Agent, c.Status == escalation.StatusAssigned
		d.notifyLocked()
		d.mu.Unlock()
		if !assigned {
			return nil
		}
		return d.deliver.Deliver(ctx, escalation.LifecycleTurn(t, escalation.SignalAssigned, map[string]string{escalation.DataAgent: agent}))
	}
	d.tickets[t.ID] = &Case{Ticket: t, Status: escalation.StatusQueued, Submits: 1}
	d.notifyLocked()
	d.mu.Unlock()
	return nil
}

// openCaseOfLocked returns the open case of t's customer in another
// conversation, or nil; a ticket without a customer ID joins nothing.
// d.mu must be held.
func (d *Memory) openCaseOfLocked(t escalation.Ticket) *Case {
	if t.CustomerID == "" {
		return nil
	}
	for id, c := range d.tickets {
		if id != c.Ticket.ID || c.Ticket.CustomerID != t.CustomerID || c.Ticket.ConversationID == t.ConversationID ||
			(c.Status != escalation.StatusQueued && c.Status != escalation.StatusAssigned) {
			continue
		}
		return c
	}
	return nil
}

// Relay implements [escalation.Desk].
func (d *Memory) Relay(ctx context.Context, id string, m parley.Message) error {
	return d.appendThread(ctx, id, Message{From: "customer", Text: m.Text})
}

// Sent records in the thread of ticket id a message the customer was
// sent by the application rather than by an agent through the desk, such
// as the decision on a refund an agent approved, so that agents read the
// conversation in the order the customer saw it. m.Agent, if set, names
// the agent the message was sent for. Call it when the message was sent;
// it returns [escalation.ErrClosedTicket] for a closed ticket.
func (d *Memory) Sent(ctx context.Context, id string, m parley.Message) error {
	return d.appendThread(ctx, id, Message{From: m.Agent, Text: m.Text, Bot: true})
}

// appendThread adds msg, stamped now, to the thread of the open ticket
// id and tells the desk's watchers.
func (d *Memory) appendThread(ctx context.Context, id string, msg Message) error {
	if err := d.lock(ctx); err != nil {
		return err
	}
	defer d.mu.Unlock()
	t, err := d.openLocked(id)
	if err != nil {
		return err
	}
	msg.Time = time.Now()
	t.Thread = append(t.Thread, msg)
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
	if len(t.Joined) > 0 {
		// One of the customer's conversations leaves; the case stays
		// open for the others, and the ticket that left is closed on
		// its own.
		left := t.Ticket
		if left.ID == id {
			t.Ticket, t.Joined = t.Joined[0], t.Joined[1:]
		} else {
			i := slices.IndexFunc(t.Joined, func(j escalation.Ticket) bool { return j.ID == id })
			left = t.Joined[i]
			t.Joined = slices.Delete(t.Joined, i, i+1)
		}
		now := time.Now()
		d.tickets[id] = &Case{Ticket: left, Status: escalation.StatusCancelled, Closed: now, CloseReason: reason, Submits: 1}
		t.Thread = append(t.Thread, Message{From: "desk", Text: "One of the customer's conversations left the queue: " + reason, Time: now, Internal: true})
		d.notifyLocked()
		return nil
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
	for id, t := range d.tickets {
		if id == t.Ticket.ID && (t.Status == escalation.StatusQueued || t.Status == escalation.StatusAssigned) {
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
	c.Joined = slices.Clone(t.Joined)
	return c
}

// Assign gives ticket id to agent and tells the conversation.
func (d *Memory) Assign(ctx context.Context, id, agent string) error {
	tks, err := d.agentEdit(id, func(t *Case) { assignLocked(t, agent, time.Now()) })
	if err != nil {
		return err
	}
	return d.deliverAll(ctx, tks, lifecycle(escalation.SignalAssigned, map[string]string{escalation.DataAgent: agent}))
}

// Reply sends an agent's message to the customer of ticket id. The ticket
// is assigned to agent if it was not yet.
func (d *Memory) Reply(ctx context.Context, id, agent, text string) error {
	var assign bool
	var n int
	tks, err := d.agentEdit(id, func(t *Case) {
		now := time.Now()
		if assign = t.Status == escalation.StatusQueued; assign {
			assignLocked(t, agent, now)
		}
		t.Thread = append(t.Thread, Message{From: agent, Text: text, Time: now})
		n = len(t.Thread)
	})
	if err != nil {
		return err
	}
	if assign {
		if err := d.deliverAll(ctx, tks, lifecycle(escalation.SignalAssigned, map[string]string{escalation.DataAgent: agent})); err != nil {
			return err
		}
	}
	return d.deliverAll(ctx, tks, func(tk escalation.Ticket) *parley.Turn {
		turn := escalation.LifecycleTurn(tk, dialog.SignalAgentMessage, map[string]string{escalation.DataAgent: agent, escalation.DataText: text})
		turn.MessageID = fmt.Sprintf("agent:%s:%d", tk.ID, n)
		return turn
	})
}

// Resolve closes ticket id, recording how agent resolved it (reason,
// for the agents' records; the customer does not see it), and hands the
// conversation back to the bot.
func (d *Memory) Resolve(ctx context.Context, id, agent, reason string) error {
	tks, err := d.agentEdit(id, func(t *Case) {
		if agent == "" {
			agent = t.Agent
		}
		now := time.Now()
		t.Status, t.Closed, t.CloseReason = escalation.StatusResolved, now, reason
		if reason != "" {
			t.Thread = append(t.Thread, Message{From: agent, Text: "Resolved: " + reason, Time: now, Internal: true})
		}
	})
	if err != nil {
		return err
	}
	return d.deliverAll(ctx, tks, lifecycle(dialog.SignalHandoffResolved, map[string]string{escalation.DataAgent: agent}))
}

// Note adds an internal note by agent to ticket id: other agents see it
// in the thread, the customer never does.
func (d *Memory) Note(ctx context.Context, id, agent, text string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := d.agentEdit(id, func(t *Case) {
		t.Thread = append(t.Thread, Message{From: agent, Text: text, Time: time.Now(), Internal: true})
	})
	return err
}

// Transfer gives ticket id from agent from to agent to, with a note
// saying so, and tells the conversation who the customer is talking
// with now (an assignment to the new agent).
func (d *Memory) Transfer(ctx context.Context, id, from, to string) error {
	if to == "" {
		return errors.New("desk: transfer to nobody")
	}
	tks, err := d.agentEdit(id, func(t *Case) {
		now := time.Now()
		assignLocked(t, to, now)
		t.Thread = append(t.Thread, Message{From: from, Text: "Transferred to " + to, Time: now, Internal: true})
	})
	if err != nil {
		return err
	}
	return d.deliverAll(ctx, tks, lifecycle(escalation.SignalAssigned, map[string]string{escalation.DataAgent: to}))
}

// recent returns up to n closed cases, most recently closed first.
func (d *Memory) recent(n int) []Case {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Case
	for id, t := range d.tickets {
		if id == t.Ticket.ID && !t.Closed.IsZero() {
			out = append(out, t.clone())
		}
	}
	slices.SortFunc(out, func(a, b Case) int {
		return cmp.Or(b.Closed.Compare(a.Closed), cmp.Compare(a.Ticket.ID, b.Ticket.ID))
	})
	return out[:min(n, len(out))]
}
