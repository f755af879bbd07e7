package kbeval_test

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbeval"
)

func ExampleNewOkapi() {
	// A plain BM25 baseline to compare a retriever with (see Evaluate).
	docs := []kb.Doc{
		{ID: "refund", Title: "Refunds", Text: "Refunds reach your card within 5 days of the return."},
		{ID: "shipping", Title: "Shipping", Text: "Orders ship within 2 days; tracking arrives by email."},
	}
	bm25 := kbeval.NewOkapi(docs)
	hits, err := bm25.Retrieve(context.Background(), "do refunds go back to my card?", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hits[0].Doc.ID)

	// Plain words miss "refund" in "Refunds"; kb's English analysis
	// (stemming, stop words) finds it, as a search engine would.
	fmt.Println(bm25.Retrieve(context.Background(), "refund", 1))
	hits, err = kbeval.NewOkapiAnalyzed(docs, kb.English().Terms).Retrieve(context.Background(), "refund", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hits[0].Doc.ID)
	// Output:
	// refund
	// [] <nil>
	// refund
}
