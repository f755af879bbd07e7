package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/memory"
)

// StoreApprovals is an [ApprovalStore] over a [memory.Store], so that
// pending approvals survive a restart when the store is persistent
// (memory/redis, memory/postgres, memory/sqlite). Each approval is one
// JSON record under prefix+"id/"+ID, with an index record under
// prefix+"key/"+Key for de-duplication; Add and Take use the store's
// conditional writes, so they are atomic across processes sharing the
// store. It is safe for concurrent use.
type StoreApprovals struct {
	store  memory.Store
	prefix string
}

var _ ApprovalStore = (*StoreApprovals)(nil)

// A StoreApprovalsOption configures [StoreApprovals].
type StoreApprovalsOption func(*StoreApprovals)

// WithPrefix keeps the approvals under keys that start with prefix
// (default "action/approvals/"), so that several registries can share a
// store.
func WithPrefix(prefix string) StoreApprovalsOption {
	return func(s *StoreApprovals) { s.prefix = prefix }
}

// NewStoreApprovals returns an [ApprovalStore] keeping approvals in s. It
// panics if s is nil.
func NewStoreApprovals(s memory.Store, opts ...StoreApprovalsOption) *StoreApprovals {
	if s == nil {
		panic("action: NewStoreApprovals: nil store")
	}
	a := &StoreApprovals{store: s}
	for _, o := range opts {
		o(a)
	}
	if a.prefix == "" {
		a.prefix = "action/approvals/"
	}
	return a
}

func (s *StoreApprovals) idKey(id string) string   { return s.prefix + "id/" + id }
func (s *StoreApprovals) dedupKey(k string) string { return s.prefix + "key/" + k }

// Add implements [ApprovalStore].
func (s *StoreApprovals) Add(ctx context.Context, a Approval) (Approval, bool, error) {
	if a.Request.ID == "" {
		return Approval{}, false, errors.New("action: store approvals: empty approval ID")
	}
	b, err := json.Marshal(a)
	if err != nil {
		return Approval{}, false, fmt.Errorf("action: store approvals: encode: %w", err)
	}
	// The record first, then the index: an index entry always points to
	// a record written before it.
	if _, err := s.store.Set(ctx, memory.Put{Key: s.idKey(a.Request.ID), Value: b, IfVersion: memory.Absent}); err != nil {
		return Approval{}, false, fmt.Errorf("action: store approvals: add %s: %w", a.Request.ID, err)
	}
	if a.Key == "" {
		return a, true, nil
	}
	for range 3 {
		_, err := s.store.Set(ctx, memory.Put{Key: s.dedupKey(a.Key), Value: []byte(a.Request.ID), IfVersion: memory.Absent})
		if err == nil {
			return a, true, nil
		}
		if !errors.Is(err, memory.ErrConflict) {
			return Approval{}, false, s.undo(ctx, a.Request.ID, fmt.Errorf("action: store approvals: add %s: %w", a.Request.ID, err))
		}
		idx, err := s.store.Get(ctx, s.dedupKey(a.Key))
		if errors.Is(err, memory.ErrNotFound) {
			continue // taken meanwhile: try again
		}
		if err != nil {
			return Approval{}, false, s.undo(ctx, a.Request.ID, fmt.Errorf("action: store approvals: add %s: %w", a.Request.ID, err))
		}
		earlier, _, err := s.get(ctx, string(idx.Value))
		if errors.Is(err, ErrNoApproval) {
			// A stale index entry (its approval was taken): drop it
			// unless someone else replaced it, and try again.
			if err := s.store.Delete(ctx, idx.Key, idx.Version); err != nil && !errors.Is(err, memory.ErrConflict) && !errors.Is(err, memory.ErrNotFound) {
				return Approval{}, false, s.undo(ctx, a.Request.ID, fmt.Errorf("action: store approvals: add %s: %w", a.Request.ID, err))
			}
			continue
		}
		if err != nil {
			return Approval{}, false, s.undo(ctx, a.Request.ID, err)
		}
		return earlier, false, s.undo(ctx, a.Request.ID, nil)
	}
	return Approval{}, false, s.undo(ctx, a.Request.ID, fmt.Errorf("action: store approvals: add %s: index keeps changing", a.Request.ID))
}

// undo removes the record of an approval that was not added and returns
// err joined with any failure to remove it.
func (s *StoreApprovals) undo(ctx context.Context, id string, err error) error {
	if derr := s.store.Delete(context.WithoutCancel(ctx), s.idKey(id), memory.AnyVersion); derr != nil {
		return errors.Join(err, fmt.Errorf("action: store approvals: remove %s: %w", id, derr))
	}
	return err
}

// get returns approval id and the record it is stored in.
func (s *StoreApprovals) get(ctx context.Context, id string) (Approval, memory.Record, error) {
	rec, err := s.store.Get(ctx, s.idKey(id))
	if errors.Is(err, memory.ErrNotFound) {
		return Approval{}, rec, fmt.Errorf("%w: %q", ErrNoApproval, id)
	}
	if err != nil {
		return Approval{}, rec, fmt.Errorf("action: store approvals: get %s: %w", id, err)
	}
	var a Approval
	if err := json.Unmarshal(rec.Value, &a); err != nil {
		return Approval{}, rec, fmt.Errorf("action: store approvals: decode %s: %w", id, err)
	}
	return a, rec, nil
}

// Take implements [ApprovalStore].
func (s *StoreApprovals) Take(ctx context.Context, id string) (Approval, error) {
	a, rec, err := s.get(ctx, id)
	if err != nil {
		return Approval{}, err
	}
	// Drop the index entry first, if it still points here, so that a
	// failure leaves the approval pending rather than half taken.
	if a.Key != "" {
		idx, err := s.store.Get(ctx, s.dedupKey(a.Key))
		switch {
		case errors.Is(err, memory.ErrNotFound):
		case err != nil:
			return Approval{}, fmt.Errorf("action: store approvals: take %s: %w", id, err)
		case string(idx.Value) == id:
			if err := s.store.Delete(ctx, idx.Key, idx.Version); err != nil && !errors.Is(err, memory.ErrConflict) {
				return Approval{}, fmt.Errorf("action: store approvals: take %s: %w", id, err)
			}
		}
	}
	// The conditional delete is the claim: of concurrent Takes, one wins.
	if err := s.store.Delete(ctx, rec.Key, rec.Version); errors.Is(err, memory.ErrConflict) || errors.Is(err, memory.ErrNotFound) {
		return Approval{}, fmt.Errorf("%w: %q", ErrNoApproval, id)
	} else if err != nil {
		return Approval{}, fmt.Errorf("action: store approvals: take %s: %w", id, err)
	}
	return a, nil
}

// List implements [ApprovalStore].
func (s *StoreApprovals) List(ctx context.Context) ([]Approval, error) {
	var ids []string
	pfx := s.idKey("")
	if err := s.store.Keys(ctx, pfx, func(k string) bool {
		ids = append(ids, k[len(pfx):])
		return true
	}); err != nil {
		return nil, fmt.Errorf("action: store approvals: list: %w", err)
	}
	out := make([]Approval, 0, len(ids))
	for _, id := range ids {
		a, _, err := s.get(ctx, id)
		if errors.Is(err, ErrNoApproval) {
			continue // taken meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	sortApprovals(out)
	return out, nil
}
