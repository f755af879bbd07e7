package kbtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/parleyhq/parley/kb"
)

// Docs is the corpus Run indexes: a small support FAQ.
func Docs() []kb.Doc {
	return []kb.Doc{
		{ID: "refund", Question: "How do I get a refund?", Phrasings: []string{"Can I have my money back?"}, Text: "Refunds are paid to the original card within 5 working days."},
		{ID: "shipping", Question: "How long does shipping take?", Text: "Parcels arrive within 2 to 4 working days of dispatch."},
		{ID: "cancel", Question: "How do I cancel my subscription?", Text: "Open Settings, choose Plan, then Cancel subscription."},
		{ID: "address", Question: "Can I change my delivery address?", Text: "You can change the delivery address until the parcel is dispatched."},
		{ID: "warranty", Title: "Warranty", Text: "Every kettle has a two-year warranty covering defects."},
	}
}

// NewIndex returns a [kb.Index] built with opts and holding docs, for
// tests of code that answers from a knowledge base. It stops the test
// (tb.Fatal) if the index cannot be built or refuses a passage.
func NewIndex(tb testing.TB, docs []kb.Doc, opts ...kb.IndexOption) *kb.Index {
	tb.Helper()
	x, err := kb.NewIndex(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	if err := x.Add(docs...); err != nil {
		tb.Fatal(err)
	}
	return x
}

// check is one conformance check of a retriever holding [Docs].
type check struct {
	name string
	run  func(ctx context.Context, r kb.Retriever) error
}

// checks returns the conformance checks, in order.
func checks() []check {
	return []check{
		{"finds", finds},
		{"order and bounds", orderAndBounds},
		{"cancelled", cancelled},
		{"concurrent", concurrent},
	}
}

// Run tests the retriever that newRetriever builds over [Docs]: hits are
// at most k, best first, with Confidence in [0, 1]; obvious questions find
// their passage; k <= 0 gives no hits; a cancelled context gives its
// error; concurrent queries are safe. Each check is a subtest.
func Run(t *testing.T, newRetriever func(t *testing.T, docs []kb.Doc) kb.Retriever) {
	t.Helper()
	r := newRetriever(t, Docs())
	for _, c := range checks() {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(t.Context(), r); err != nil {
				t.Error(err)
			}
		})
	}
}

// Check runs Run's checks on r, which must hold [Docs], and returns
// what fails (nil if nothing does), each failure naming its check. It
// suits code that is not a test, such as a health check of a retriever
// backed by a search server.
func Check(ctx context.Context, r kb.Retriever) error {
	var errs []error
	for _, c := range checks() {
		if err := c.run(ctx, r); err != nil {
			errs = append(errs, fmt.Errorf("kbtest: %s: %w", c.name, err))
		}
	}
	return errors.Join(errs...)
}

func finds(ctx context.Context, r kb.Retriever) error {
	var errs []error
	for _, tt := range []struct{ q, want string }{
		{"how do I get a refund", "refund"},
		{"cancel my subscription", "cancel"},
		{"change the delivery address", "address"},
		{"warranty on kettle defects", "warranty"},
		{"how long does shipping take?", "shipping"},
	} {
		hits, err := r.Retrieve(ctx, tt.q, 3)
		if err != nil {
			return fmt.Errorf("Retrieve(%q): %w", tt.q, err)
		}
		if len(hits) == 0 || hits[0].Doc.ID != tt.want {
			errs = append(errs, fmt.Errorf("Retrieve(%q): top hit %s, want %s", tt.q, top(hits), tt.want))
		}
	}
	return errors.Join(errs...)
}

func orderAndBounds(ctx context.Context, r kb.Retriever) error {
	var errs []error
	for _, k := range []int{1, 2, 10} {
		hits, err := r.Retrieve(ctx, "how do I change or cancel my refund delivery", k)
		if err != nil {
			return fmt.Errorf("k=%d: %w", k, err)
		}
		if len(hits) > k {
			errs = append(errs, fmt.Errorf("k=%d: %d hits", k, len(hits)))
		}
		for i, h := range hits {
			if !(h.Confidence >= 0 && h.Confidence <= 1) {
				errs = append(errs, fmt.Errorf("k=%d: hit %d confidence %v outside [0, 1]", k, i, h.Confidence))
			}
			if i > 0 && h.Score > hits[i-1].Score {
				errs = append(errs, fmt.Errorf("k=%d: hit %d scores %v above hit %d (%v)", k, i, h.Score, i-1, hits[i-1].Score))
			}
		}
	}
	hits, err := r.Retrieve(ctx, "refund", 0)
	if err != nil || len(hits) != 0 {
		errs = append(errs, fmt.Errorf("k=0: %d hits, err %v; want none", len(hits), err))
	}
	return errors.Join(errs...)
}

func cancelled(ctx context.Context, r kb.Retriever) error {
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.Retrieve(cctx, "refund", 3); err == nil {
		return errors.New("no error with a cancelled context")
	}
	return nil
}

func concurrent(ctx context.Context, r kb.Retriever) error {
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			q := []string{"refund", "shipping time", "cancel plan", "address"}[i%4]
			if _, err := r.Retrieve(ctx, q, 3); err != nil {
				errs[i] = fmt.Errorf("Retrieve(%q): %w", q, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func top(hits []kb.Hit) string {
	if len(hits) == 0 {
		return "(none)"
	}
	return hits[0].Doc.ID
}
