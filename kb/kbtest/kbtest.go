package kbtest

import (
	"context"
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

// Run tests the retriever that newRetriever builds over [Docs]: hits are
// at most k, best first, with Confidence in [0, 1]; obvious questions find
// their passage; k <= 0 gives no hits; a cancelled context gives its
// error; concurrent queries are safe.
func Run(t *testing.T, newRetriever func(t *testing.T, docs []kb.Doc) kb.Retriever) {
	t.Helper()
	ctx := context.Background()
	r := newRetriever(t, Docs())

	t.Run("finds", func(t *testing.T) {
		for q, want := range map[string]string{
			"how do I get a refund":        "refund",
			"cancel my subscription":       "cancel",
			"change the delivery address":  "address",
			"warranty on kettle defects":   "warranty",
			"how long does shipping take?": "shipping",
		} {
			hits, err := r.Retrieve(ctx, q, 3)
			if err != nil {
				t.Fatalf("Retrieve(%q): %v", q, err)
			}
			if len(hits) == 0 || hits[0].Doc.ID != want {
				t.Errorf("Retrieve(%q): top hit %v, want %s", q, top(hits), want)
			}
		}
	})
	t.Run("order and bounds", func(t *testing.T) {
		for _, k := range []int{1, 2, 10} {
			hits, err := r.Retrieve(ctx, "how do I change or cancel my refund delivery", k)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) > k {
				t.Errorf("k=%d: %d hits", k, len(hits))
			}
			for i, h := range hits {
				if h.Confidence < 0 || h.Confidence > 1 {
					t.Errorf("hit %d confidence %v outside [0, 1]", i, h.Confidence)
				}
				if i > 0 && h.Score > hits[i-1].Score {
					t.Errorf("hit %d scores %v above hit %d (%v)", i, h.Score, i-1, hits[i-1].Score)
				}
			}
		}
		hits, err := r.Retrieve(ctx, "refund", 0)
		if err != nil || len(hits) != 0 {
			t.Errorf("k=0: %d hits, err %v; want none", len(hits), err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := r.Retrieve(cctx, "refund", 3); err == nil {
			t.Error("no error with a cancelled context")
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				q := []string{"refund", "shipping time", "cancel plan", "address"}[i%4]
				if _, err := r.Retrieve(ctx, q, 3); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	})
}

func top(hits []kb.Hit) string {
	if len(hits) == 0 {
		return "(none)"
	}
	return hits[0].Doc.ID
}
