package kb_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/kb"
)

func ExampleIndex() {
	idx := kb.NewIndex()
	err := idx.Add(
		kb.Doc{ID: "refunds", Question: "How do I get a refund?", Phrasings: []string{"Can I have my money back?"}, Text: "Refunds are paid within 5 days."},
		kb.Doc{ID: "shipping", Question: "How long does delivery take?", Text: "Orders arrive in 2 to 4 working days."},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	hits, err := idx.Retrieve(context.Background(), "I want my mony back", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hits[0].Doc.ID, hits[0].Doc.Text)
	// Output: refunds Refunds are paid within 5 days.
}

func ExampleGaps() {
	gaps := kb.NewGaps(0)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	gaps.Record("Do you sell gift cards?", now)
	gaps.Record("do you sell gift cards", now.Add(time.Hour))
	for _, g := range gaps.Top(10) {
		fmt.Println(g.Count, g.Query)
	}
	// Output: 2 Do you sell gift cards?
}
