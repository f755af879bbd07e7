package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKBEvalJSON(t *testing.T) {
	dir := t.TempDir()
	docs := writeFile(t, dir, "docs.jsonl", `{"doc_id":"a","question":"How do I get a refund?","answer":"Within 5 days."}
{"doc_id":"b","title":"Shipping","text":"Orders arrive in 2 to 4 days."}
`)
	queries := writeFile(t, dir, "queries.jsonl", `{"query_id":"q1","text":"money back refund"}
{"query_id":"q2","text":"orders arrive late"}
`)
	qrels := writeFile(t, dir, "qrels.tsv", "query_id\tdoc_id\trelevance\nq1\ta\t1\nq2\tb\t1\n")
	var got map[string]any
	runJSON(t, &got, "kb", "eval", "-docs", docs, "-queries", queries, "-qrels", qrels, "-json")
	for _, k := range []string{"map", "mrr_at_10", "recall_at_1", "recall_at_5", "ndcg_at_10", "index_seconds", "query_p50_us", "query_p99_us", "baseline"} {
		assert.Contains(t, got, k)
	}
	assert.InDelta(t, 1.0, got["map"], 1e-9)

	assert.Contains(t, runOK(t, "kb", "eval", "-docs", docs, "-queries", queries, "-qrels", qrels), "parley kb.Index")
}

func TestKBEvalErrors(t *testing.T) {
	tests := []struct {
		name string
		give []string
	}{
		{name: "no sub-command", give: []string{"kb"}},
		{name: "missing flags", give: []string{"kb", "eval", "-docs", "x"}},
		{name: "missing file", give: []string{"kb", "eval", "-docs", "/nonexistent", "-queries", "/nonexistent", "-qrels", "/nonexistent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runFails(t, tt.give...)
		})
	}
}
