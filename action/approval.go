package action

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"
)

// ErrNoApproval is returned by an [ApprovalStore] (and so by
// [Registry.Approve] and [Registry.Reject]) for an approval ID that is not
// pending: unknown, or already decided.
var ErrNoApproval = errors.New("action: no such pending approval")

// An Approval is a call waiting for a human decision, as an
// [ApprovalStore] keeps it. It encodes to JSON.
type Approval struct {
	// Request is what the approver was sent; Request.ID is the approval
	// ID.
	Request ApprovalRequest `json:"request"`
	// Key de-duplicates requests: calls with the same conversation,
	// action and arguments (compared as canonical JSON) share a key, so a
	// model or user repeating an over-limit request waits on the first
	// approval instead of creating another.
	Key string `json:"key"`
	// Call is the call to run on approval (its Approver is not kept).
	Call Call `json:"call"`
	// Created is when the approval was requested.
	Created time.Time `json:"created"`
}

// An ApprovalStore keeps the calls waiting for a human decision. The
// default is a [MemoryApprovals]; a deployment that must keep them across
// restarts plugs in a persistent one with [WithApprovals] (for example
// [NewStoreApprovals] over a [memory.Store] backed by Redis, PostgreSQL
// or SQLite).
//
// # Implementing ApprovalStore
//
// Implementations must be safe for concurrent use, and Add and Take must
// be atomic: of concurrent Adds with one Key exactly one adds, and of
// concurrent Takes of one ID exactly one succeeds (so an approval runs
// once even when two agents click at the same time).
type ApprovalStore interface {
	// Add stores a unless an approval with the same Key is pending; it
	// returns the pending approval (a, or the earlier one) and whether a
	// was added.
	Add(ctx context.Context, a Approval) (Approval, bool, error)
	// Take removes and returns the pending approval with the ID. It
	// returns an error matching [ErrNoApproval] if there is none.
	Take(ctx context.Context, id string) (Approval, error)
	// List returns the pending approvals, oldest first.
	List(ctx context.Context) ([]Approval, error)
}

// MemoryApprovals is the default in-memory [ApprovalStore]; its zero
// value is ready to use. It is safe for concurrent use. Its approvals
// are lost when the process ends.
type MemoryApprovals struct {
	mu    sync.Mutex
	byID  map[string]Approval
	byKey map[string]string // key -> ID
}

var _ ApprovalStore = (*MemoryApprovals)(nil)

// Add implements [ApprovalStore].
func (m *MemoryApprovals) Add(_ context.Context, a Approval) (Approval, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byID == nil {
		m.byID, m.byKey = map[string]Approval{}, map[string]string{}
	}
	if id, ok := m.byKey[a.Key]; ok && a.Key != "" {
		return m.byID[id], false, nil
	}
	if _, ok := m.byID[a.Request.ID]; ok {
		return Approval{}, false, fmt.Errorf("action: approval %q already exists", a.Request.ID)
	}
	m.byID[a.Request.ID] = a
	if a.Key != "" {
		m.byKey[a.Key] = a.Request.ID
	}
	return a, true, nil
}

// Take implements [ApprovalStore].
func (m *MemoryApprovals) Take(_ context.Context, id string) (Approval, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.byID[id]
	if !ok {
		return Approval{}, fmt.Errorf("%w: %q", ErrNoApproval, id)
	}
	delete(m.byID, id)
	if m.byKey[a.Key] == id {
		delete(m.byKey, a.Key)
	}
	return a, nil
}

// List implements [ApprovalStore].
func (m *MemoryApprovals) List(context.Context) ([]Approval, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Collect(maps.Values(m.byID))
	sortApprovals(out)
	return out, nil
}

func sortApprovals(as []Approval) {
	slices.SortFunc(as, func(a, b Approval) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.Request.ID, b.Request.ID))
	})
}

// WithApprovals sets where calls waiting for approval are kept; the
// default is a [MemoryApprovals].
func WithApprovals(s ApprovalStore) Option { return func(r *Registry) { r.approvals = s } }

// approvalKey identifies a request for de-duplication: the conversation,
// the action and the canonical arguments (the idempotency key is left
// out, so that a model repeating itself under new keys is still one
// request).
func approvalKey(c Call) string {
	c.IdempotencyKey = ""
	return idemKey(c)
}

// newApprovalID returns a random approval ID, unique across restarts.
func newApprovalID() string {
	return "appr-" + rand.Text()[:16]
}

func (r *Registry) requestApproval(ctx context.Context, e *entry, c Call, amount float64) (Result, error) {
	approver := r.approver
	if c.Approver != nil {
		approver = c.Approver
	}
	if approver == nil {
		return Result{}, fmt.Errorf("%w: %s of %.2f is over the automatic limit of %.2f", ErrNoApprover, e.name, amount, e.autoApprove)
	}
	c.Approver = nil
	if (r.maxPending > 0 && c.Conversation != "") || (r.maxPendingCustomer > 0 && c.Customer != "") {
		// A conversation (or a model in a loop), or one customer across
		// many conversations, cannot flood the desk with approval
		// requests; a repeat of a waiting one still gets its ID below.
		all, err := r.approvals.List(ctx)
		if err != nil {
			return Result{}, fmt.Errorf("action: pending approvals: %w", err)
		}
		n, nc, key := 0, 0, approvalKey(c)
		for _, a := range all {
			if a.Key == key {
				return Result{Status: PendingApproval, ApprovalID: a.Request.ID}, nil
			}
			if c.Conversation != "" && a.Request.Conversation == c.Conversation {
				n++
			}
			if c.Customer != "" && a.Request.Customer == c.Customer {
				nc++
			}
		}
		if r.maxPending > 0 && c.Conversation != "" && n >= r.maxPending {
			return Result{}, &BudgetError{Action: e.name, Budget: "MaxPending", Limit: float64(r.maxPending), Used: float64(n)}
		}
		if r.maxPendingCustomer > 0 && c.Customer != "" && nc >= r.maxPendingCustomer {
			return Result{}, &BudgetError{Action: e.name, Budget: "MaxPendingPerCustomer", Limit: float64(r.maxPendingCustomer),
				Used: float64(nc), Customer: c.Customer}
		}
	}
	req := ApprovalRequest{ID: newApprovalID(), Conversation: c.Conversation, Customer: c.Customer,
		Action: e.name, Args: c.Args, Amount: amount, Limit: e.autoApprove}
	a, added, err := r.approvals.Add(ctx, Approval{Request: req, Key: approvalKey(c), Call: c, Created: time.Now()})
	if err != nil {
		return Result{}, fmt.Errorf("action: store approval: %w", err)
	}
	if !added {
		// The same request is already waiting: one desk request, one ID.
		return Result{Status: PendingApproval, ApprovalID: a.Request.ID}, nil
	}
	if err := approver.RequestApproval(ctx, req); err != nil {
		_, terr := r.approvals.Take(context.WithoutCancel(ctx), req.ID)
		if errors.Is(terr, ErrNoApproval) {
			terr = nil // decided meanwhile
		}
		return Result{}, errors.Join(fmt.Errorf("action: request approval: %w", err), terr)
	}
	return Result{Status: PendingApproval, ApprovalID: req.ID}, nil
}

// Pending returns the calls waiting for approval, oldest first: what a
// console lists for an agent to approve or reject.
func (r *Registry) Pending(ctx context.Context) ([]Approval, error) {
	as, err := r.approvals.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("action: pending approvals: %w", err)
	}
	return as, nil
}

// Approve runs a pending call on behalf of approver (a person's name or
// ID, recorded in the audit log). This is how a human's decision comes
// back: the approval ID reaches the desk in the [ApprovalRequest] (in a
// hand-off, as Data[DataApprovalID], see [HandOffApprover]), and the desk
// or console calls Approve or [Registry.Reject] with it.
//
// The approval is consumed whatever happens next: writes must still be
// enabled and the budgets still apply, so the call can still be refused
// (an error matching [ErrBudget], for example), and it can fail. An ID
// that is not pending gives an error matching both [ErrRejected] and
// [ErrNoApproval]. The returned Result is the call's.
func (r *Registry) Approve(ctx context.Context, id, approver string) (Result, error) {
	a, err := r.approvals.Take(ctx, id)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrRejected, err)
	}
	if approver == "" {
		approver = "(unnamed)"
	}
	return r.call(ctx, a.Call, approver, id)
}

// Reject drops a pending call and audits the rejection. An ID that is
// not pending gives an error matching both [ErrRejected] and
// [ErrNoApproval].
func (r *Registry) Reject(ctx context.Context, id, approver string) error {
	a, err := r.approvals.Take(ctx, id)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRejected, err)
	}
	c := a.Call
	if err := r.audit.Record(context.WithoutCancel(ctx), AuditEntry{Time: time.Now(), Conversation: c.Conversation, Customer: c.Customer, Action: c.Action,
		Args: c.Args, Outcome: "rejected", Approver: approver, ApprovalID: id}); err != nil {
		return fmt.Errorf("action: audit: %w", err)
	}
	return nil
}

// Keys of the hand-off data that carries an [ApprovalRequest]
// ([ApprovalRequest.Data], [ApprovalRequestFromData]).
const (
	DataApprovalID   = "approval_id"
	DataConversation = "conversation"
	DataCustomer     = "customer"
	DataAction       = "action"
	DataArgs         = "args" // the arguments as JSON
	DataAmount       = "amount"
	DataLimit        = "limit"
)

// Data encodes the request as string data for a hand-off ticket (see
// [HandOffApprover]), under the Data* keys.
func (q ApprovalRequest) Data() map[string]string {
	d := map[string]string{
		DataApprovalID: q.ID, DataConversation: q.Conversation, DataAction: q.Action, DataArgs: string(compactJSON(q.Args)),
		DataAmount: strconv.FormatFloat(q.Amount, 'f', 2, 64), DataLimit: strconv.FormatFloat(q.Limit, 'f', 2, 64),
	}
	if q.Customer != "" {
		d[DataCustomer] = q.Customer
	}
	return d
}

// ApprovalRequestFromData decodes the request that [ApprovalRequest.Data]
// encoded, for a desk or console that received it in a hand-off ticket.
// It returns an error if the approval ID or action is missing, the
// arguments are not JSON, or an amount is not a finite, non-negative
// number.
func ApprovalRequestFromData(d map[string]string) (ApprovalRequest, error) {
	q := ApprovalRequest{ID: d[DataApprovalID], Conversation: d[DataConversation], Customer: d[DataCustomer], Action: d[DataAction]}
	if q.ID == "" || q.Action == "" {
		return ApprovalRequest{}, errors.New("action: approval data: approval_id and action are required")
	}
	if a := d[DataArgs]; a != "" {
		if !json.Valid([]byte(a)) {
			return ApprovalRequest{}, fmt.Errorf("action: approval data: args are not JSON: %.40q", a)
		}
		q.Args = json.RawMessage(a)
	}
	for _, f := range []struct {
		key string
		dst *float64
	}{{DataAmount, &q.Amount}, {DataLimit, &q.Limit}} {
		if s, ok := d[f.key]; ok {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return ApprovalRequest{}, fmt.Errorf("action: approval data: %s: %w", f.key, err)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return ApprovalRequest{}, fmt.Errorf("action: approval data: %s: %q is not an amount", f.key, s)
			}
			*f.dst = v
		}
	}
	return q, nil
}

// compactJSON returns raw without insignificant space, or raw itself if
// it is not JSON.
func compactJSON(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}
