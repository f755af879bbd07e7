package action

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/memory"
)

// Errors returned by [Registry.Call]. They are refusals: the action did
// not run.
var (
	// ErrUnknownAction is returned for an action name not registered.
	ErrUnknownAction = errors.New("action: unknown action")
	// ErrWritesDisabled is returned for a writing action while writes
	// are switched off.
	ErrWritesDisabled = errors.New("action: writing actions are disabled")
	// ErrBudget is returned when a per-conversation or per-day limit is
	// reached.
	ErrBudget = errors.New("action: budget exhausted")
	// ErrRejected is returned by [Registry.Approve] and
	// [Registry.Reject] when the approval is not pending (unknown,
	// already decided); the error also matches [ErrNoApproval].
	ErrRejected = errors.New("action: approval rejected")
	// ErrNoApprover is returned when an action needs human approval and
	// the registry has no [Approver].
	ErrNoApprover = errors.New("action: approval needed but no approver configured")
	// ErrForbidden is for actions to wrap when the call's customer may
	// not act on what the arguments name (another customer's order), or
	// no customer is identified; see [CustomerFrom]. The registry audits
	// it as a refusal.
	ErrForbidden = errors.New("action: not allowed for this customer")
)

// An ArgsError reports arguments that do not match an action's schema.
// An LLM caller should send Error() back to the model and let it retry.
type ArgsError struct {
	Action string
	Err    error
}

// Error implements the error interface.
func (e *ArgsError) Error() string {
	return fmt.Sprintf("action: %s: invalid arguments: %v", e.Action, e.Err)
}

// Unwrap returns the validation error.
func (e *ArgsError) Unwrap() error { return e.Err }

// A CheckError is an action's [Def.Check] refusing a call: the
// application's state forbids it. Nothing ran and nobody was asked.
type CheckError struct {
	Action string
	Err    error
}

// Error implements the error interface.
func (e *CheckError) Error() string { return fmt.Sprintf("action: %s: %v", e.Action, e.Err) }

// Unwrap returns the application's error.
func (e *CheckError) Unwrap() error { return e.Err }

// Status is the outcome of a [Registry.Call].
type Status string

// Call outcomes.
const (
	// Done means the action ran (or, with Replayed set, had already run
	// under the same idempotency key).
	Done Status = "done"
	// NeedsConfirmation means the user must confirm before the action
	// runs; call again with Confirmed set.
	NeedsConfirmation Status = "needs_confirmation"
	// PendingApproval means the call is over its automatic limit and
	// waits for a human; [Registry.Approve] runs it.
	PendingApproval Status = "pending_approval"
)

// A Result is the outcome of a call that was not refused.
type Result struct {
	Status Status `json:"status"`
	// Output is the action's result, as JSON, when Status is Done.
	Output json.RawMessage `json:"output,omitempty"`
	// Prompt is what to ask the user when Status is NeedsConfirmation.
	Prompt string `json:"prompt,omitempty"`
	// ApprovalID identifies the pending call when Status is
	// PendingApproval.
	ApprovalID string `json:"approval_id,omitempty"`
	// Replayed is set when an earlier result was returned for a repeated
	// idempotency key, without running the action again.
	Replayed bool `json:"replayed,omitempty"`
}

// A Call asks to run an action. It encodes to JSON (without Approver), so
// a call waiting for the user's confirmation can be kept in the session
// until the next turn.
type Call struct {
	// Action names the action.
	Action string `json:"action"`
	// Args is the JSON arguments object.
	Args json.RawMessage `json:"args"`
	// Conversation identifies the conversation, for budgets and audit.
	Conversation string `json:"conversation,omitempty"`
	// Customer identifies the conversation's customer, as the
	// application authenticated them (never as a model or user claims
	// it). The action runs with it in its context ([CustomerFrom]), so
	// that it can refuse other customers' data with [ErrForbidden].
	// Empty means the customer in ctx ([WithCustomer]), if any.
	Customer string `json:"customer,omitempty"`
	// IdempotencyKey identifies the request: a call repeating a key that
	// already ran returns the first result. Empty means a key derived
	// from the conversation, action and arguments.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// Confirmed says the user confirmed this exact call.
	Confirmed bool `json:"confirmed,omitempty"`
	// FromModel marks a call a language model chose ([Loop] sets it). A
	// writing action then needs the user's confirmation even with
	// [Def.NoConfirm]: a discount code or a ticket the model creates is
	// value the customer has not asked for in so many words.
	FromModel bool `json:"from_model,omitempty"`
	// Approver, if set, replaces the registry's approver for this call:
	// a handler can route approvals to the turn's escalation desk with
	// [HandOffApprover].
	Approver Approver `json:"-"`
}

// Def defines an action whose arguments are an A and whose result is an
// R. The JSON schema of the arguments is inferred from A (struct fields
// with `json` tags; `jsonschema` tags describe them).
type Def[A, R any] struct {
	Name        string
	Description string
	// Writes marks an action that changes data; it runs only while the
	// registry's writes are enabled, and after the user confirms.
	Writes bool
	// NoConfirm lets a writing action run without user confirmation
	// (for harmless writes such as creating a ticket).
	NoConfirm bool
	// Amount returns the money the call moves (in the shop's currency).
	// A non-nil Amount marks the action as moving money: it always needs
	// confirmation, and AutoApprove applies.
	Amount func(A) float64
	// AutoApprove is the largest Amount that runs without human approval.
	AutoApprove float64
	// PerConversation caps successful calls per conversation; 0 means no
	// cap. It applies to read-only actions too (a CRM lookup can be
	// capped), and a call that fails does not count.
	PerConversation int
	// PerDay caps successful calls per day (UTC) across conversations; 0
	// means no cap.
	PerDay int
	// ConversationAmount caps the total Amount moved in one
	// conversation, and DailyAmount the total per day (UTC) across
	// conversations; 0 means no cap. They apply to approved calls too.
	ConversationAmount float64
	DailyAmount        float64
	// PerCustomerDay caps successful calls per customer per day (UTC),
	// and CustomerDailyAmount the Amount one customer moves per day, so
	// that one customer (or one script) cannot use up a daily budget
	// meant for everyone; 0 means no cap. The customer is the call's
	// Customer, or for an anonymous call its Conversation. They apply to
	// approved calls too.
	PerCustomerDay      int
	CustomerDailyAmount float64
	// PerCustomer caps successful calls per customer: 1 makes a
	// discount code once per customer. With Scope, calls with different
	// scopes (campaigns) are counted apart: one code per customer per
	// campaign. With [WithStore] the count is kept for 400 days after the
	// customer's last such call (or the window, if longer); in memory,
	// for the window ([WithWindow]).
	PerCustomer int
	Scope       func(A) string
	// Prior returns the money already moved for the same subject as the
	// call (for a refund: what was already refunded on the order), read
	// from the application's own records. With it, AutoApprove caps
	// Prior + Amount rather than each call, so that a refund split into
	// small ones cannot avoid a person's approval.
	Prior func(ctx context.Context, args A) (float64, error)
	// Check refuses a call that the application's current state forbids
	// (an order of another customer, an order already shipped, more than
	// is left to refund) before the user is asked to confirm and before
	// any approval is requested. Its error is returned wrapped in a
	// [*CheckError] and audited as a refusal.
	Check func(ctx context.Context, args A) error
	// Describe words the confirmation prompt from the validated
	// arguments; default "Shall I <name> (<field>: <value>, ...)?", built
	// by code, never worded by a model.
	Describe func(A) string
	// Run performs the action.
	Run func(ctx context.Context, args A) (R, error)
}

type entry struct {
	name, desc  string
	writes      bool
	confirm     bool
	money       bool
	autoApprove float64
	perConv     int
	perDay      int
	convAmount  float64
	dayAmount   float64
	perCustDay  int
	custAmount  float64
	perCust     int
	scope       func(json.RawMessage) string
	schema      json.RawMessage
	resolved    *jsonschema.Resolved
	// decode validates and decodes raw arguments.
	amount   func(json.RawMessage) (float64, error)
	prior    func(context.Context, json.RawMessage) (float64, error)
	check    func(context.Context, json.RawMessage) error
	describe func(json.RawMessage) string
	run      func(ctx context.Context, raw json.RawMessage) (json.RawMessage, error)
}

// Register adds an action to r. It returns an error if the name is taken
// or empty, Run is nil, or no schema can be inferred from A.
func Register[A, R any](r *Registry, d Def[A, R]) error {
	if d.Name == "" || d.Run == nil {
		return errors.New("action: register: Name and Run are required")
	}
	s, err := jsonschema.For[A](nil)
	if err != nil {
		return fmt.Errorf("action: register %s: schema: %w", d.Name, err)
	}
	res, err := s.Resolve(nil)
	if err != nil {
		return fmt.Errorf("action: register %s: schema: %w", d.Name, err)
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("action: register %s: schema: %w", d.Name, err)
	}
	decode := func(raw json.RawMessage) (A, error) {
		var a A
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			return a, err
		}
		return a, nil
	}
	e := &entry{
		name: d.Name, desc: d.Description, writes: d.Writes || d.Amount != nil,
		confirm: (d.Writes && !d.NoConfirm) || d.Amount != nil, money: d.Amount != nil,
		autoApprove: d.AutoApprove, perConv: d.PerConversation, perDay: d.PerDay,
		convAmount: d.ConversationAmount, dayAmount: d.DailyAmount,
		perCustDay: d.PerCustomerDay, custAmount: d.CustomerDailyAmount, perCust: d.PerCustomer,
		schema: raw, resolved: res,
		run: func(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
			a, err := decode(raw)
			if err != nil {
				return nil, &ArgsError{Action: d.Name, Err: err}
			}
			out, err := d.Run(ctx, a)
			if err != nil {
				return nil, err
			}
			b, err := json.Marshal(out)
			if err != nil {
				return nil, fmt.Errorf("action: %s: encode result: %w", d.Name, err)
			}
			return b, nil
		},
		describe: func(raw json.RawMessage) string {
			if a, err := decode(raw); err == nil && d.Describe != nil {
				return d.Describe(a)
			}
			return describeArgs(d.Name, raw)
		},
	}
	if d.Scope != nil {
		e.scope = func(raw json.RawMessage) string {
			a, err := decode(raw)
			if err != nil {
				return ""
			}
			return d.Scope(a)
		}
	}
	if d.Prior != nil {
		e.prior = func(ctx context.Context, raw json.RawMessage) (float64, error) {
			a, err := decode(raw)
			if err != nil {
				return 0, &ArgsError{Action: d.Name, Err: err}
			}
			return d.Prior(ctx, a)
		}
	}
	if d.Check != nil {
		e.check = func(ctx context.Context, raw json.RawMessage) error {
			a, err := decode(raw)
			if err != nil {
				return &ArgsError{Action: d.Name, Err: err}
			}
			if err := d.Check(ctx, a); err != nil {
				return &CheckError{Action: d.Name, Err: err}
			}
			return nil
		}
	}
	if d.Amount != nil {
		e.amount = func(raw json.RawMessage) (float64, error) {
			a, err := decode(raw)
			if err != nil {
				return 0, &ArgsError{Action: d.Name, Err: err}
			}
			return d.Amount(a), nil
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.actions[d.Name]; ok {
		return fmt.Errorf("action: register: %q already registered", d.Name)
	}
	r.actions[d.Name] = e
	return nil
}

// An Approver sends a call over its automatic limit to a human. It
// returns once the request is recorded; the human's decision comes back
// through [Registry.Approve] or [Registry.Reject] with the request's ID.
// The registry asks once per pending request: repeats of a request that
// is still pending are not sent again.
type Approver interface {
	RequestApproval(ctx context.Context, req ApprovalRequest) error
}

// ApproverFunc adapts a function to an [Approver].
type ApproverFunc func(ctx context.Context, req ApprovalRequest) error

// RequestApproval calls f(ctx, req).
func (f ApproverFunc) RequestApproval(ctx context.Context, req ApprovalRequest) error {
	return f(ctx, req)
}

// An ApprovalRequest describes a call waiting for a human. ID is what the
// human's decision names: [Registry.Approve] or [Registry.Reject] with it.
// Identical requests (same conversation, action and arguments) that are
// still pending share one ID and one request.
type ApprovalRequest struct {
	ID           string          `json:"id"`
	Conversation string          `json:"conversation"`
	Customer     string          `json:"customer,omitempty"`
	Action       string          `json:"action"`
	Args         json.RawMessage `json:"args"`
	Amount       float64         `json:"amount"`
	Limit        float64         `json:"limit"`
}

// An AuditEntry records one call and its outcome.
type AuditEntry struct {
	Time           time.Time       `json:"time"`
	Conversation   string          `json:"conversation"`
	Customer       string          `json:"customer,omitempty"`
	Action         string          `json:"action"`
	Args           json.RawMessage `json:"args"`
	IdempotencyKey string          `json:"idempotency_key,omitempty"`
	// Outcome is a [Status], "refused" or "error".
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
	// Approver names the human who approved the call, if one did.
	Approver string `json:"approver,omitempty"`
	// ApprovalID identifies the approval the call waits for or ran
	// under, if any.
	ApprovalID string `json:"approval_id,omitempty"`
}

// An AuditLog stores audit entries. Implementations are safe for
// concurrent use.
type AuditLog interface {
	Record(ctx context.Context, e AuditEntry) error
}

// MemoryAudit is an in-memory [AuditLog], safe for concurrent use.
type MemoryAudit struct {
	mu      sync.Mutex
	entries []AuditEntry
}

// Record implements [AuditLog].
func (m *MemoryAudit) Record(_ context.Context, e AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = append(m.entries, e)
	return nil
}

// Entries returns a copy of the entries.
func (m *MemoryAudit) Entries() []AuditEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.entries)
}

// A Registry holds named actions and enforces their guardrails in code:
// schema validation, the global write switch, user confirmation, money
// limits with human approval, per-conversation and per-day budgets,
// idempotency and an audit log of every call.
//
// A Registry is safe for concurrent use.
type Registry struct {
	approver           Approver
	maxPending         int
	maxPendingCustomer int
	audit              AuditLog

	mu      sync.Mutex
	actions map[string]*entry
	writes  bool
	done    map[string]*flight // idempotency key -> first run
	durable memory.Store       // results and budget counters, across restarts and replicas
	convUse map[[2]string]*use // (conversation, action) -> use
	dayUse  map[string]*use    // action -> use on day
	custDay map[[2]string]*use // (customer, action) -> use on day
	custUse map[[3]string]*use // (customer, action, scope) -> use in the window
	window  time.Duration
	writes0 int // calls since the last prune
	day     string
	// approvals keeps the calls waiting for a human decision.
	approvals ApprovalStore
}

// A flight is one run of a writing call, shared by concurrent
// duplicates. res (on success) and err (on failure) are written under
// Registry.mu before done is closed, and read only after it is.
type flight struct {
	done chan struct{}
	res  Result
	err  error
	at   time.Time
}

// use counts successful calls and the money they moved.
type use struct {
	calls  int
	amount float64
	last   time.Time
}

// An Option configures a [Registry].
type Option func(*Registry)

// WithWrites sets whether writing actions may run; the default is false,
// so that a deployment starts read-only.
func WithWrites(on bool) Option { return func(r *Registry) { r.writes = on } }

// WithApprover sets the approver for calls over their automatic limit.
func WithApprover(a Approver) Option { return func(r *Registry) { r.approver = a } }

// WithAudit sets the audit log; the default is a [MemoryAudit].
func WithAudit(l AuditLog) Option { return func(r *Registry) { r.audit = l } }

// WithStore keeps in s what the registry must not lose in a restart and
// must share with its replicas:
//
//   - the result of every writing call (under "action/result/" and the
//     idempotency key, for the window), so that a call repeated after a
//     restart, such as a turn the Bot runs again after a crash, returns
//     the first result instead of running the action again;
//   - the budget counters (under "action/budget/"; see [Def] and
//     [PrivacySource]), so that a restart does not give every budget back
//     and two replicas do not each grant the whole of it.
//
// Without it, both live as long as the process. One option for both
// (rather than one per kind of record) because a deployment that needs
// one across restarts needs the other too, and a store shared by
// replicas is the only place either can live. An action that calls an
// outside system should still pass [IdempotencyKey] on to it: a crash
// between the outside system's change and the result's record is then
// harmless too.
func WithStore(s memory.Store) Option { return func(r *Registry) { r.durable = s } }

// WithWindow sets how long idempotency keys and per-conversation budgets
// (in memory, per-customer lifetime budgets too) are remembered after
// their last use; default 24 hours.
func WithWindow(d time.Duration) Option { return func(r *Registry) { r.window = d } }

// WithMaxPending caps the approval requests waiting at once in one
// conversation (default 3; 0 means no cap). A call over the cap is
// refused with [ErrBudget].
func WithMaxPending(n int) Option { return func(r *Registry) { r.maxPending = n } }

// WithMaxPendingPerCustomer caps the approval requests waiting at once
// for one customer across all their conversations (default 5; 0 means no
// cap), so that a script opening many chats cannot fill the approvals
// page. A call over the cap is refused with a [*BudgetError].
func WithMaxPendingPerCustomer(n int) Option { return func(r *Registry) { r.maxPendingCustomer = n } }

// NewRegistry returns an empty Registry.
func NewRegistry(opts ...Option) *Registry {
	r := &Registry{audit: &MemoryAudit{}, actions: map[string]*entry{}, done: map[string]*flight{},
		convUse: map[[2]string]*use{}, dayUse: map[string]*use{}, custDay: map[[2]string]*use{}, custUse: map[[3]string]*use{}, window: 24 * time.Hour, maxPending: 3, maxPendingCustomer: 5}
	for _, o := range opts {
		o(r)
	}
	if r.approvals == nil {
		r.approvals = &MemoryApprovals{}
	}
	return r
}

// Audit returns the registry's audit log.
func (r *Registry) Audit() AuditLog { return r.audit }

// SetWrites switches writing actions on or off for all callers.
func (r *Registry) SetWrites(on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = on
}

// Tools describes the registered actions as LLM tools, sorted by name.
// While writes are off, only read-only actions are offered.
func (r *Registry) Tools() []llm.Tool {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := slices.Sorted(maps.Keys(r.actions))
	var out []llm.Tool
	for _, n := range names {
		e := r.actions[n]
		if e.writes && !r.writes {
			continue
		}
		out = append(out, llm.Tool{Name: e.name, Description: e.desc, Parameters: e.schema})
	}
	return out
}

func (r *Registry) lookup(name string) (*entry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.actions[name]
	return e, ok && e != nil
}

// validate checks raw arguments against the action's schema.
func (e *entry) validate(raw json.RawMessage) error {
	var v any
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return &ArgsError{Action: e.name, Err: fmt.Errorf("not JSON: %w", err)}
	}
	if err := e.resolved.Validate(v); err != nil {
		return &ArgsError{Action: e.name, Err: err}
	}
	return nil
}

func idemKey(c Call) string {
	if c.IdempotencyKey != "" {
		return c.IdempotencyKey
	}
	var canon any
	b := []byte(c.Args)
	if json.Unmarshal(c.Args, &canon) == nil {
		if cb, err := json.Marshal(canon); err == nil {
			b = cb // map keys sorted: equal arguments give equal keys
		}
	}
	sum := sha256.Sum256([]byte(c.Conversation + "\x00" + c.Action + "\x00" + string(b)))
	return hex.EncodeToString(sum[:16])
}

// Call runs an action under its guardrails. It returns an error (and runs
// nothing) for an unknown action, invalid arguments ([*ArgsError]),
// writes switched off, an exhausted budget, or a failed audit write; the
// action's own error otherwise. A writing call that is not Confirmed
// returns NeedsConfirmation; a money-moving call over its automatic limit
// returns PendingApproval after asking the [Approver]. Every call is
// audited.
func (r *Registry) Call(ctx context.Context, c Call) (Result, error) {
	return r.call(ctx, c, "", "")
}

// call runs c; approvedBy and approvalID are set when a human approved
// it.
func (r *Registry) call(ctx context.Context, c Call, approvedBy, approvalID string) (res Result, err error) {
	if c.Customer == "" {
		c.Customer = CustomerFrom(ctx)
	}
	if c.Customer != "" {
		ctx = WithCustomer(ctx, c.Customer)
	}
	if approvedBy != "" {
		ctx = context.WithValue(ctx, approvedKey{}, approvedBy)
	}
	entry := AuditEntry{Time: time.Now(), Conversation: c.Conversation, Customer: c.Customer, Action: c.Action, Args: c.Args,
		Approver: approvedBy, ApprovalID: approvalID}
	defer func() {
		switch {
		case err != nil && isRefusal(err):
			entry.Outcome, entry.Error = "refused", err.Error()
		case err != nil:
			entry.Outcome, entry.Error = "error", err.Error()
		default:
			entry.Outcome = string(res.Status)
			if res.ApprovalID != "" {
				entry.ApprovalID = res.ApprovalID
			}
			if res.Replayed {
				entry.Outcome = "replayed"
			}
		}
		if aerr := r.audit.Record(context.WithoutCancel(ctx), entry); aerr != nil {
			err = errors.Join(err, fmt.Errorf("action: audit: %w", aerr))
		}
	}()
	e, ok := r.lookup(c.Action)
	if !ok {
		return Result{}, fmt.Errorf("%w %q", ErrUnknownAction, c.Action)
	}
	if err := e.validate(c.Args); err != nil {
		return Result{}, err
	}
	if !e.writes {
		if e.check != nil {
			if err := e.check(ctx, c.Args); err != nil {
				return Result{}, err
			}
		}
		// Read-only actions are not idempotent-keyed (a repeat reads
		// again), but their budgets apply like any other's.
		if err := r.reserve(ctx, e, c, 0); err != nil {
			return Result{}, err
		}
		out, err := e.run(ctx, c.Args)
		if err != nil {
			return Result{}, errors.Join(err, r.release(ctx, e, c, 0))
		}
		return Result{Status: Done, Output: out}, nil
	}
	key := idemKey(c)
	entry.IdempotencyKey = key
	r.mu.Lock()
	writes := r.writes
	f := r.done[key]
	r.mu.Unlock()
	if !writes {
		return Result{}, fmt.Errorf("%w: %s", ErrWritesDisabled, c.Action)
	}
	if f != nil {
		// The same request ran or is running: share its outcome.
		if res, again, err := join(ctx, f); !again {
			return res, err
		}
	}
	if res, ok, err := r.stored(ctx, key); ok || err != nil {
		return res, err
	}
	// Checked after the replay above (a retried refund is answered, not
	// refused for having run) and again on approval (the order may have
	// changed meanwhile).
	if e.check != nil {
		if err := e.check(ctx, c.Args); err != nil {
			return Result{}, err
		}
	}
	if (e.confirm || c.FromModel) && !c.Confirmed && approvedBy == "" {
		return Result{Status: NeedsConfirmation, Prompt: e.describe(c.Args)}, nil
	}
	var amount float64
	if e.money {
		a, err := e.amount(c.Args)
		if err != nil {
			return Result{}, err
		}
		if a < 0 {
			return Result{}, &ArgsError{Action: e.name, Err: fmt.Errorf("negative amount %v", a)}
		}
		amount = a
		prior := 0.0
		if e.prior != nil && approvedBy == "" {
			if prior, err = e.prior(ctx, c.Args); err != nil {
				return Result{}, fmt.Errorf("action: %s: prior amount: %w", e.name, err)
			}
		}
		if amount+prior > e.autoApprove && approvedBy == "" {
			return r.requestApproval(ctx, e, c, amount)
		}
	}
	if err := r.reserve(ctx, e, c, amount); err != nil {
		return Result{}, err
	}
	// Run once per key, even under concurrent retries.
	for {
		r.mu.Lock()
		f = r.done[key]
		if f == nil {
			f = &flight{done: make(chan struct{}), at: time.Now()}
			r.done[key] = f
			r.mu.Unlock()
			break
		}
		r.mu.Unlock()
		if res, again, err := join(ctx, f); !again {
			return res, errors.Join(err, r.release(ctx, e, c, amount))
		}
	}
	out, err := e.run(context.WithValue(ctx, idemKeyCtx{}, key), c.Args)
	if err == nil {
		if rerr := r.store(ctx, key, Result{Status: Done, Output: out}); rerr != nil {
			// The action ran: its result stands, and this process still
			// replays it; the audit says a restart may not.
			entry.Error = rerr.Error()
		}
	}
	r.mu.Lock()
	if err != nil {
		// A failed call is not remembered: a later retry runs again.
		f.err = err
		if r.done[key] == f {
			delete(r.done, key)
		}
	} else {
		f.res = Result{Status: Done, Output: out}
	}
	close(f.done)
	r.mu.Unlock()
	if err != nil {
		return Result{}, errors.Join(err, r.release(ctx, e, c, amount))
	}
	return f.res, nil
}

// join waits for a run of the same request and returns its outcome: its
// result, marked Replayed, or its error. again reports that the run ended
// because its own caller's context did while ctx is still live: the
// caller should run the action itself.
func join(ctx context.Context, f *flight) (res Result, again bool, err error) {
	select {
	case <-f.done:
	case <-ctx.Done():
		return Result{}, false, ctx.Err()
	}
	// f.res and f.err are written before f.done is closed.
	if f.err != nil {
		if ctx.Err() == nil && (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) {
			return Result{}, true, nil
		}
		return Result{}, false, f.err
	}
	res = f.res
	res.Replayed = true
	return res, false, nil
}

func isRefusal(err error) bool {
	var ae *ArgsError
	var ce *CheckError
	return errors.As(err, &ae) || errors.As(err, &ce) || errors.Is(err, ErrUnknownAction) || errors.Is(err, ErrWritesDisabled) ||
		errors.Is(err, ErrBudget) || errors.Is(err, ErrNoApprover) || errors.Is(err, ErrRejected) ||
		errors.Is(err, ErrForbidden)
}

// A BudgetError is a call refused because one of its action's budgets is
// used up. It names the budget, so that whoever sees it (the approver of
// a call that can no longer run, an operator) knows which limit to wait
// for or raise. It matches [ErrBudget].
type BudgetError struct {
	Action string
	// Budget names the budget: the [Def] field that set it
	// ("PerConversation", "PerDay", "ConversationAmount", "DailyAmount",
	// "PerCustomerDay", "CustomerDailyAmount", "PerCustomer"), or
	// "MaxPending" and "MaxPendingPerCustomer" for approval requests.
	Budget string
	// Limit is the budget, Used how much of it was used before this
	// call (calls, or money for the amount budgets).
	Limit, Used float64
	// Customer is the customer (or anonymous conversation) a
	// per-customer budget belongs to.
	Customer string
}

// Error implements the error interface.
func (e *BudgetError) Error() string {
	who := ""
	if e.Customer != "" {
		who = " for customer " + e.Customer
	}
	if strings.Contains(e.Budget, "Amount") {
		return fmt.Sprintf("%v: %s: budget %s of %.2f is used up%s (%.2f used)", ErrBudget, e.Action, e.Budget, e.Limit, who, e.Used)
	}
	return fmt.Sprintf("%v: %s: budget %s of %g is used up%s (%g used)", ErrBudget, e.Action, e.Budget, e.Limit, who, e.Used)
}

// Unwrap returns [ErrBudget].
func (e *BudgetError) Unwrap() error { return ErrBudget }

// subject is who a per-customer budget counts: the customer, or for an
// anonymous call its conversation.
func subject(c Call) string {
	if c.Customer != "" {
		return c.Customer
	}
	return "conversation:" + c.Conversation
}

// uses returns the budget counters of a call, creating them; r.mu is
// held.
func (r *Registry) uses(e *entry, c Call, now time.Time) (conv, day, custDay, cust *use) {
	today := now.UTC().Format(time.DateOnly)
	if today != r.day {
		r.day, r.dayUse, r.custDay = today, map[string]*use{}, map[[2]string]*use{}
	}
	get2 := func(m map[[2]string]*use, k [2]string) *use {
		u := m[k]
		if u == nil {
			u = &use{}
			m[k] = u
		}
		return u
	}
	conv = get2(r.convUse, [2]string{c.Conversation, e.name})
	day = r.dayUse[e.name]
	if day == nil {
		day = &use{}
		r.dayUse[e.name] = day
	}
	who := subject(c)
	custDay = get2(r.custDay, [2]string{who, e.name})
	scope := ""
	if e.scope != nil {
		scope = e.scope(c.Args)
	}
	ck := [3]string{who, e.name, scope}
	cust = r.custUse[ck]
	if cust == nil {
		cust = &use{}
		r.custUse[ck] = cust
	}
	return conv, day, custDay, cust
}

// reserve counts a call against the budgets, or refuses it with a
// *BudgetError; with [WithStore], in the store (see reserveStored).
func (r *Registry) reserve(ctx context.Context, e *entry, c Call, amount float64) error {
	if r.durable != nil {
		return r.reserveStored(ctx, e, c, amount)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	r.prune(now)
	cu, du, cd, cs := r.uses(e, c, now)
	if err := e.over(c, amount, [4]use{*cu, *du, *cd, *cs}); err != nil {
		return err
	}
	for _, u := range []*use{cu, du, cd, cs} {
		u.calls, u.amount, u.last = u.calls+1, u.amount+amount, now
	}
	return nil
}

// over refuses a call of amount with a *BudgetError when one of e's
// budgets has no room left, given what is used of each: the
// conversation's, the day's, the customer's day and the customer's
// lifetime (in that order, as [Registry.uses] returns them).
func (e *entry) over(c Call, amount float64, u [4]use) error {
	cu, du, cd, cs := u[0], u[1], u[2], u[3]
	refuse := func(budget string, limit, used float64, customer string) error {
		return &BudgetError{Action: e.name, Budget: budget, Limit: limit, Used: used, Customer: customer}
	}
	who := subject(c)
	switch {
	case e.perConv > 0 && cu.calls >= e.perConv:
		return refuse("PerConversation", float64(e.perConv), float64(cu.calls), "")
	case e.perCust > 0 && cs.calls >= e.perCust:
		return refuse("PerCustomer", float64(e.perCust), float64(cs.calls), who)
	case e.perCustDay > 0 && cd.calls >= e.perCustDay:
		return refuse("PerCustomerDay", float64(e.perCustDay), float64(cd.calls), who)
	case e.perDay > 0 && du.calls >= e.perDay:
		return refuse("PerDay", float64(e.perDay), float64(du.calls), "")
	case e.convAmount > 0 && cu.amount+amount > e.convAmount+1e-9:
		return refuse("ConversationAmount", e.convAmount, cu.amount, "")
	case e.custAmount > 0 && cd.amount+amount > e.custAmount+1e-9:
		return refuse("CustomerDailyAmount", e.custAmount, cd.amount, who)
	case e.dayAmount > 0 && du.amount+amount > e.dayAmount+1e-9:
		return refuse("DailyAmount", e.dayAmount, du.amount, "")
	}
	return nil
}

// release gives back what reserve counted for a call that did not run.
// With [WithStore] it can fail; the budget then stays used (the safe
// side), and the error says so.
func (r *Registry) release(ctx context.Context, e *entry, c Call, amount float64) error {
	if r.durable != nil {
		return r.releaseStored(ctx, e, c, amount)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	cu, du, cd, cs := r.uses(e, c, time.Now())
	for _, u := range []*use{cu, du, cd, cs} {
		u.calls, u.amount = u.calls-1, u.amount-amount
	}
	return nil
}

// prune forgets idempotency keys and conversation budgets unused for the
// window, every 1,000 budgeted calls; r.mu is held.
func (r *Registry) prune(now time.Time) {
	r.writes0++
	if r.writes0 < 1000 {
		return
	}
	r.writes0 = 0
	for k, f := range r.done {
		select {
		case <-f.done:
			if now.Sub(f.at) > r.window {
				delete(r.done, k)
			}
		default:
		}
	}
	for k, u := range r.convUse {
		if now.Sub(u.last) > r.window {
			delete(r.convUse, k)
		}
	}
	for k, u := range r.custUse {
		if now.Sub(u.last) > r.window {
			delete(r.custUse, k)
		}
	}
}

type idemKeyCtx struct{}

// IdempotencyKey returns the idempotency key of the writing call an action
// is running for. An action that calls an outside system (a payment API)
// passes it on, so that a call repeated after a crash is applied once.
func IdempotencyKey(ctx context.Context) string {
	k, _ := ctx.Value(idemKeyCtx{}).(string)
	return k
}

func resultKey(key string) string { return "action/result/" + key }

// stored returns the result kept for key by [WithStore], if any.
func (r *Registry) stored(ctx context.Context, key string) (Result, bool, error) {
	if r.durable == nil {
		return Result{}, false, nil
	}
	rec, err := r.durable.Get(ctx, resultKey(key))
	if errors.Is(err, memory.ErrNotFound) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, fmt.Errorf("action: read result %s: %w", key, err)
	}
	var res Result
	if err := json.Unmarshal(rec.Value, &res); err != nil {
		return Result{}, false, &memory.CorruptError{Key: resultKey(key), Err: err}
	}
	res.Replayed = true
	return res, true, nil
}

// store keeps res for key when [WithStore] is set.
func (r *Registry) store(ctx context.Context, key string, res Result) error {
	if r.durable == nil {
		return nil
	}
	raw, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = r.durable.Set(context.WithoutCancel(ctx), memory.Put{Key: resultKey(key), Value: raw, IfVersion: memory.AnyVersion, TTL: r.window})
	if err != nil {
		return fmt.Errorf("action: record result %s (the action ran): %w", key, err)
	}
	return nil
}

type customerKey struct{}

// WithCustomer returns a copy of ctx that carries the customer ID of the
// conversation: the identity the application authenticated, which actions
// read with [CustomerFrom] to refuse other customers' data. A handler
// typically sets it from the turn: WithCustomer(ctx, t.CustomerID).
// [Registry.Call] uses it when [Call.Customer] is empty, and [Loop.Run]
// puts it on the calls it makes.
func WithCustomer(ctx context.Context, customerID string) context.Context {
	return context.WithValue(ctx, customerKey{}, customerID)
}

// CustomerFrom returns the customer ID that [WithCustomer] (or
// [Registry.Call], from [Call.Customer]) put in ctx, or "" if none: an
// action that reads or changes a customer's data refuses with
// [ErrForbidden] when it is empty or not the data's owner.
func CustomerFrom(ctx context.Context) string {
	id, _ := ctx.Value(customerKey{}).(string)
	return id
}

type approvedKey struct{}

// ApprovedBy returns who approved the call an action is running for, or
// "" for a call that did not need a person. An action whose limit must
// hold atomically in its own store (two automatic refunds racing on one
// order) can check it there, knowing whether a person approved.
func ApprovedBy(ctx context.Context) string {
	a, _ := ctx.Value(approvedKey{}).(string)
	return a
}

// describeArgs is the default confirmation prompt: the action's name and
// its arguments' fields in order of name, string values quoted, cut to
// 80 characters and stripped of control characters, so that what the
// user confirms is what will run, in the code's words.
func describeArgs(name string, raw json.RawMessage) string {
	var fields map[string]any
	var parts []string
	if err := json.Unmarshal(raw, &fields); err == nil {
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			var v string
			switch x := fields[k].(type) {
			case string:
				v = strconv.Quote(cutText(x, 80))
			default:
				b, err := json.Marshal(x)
				if err != nil {
					continue
				}
				v = cutText(string(b), 80)
			}
			parts = append(parts, strings.ReplaceAll(k, "_", " ")+": "+v)
		}
	}
	what := strings.ReplaceAll(name, "_", " ")
	if len(parts) == 0 {
		return fmt.Sprintf("Shall I %s?", what)
	}
	return fmt.Sprintf("Shall I %s (%s)?", what, strings.Join(parts, ", "))
}

// cutText drops control characters and keeps at most n runes of s.
func cutText(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
