package kbeval_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbeval"
)

func ExampleEvaluate() {
	docs, err := kbeval.ReadDocs(strings.NewReader(`{"doc_id":"d1","question":"How do I get a refund?","answer":"Within 5 days."}
{"doc_id":"d2","question":"How long is delivery?","answer":"2 to 4 days."}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	queries, err := kbeval.ReadQueries(strings.NewReader(`{"query_id":"q1","text":"I want my money back, a refund"}
{"query_id":"q2","text":"delivery time"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	qrels, err := kbeval.ReadQrels(strings.NewReader("query_id\tdoc_id\trelevance\nq1\td1\t1\nq2\td2\t1\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	idx, err := kb.NewIndex()
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := idx.Add(docs...); err != nil {
		fmt.Println(err)
		return
	}
	m, err := kbeval.Evaluate(context.Background(), idx, queries, qrels)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("MAP %.2f over %d queries\n", m.MAP, m.Queries)
	// Output: MAP 1.00 over 2 queries
}

func ExampleCeiling() {
	// The same text judged twice, relevant to different entries: one of
	// them must come second, whatever the ranker.
	queries := []kbeval.Query{{ID: "q1", Text: "what is a coronavirus"}, {ID: "q2", Text: "what is a coronavirus"}}
	qrels := kbeval.Qrels{"q1": {"F001": 1}, "q2": {"F002": 1}}
	ceiling, conflicting := kbeval.Ceiling(queries, qrels)
	fmt.Printf("MAP ceiling %.2f (%d queries judged differently from an identical one)\n", ceiling, conflicting)
	// Output: MAP ceiling 0.75 (2 queries judged differently from an identical one)
}
