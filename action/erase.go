package action

import (
	"context"
	"errors"
	"fmt"
)

// ApprovalsSource returns the registry's pending approvals as a source of
// personal data for privacy.NewEraser (it has the Name, Export and Erase
// methods of privacy.Source): Export lists the requests waiting for a
// person on the customer's behalf, Erase withdraws them, so that an
// erased customer's refund request is not left on the approvals page
// with their arguments.
func ApprovalsSource(r *Registry) interface {
	Name() string
	Export(ctx context.Context, customerID string) (any, error)
	Erase(ctx context.Context, customerID string) error
} {
	return approvalsSource{r}
}

type approvalsSource struct{ r *Registry }

// Name implements privacy.Source.
func (approvalsSource) Name() string { return "pending_approvals" }

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

// Export implements privacy.Source.
func (s approvalsSource) Export(ctx context.Context, customerID string) (any, error) {
	as, err := s.mine(ctx, customerID)
	if err != nil {
		return nil, err
	}
	reqs := make([]ApprovalRequest, len(as))
	for i, a := range as {
		reqs[i] = a.Request
	}
	return reqs, nil
}

// Erase implements privacy.Source: the customer's pending approvals are
// withdrawn (an approval decided meanwhile is left to its decision).
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
	return errors.Join(errs...)
}
