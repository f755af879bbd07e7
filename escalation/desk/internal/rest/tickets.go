package rest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/internal/httpjson"
)

// New returns a Client for base (a trailing slash is dropped) with the
// help desks' defaults: http.DefaultClient when hc is nil, 3 attempts and
// a 30s cap on one Retry-After wait.
func New(base string, hc *http.Client, attempts int, maxWait time.Duration, auth func(*http.Request)) *Client {
	if attempts <= 0 {
		attempts = 3
	}
	if maxWait <= 0 {
		maxWait = 30 * time.Second
	}
	return &Client{api: httpjson.Client{Base: strings.TrimRight(base, "/"), HTTP: hc, Auth: auth, Attempts: attempts, MaxWait: maxWait}}
}

// Entry is what a desk keeps of one ticket. Fields other than Ticket and
// DeskID change after it is remembered: read and write them through
// [Tickets.Update] or [Tickets.Open].
type Entry struct {
	Ticket    escalation.Ticket // routing only: IDs, channel, locale
	DeskID    int64             // the help desk's ticket number
	Requester int64             // the help desk's requester, 0 when unknown
	Closed    bool
	Relayed   []string // the customer's recent relayed texts, newest last
}

// Tickets is a desk's table of the tickets it submitted or looked up, by
// hand-off ID and by the help desk's ticket number. Its zero value is
// ready; it is safe for concurrent use.
type Tickets struct {
	Desk string // the desk's name, to start error messages

	mu     sync.Mutex
	byID   map[string]*Entry
	byDesk map[int64]*Entry
	locks  map[string]chan struct{}
}

// Remember records the help desk's ticket deskID for t. When t has no
// conversation (a ticket found rather than submitted), the routing line
// of description names it, provided it is for the same hand-off.
func (ts *Tickets) Remember(t escalation.Ticket, description string, deskID, requester int64, closed bool) *Entry {
	if t.ConversationID == "" {
		if r, ok := ParseRoute(description); ok && r.ID == t.ID {
			t = r
		}
	}
	e := &Entry{Ticket: Routing(t), DeskID: deskID, Requester: requester, Closed: closed}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.byID == nil {
		ts.byID, ts.byDesk = map[string]*Entry{}, map[int64]*Entry{}
	}
	ts.byID[t.ID], ts.byDesk[deskID] = e, e
	return e
}

// Get returns the entry of hand-off id, or nil.
func (ts *Tickets) Get(id string) *Entry {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.byID[id]
}

// ByDesk returns the entry of the help desk's ticket n, or nil.
func (ts *Tickets) ByDesk(n int64) *Entry {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.byDesk[n]
}

// Update runs f on e under the table's lock.
func (ts *Tickets) Update(e *Entry, f func(*Entry)) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	f(e)
}

// Find returns the entry of hand-off id from memory, else what search
// finds at the help desk (nil when it has none).
func (ts *Tickets) Find(ctx context.Context, id string, search func(context.Context, string) (*Entry, error)) (*Entry, error) {
	if e := ts.Get(id); e != nil {
		return e, nil
	}
	return search(ctx, id)
}

// Open returns the entry of hand-off id, found with find, and a copy of
// it taken under the lock. The error wraps escalation.ErrUnknownTicket
// when there is no such ticket and escalation.ErrClosedTicket when it is
// closed (the entry is returned then too).
func (ts *Tickets) Open(ctx context.Context, id string, find func(context.Context, string) (*Entry, error)) (*Entry, Entry, error) {
	e, err := find(ctx, id)
	if err != nil {
		return nil, Entry{}, err
	}
	if e == nil {
		return nil, Entry{}, fmt.Errorf("%w: %q", escalation.ErrUnknownTicket, id)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if e.Closed {
		return e, *e, fmt.Errorf("%w: %q", escalation.ErrClosedTicket, id)
	}
	return e, *e, nil
}

// Cancelable returns the entry of hand-off id, found with find, for a
// desk's Cancel: nil (and no error) when the ticket is already closed,
// which leaves nothing to withdraw.
func (ts *Tickets) Cancelable(ctx context.Context, id string, find func(context.Context, string) (*Entry, error)) (*Entry, error) {
	e, _, err := ts.Open(ctx, id, find)
	if errors.Is(err, escalation.ErrClosedTicket) {
		return nil, nil
	}
	return e, err
}

// Submit creates the ticket of t with create unless find, run under a
// lock on t.ID, finds it: concurrent submissions of one hand-off look it
// up and create it once.
func (ts *Tickets) Submit(ctx context.Context, t escalation.Ticket, find func(context.Context, string) (*Entry, error), create func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.ID == "" {
		return errors.New(ts.Desk + ": submit: ticket has no ID")
	}
	unlock, err := ts.lock(ctx, t.ID)
	if err != nil {
		return err
	}
	defer unlock()
	if e, err := find(ctx, t.ID); err != nil || e != nil {
		return err
	}
	return create(ctx)
}

// lock serialises work on hand-off id until the returned func is called.
func (ts *Tickets) lock(ctx context.Context, id string) (func(), error) {
	for {
		ts.mu.Lock()
		if ts.locks == nil {
			ts.locks = map[string]chan struct{}{}
		}
		ch, busy := ts.locks[id]
		if !busy {
			ch = make(chan struct{})
			ts.locks[id] = ch
			ts.mu.Unlock()
			return func() {
				ts.mu.Lock()
				delete(ts.locks, id)
				ts.mu.Unlock()
				close(ch)
			}, nil
		}
		ts.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Subject is a ticket's subject line: the hand-off's reason, else the
// conversation it comes from.
func Subject(t escalation.Ticket) string {
	if t.Reason != "" {
		return t.Reason
	}
	return "Conversation " + t.ConversationID
}

// AgentTurns are the lifecycle turns of an agent's update of ticket t, in
// order: the agent's comment (when not empty) and the resolution (when
// resolved).
func AgentTurns(t escalation.Ticket, agent, comment string, resolved bool) []*parley.Turn {
	var out []*parley.Turn
	if c := strings.TrimSpace(comment); c != "" {
		out = append(out, escalation.LifecycleTurn(t, dialog.SignalAgentMessage,
			map[string]string{escalation.DataAgent: agent, escalation.DataText: c}))
	}
	if resolved {
		out = append(out, escalation.LifecycleTurn(t, dialog.SignalHandoffResolved, map[string]string{escalation.DataAgent: agent}))
	}
	return out
}

// Deliver hands turns to d in order and answers the webhook: 200, or 503
// when a delivery fails, so that the help desk retries.
func Deliver(w http.ResponseWriter, r *http.Request, d escalation.Deliverer, turns []*parley.Turn) {
	for _, turn := range turns {
		if err := d.Deliver(r.Context(), turn); err != nil {
			http.Error(w, "delivery failed", http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// OfCustomer returns copies of the entries of customer cid's tickets,
// by the help desk's ticket number: those this process submitted or
// looked up, which an erasure reaches even when the help desk's own
// lookup misses them.
func (ts *Tickets) OfCustomer(cid string) []Entry {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var out []Entry
	for _, e := range ts.byID {
		if cid != "" && e.Ticket.CustomerID == cid {
			out = append(out, *e)
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return cmp.Compare(a.DeskID, b.DeskID) })
	return out
}

// Forget drops the entries of the help desk's tickets ids, once erased.
func (ts *Tickets) Forget(ids ...int64) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, n := range ids {
		if e := ts.byDesk[n]; e != nil {
			delete(ts.byDesk, n)
			if ts.byID[e.Ticket.ID] == e {
				delete(ts.byID, e.Ticket.ID)
			}
		}
	}
}

// Export is what a desk's privacy export returns: the help desk's people
// who are the customer (Zendesk users, Freshdesk contacts) and the
// tickets they requested, each with its messages.
type Export[P any] struct {
	Requesters []P            `json:"requesters"`
	Tickets    []ExportTicket `json:"tickets"`
}

// ExportTicket is one ticket in an [Export].
type ExportTicket struct {
	ID          int64     `json:"id"`
	Subject     string    `json:"subject"`
	Status      string    `json:"status"`
	Created     string    `json:"created_at"`
	Description string    `json:"description,omitempty"`
	Messages    []Message `json:"messages"`
}

// Message is a comment, reply or note on an exported ticket.
type Message struct {
	AuthorID int64  `json:"author_id"`
	Body     string `json:"body"`
	Public   bool   `json:"public"`
	Created  string `json:"created_at"`
}

// NewExport returns an empty export, whose lists encode as [] rather
// than null.
func NewExport[P any]() Export[P] {
	return Export[P]{Requesters: []P{}, Tickets: []ExportTicket{}}
}
