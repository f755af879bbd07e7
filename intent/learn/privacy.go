package learn

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/privacy"
)

// PrivacySource returns the [privacy.Source] "review_queue" of q: the
// items queued from a customer's turns, waiting or labelled, found
// through the customer's index (kept since items record their customer;
// items queued before that expire after [WithTTL]). Export returns them,
// oldest first; Erase deletes them, labels included, so that no retrain
// learns from the customer's words afterwards.
func PrivacySource(q *Queue) privacy.Source { return reviewSource{q} }

type reviewSource struct{ q *Queue }

// Name implements [privacy.Source].
func (reviewSource) Name() string { return "review_queue" }

// index returns the keys of customerID's index entries.
func (s reviewSource) index(ctx context.Context, customerID string) ([]string, error) {
	var keys []string
	if err := s.q.store.Keys(ctx, customerKey(customerID), func(k string) bool {
		keys = append(keys, k)
		return true
	}); err != nil {
		return nil, fmt.Errorf("learn: customer index: %w", err)
	}
	return keys, nil
}

// Export implements [privacy.Source].
func (s reviewSource) Export(ctx context.Context, customerID string) (any, error) {
	keys, err := s.index(ctx, customerID)
	if err != nil {
		return nil, err
	}
	prefix := customerKey(customerID)
	out := make([]Item, 0, len(keys))
	for _, k := range keys {
		it, _, err := s.q.get(ctx, itemPrefix+k[len(prefix):])
		if errors.Is(err, ErrNotFound) {
			continue // discarded or expired
		}
		if err != nil {
			return out, err
		}
		out = append(out, it)
	}
	slices.SortStableFunc(out, func(a, b Item) int { return a.Time.Compare(b.Time) })
	return out, nil
}

// Erase implements [privacy.Source].
func (s reviewSource) Erase(ctx context.Context, customerID string) error {
	keys, err := s.index(ctx, customerID)
	if err != nil {
		return err
	}
	prefix := customerKey(customerID)
	var errs []error
	for _, k := range keys {
		// The item first: a failed erasure keeps the entry that finds it.
		if err := s.q.store.Delete(ctx, itemPrefix+k[len(prefix):], memory.AnyVersion); err != nil && !errors.Is(err, memory.ErrNotFound) {
			errs = append(errs, err)
			continue
		}
		if err := s.q.store.Delete(ctx, k, memory.AnyVersion); err != nil && !errors.Is(err, memory.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("learn: erase: %w", err)
	}
	return nil
}
