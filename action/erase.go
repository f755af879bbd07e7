package action

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// PrivacySource returns what the registry keeps about customers as a
// source of personal data for privacy.NewEraser (it has the Name, Export
// and Erase methods of privacy.Source), named "actions":
//
//   - pending approvals: Export lists the requests waiting for a person
//     on the customer's behalf; Erase withdraws them, so that an erased
//     customer's refund request is not left on the approvals page with
//     their arguments;
//
//   - the audit log: Export lists the customer's entries; Erase keeps
//     the trail (time, action, outcome, approver, numbers) and replaces
//     the customer's identity with a pseudonym: Customer and
//     Conversation become "erased-<random>" (one pseudonym per erasure,
//     so the entries still read as one person's), the string values of
//     Args and the error text become "[erased]", the idempotency key is
//     dropped. A [MemoryAudit] is pseudonymised in place; another
//     [AuditLog] must have the method
//     Pseudonymize(ctx, customerID, pseudonym string) error, or Erase
//     reports that it cannot reach it.
//
//   - per-customer budget use ([Def.PerCustomerDay],
//     [Def.CustomerDailyAmount], [Def.PerCustomer]): Export lists the
//     counters (action, campaign scope, day, calls, amount); Erase
//     deletes them, in the store with [WithStore] (all under one prefix
//     named by a hash of the customer ID) or in memory. The customer's
//     per-customer budgets then start again; the shop-wide ones
//     (PerDay, DailyAmount), which name nobody, keep counting what they
//     spent. Per-conversation counters name a hash of the conversation
//     ID, not the customer, and expire after the window.
func PrivacySource(r *Registry) interface {
	Name() string
	Export(ctx context.Context, customerID string) (any, error)
	Erase(ctx context.Context, customerID string) error
} {
	return approvalsSource{r}
}

type approvalsSource struct{ r *Registry }

// Name implements privacy.Source.
func (approvalsSource) Name() string { return "actions" }

func (s approvalsSource) mine(ctx context.Context, customerID string) ([]Approval, error) {
	all, err := s.r.approvals.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("action: pending approvals: %w", err)
	}
	var out []Approval
	for _, a := range all {
		if customerID != "" && (a.Request.Customer == customerID || a.Call.Customer == customerID) {
			out = append(out, a)
		}
	}
	return out, nil
}

// The customer's part of the registry in an export.
type privacyExport struct {
	Pending []ApprovalRequest `json:"pending_approvals"`
	Audit   []AuditEntry      `json:"audit"`
	Budgets []counter         `json:"budgets"`
}

// Export implements privacy.Source.
func (s approvalsSource) Export(ctx context.Context, customerID string) (any, error) {
	as, err := s.mine(ctx, customerID)
	if err != nil {
		return nil, err
	}
	x := privacyExport{Pending: make([]ApprovalRequest, len(as)), Audit: []AuditEntry{}, Budgets: []counter{}}
	if customerID != "" {
		if x.Budgets, err = s.r.customerCounters(ctx, customerID); err != nil {
			return nil, err
		}
	}
	for i, a := range as {
		x.Pending[i] = a.Request
	}
	if m, ok := s.r.audit.(*MemoryAudit); ok && customerID != "" {
		for _, e := range m.Entries() {
			if e.Customer == customerID {
				x.Audit = append(x.Audit, e)
			}
		}
	}
	return x, nil
}

// Erase implements privacy.Source: the customer's pending approvals are
// withdrawn (an approval decided meanwhile is left to its decision), their
// budget counters deleted and their audit entries pseudonymised.
func (s approvalsSource) Erase(ctx context.Context, customerID string) error {
	as, err := s.mine(ctx, customerID)
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range as {
		if _, err := s.r.approvals.Take(ctx, a.Request.ID); err != nil && !errors.Is(err, ErrNoApproval) {
			errs = append(errs, err)
		}
	}
	if customerID == "" {
		return errors.Join(errs...)
	}
	if err := s.r.eraseCounters(ctx, customerID); err != nil {
		errs = append(errs, err)
	}
	pseudonym, err := newPseudonym()
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	switch l := s.r.audit.(type) {
	case *MemoryAudit:
		l.pseudonymize(customerID, pseudonym)
	case interface {
		Pseudonymize(ctx context.Context, customerID, pseudonym string) error
	}:
		if err := l.Pseudonymize(ctx, customerID, pseudonym); err != nil {
			errs = append(errs, fmt.Errorf("action: audit: %w", err))
		}
	default:
		errs = append(errs, fmt.Errorf("action: audit log %T cannot pseudonymise customer entries (it has no Pseudonymize method)", l))
	}
	return errors.Join(errs...)
}

// newPseudonym returns "erased-" and 12 random hex digits.
func newPseudonym() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("action: pseudonym: %w", err)
	}
	return "erased-" + hex.EncodeToString(b[:]), nil
}

// pseudonymize replaces customerID in its entries with pseudonym.
func (m *MemoryAudit) pseudonymize(customerID, pseudonym string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.entries {
		if m.entries[i].Customer == customerID {
			m.entries[i] = pseudonymizeEntry(m.entries[i], pseudonym)
		}
	}
}

// pseudonymizeEntry returns e with the customer's identity replaced.
func pseudonymizeEntry(e AuditEntry, pseudonym string) AuditEntry {
	e.Customer, e.Conversation, e.IdempotencyKey = pseudonym, pseudonym, ""
	if e.Error != "" {
		e.Error = erasedText
	}
	var v any
	if json.Unmarshal(e.Args, &v) == nil {
		if b, err := json.Marshal(eraseStrings(v)); err == nil {
			e.Args = b
			return e
		}
	}
	e.Args = nil
	return e
}

const erasedText = "[erased]"

// eraseStrings replaces every string value (not object keys) in a
// decoded JSON value with erasedText; numbers and booleans stay.
func eraseStrings(v any) any {
	switch v := v.(type) {
	case string:
		return erasedText
	case []any:
		for i := range v {
			v[i] = eraseStrings(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = eraseStrings(v[k])
		}
	}
	return v
}
