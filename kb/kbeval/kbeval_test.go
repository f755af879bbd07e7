package kbeval_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbeval"
	"github.com/parleyhq/parley/kb/kbtest"
)

// dataDir locates the shared datasets: $PARLEY_TEST_DATA, else
// ../shared/data beside the repository root.
func dataDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("PARLEY_TEST_DATA"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "data")
}

func open(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("dataset not found at %s: set PARLEY_TEST_DATA", path)
	}
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, f.Close()) })
	return f
}

func TestCovidFAQBeatsOkapi(t *testing.T) {
	dir := filepath.Join(dataDir(t), "kb", "covidfaq")
	docs, err := kbeval.ReadDocs(open(t, filepath.Join(dir, "docs.jsonl")))
	require.NoError(t, err)
	queries, err := kbeval.ReadQueries(open(t, filepath.Join(dir, "queries.jsonl")))
	require.NoError(t, err)
	qrels, err := kbeval.ReadQrels(open(t, filepath.Join(dir, "qrels.tsv")))
	require.NoError(t, err)

	ctx := context.Background()
	base, err := kbeval.Evaluate(ctx, kbeval.NewOkapi(docs), queries, qrels)
	require.NoError(t, err)
	got, err := kbeval.Evaluate(ctx, kbtest.NewIndex(t, docs), queries, qrels)
	require.NoError(t, err)
	t.Logf("okapi MAP %.3f, index MAP %.3f", base.MAP, got.MAP)
	assert.InDelta(t, 0.670, base.MAP, 0.01, "baseline drifted from the published plain Okapi figure")
	assert.Greater(t, got.MAP, base.MAP+0.02)
	assert.Equal(t, 1387, got.Queries)
}

func TestEvaluateMetrics(t *testing.T) {
	docs := []kb.Doc{{ID: "a", Text: "alpha"}, {ID: "b", Text: "beta"}, {ID: "c", Text: "alpha beta"}}
	r := kb.RetrieverFunc(func(ctx context.Context, q string, k int) ([]kb.Hit, error) {
		// Always ranks c, a, b.
		return []kb.Hit{{Doc: docs[2]}, {Doc: docs[0]}, {Doc: docs[1]}}, nil
	})
	qrels := kbeval.Qrels{"q1": {"a": 1}, "q2": {"c": 1, "b": 1}}
	m, err := kbeval.Evaluate(context.Background(), r, []kbeval.Query{{ID: "q1"}, {ID: "q2"}, {ID: "q3"}}, qrels)
	require.NoError(t, err)
	assert.Equal(t, 2, m.Queries)
	// q1: AP 1/2, RR 1/2, R@1 0; q2: AP (1 + 2/3)/2, RR 1, R@1 1/2.
	assert.InDelta(t, (0.5+(1+2.0/3)/2)/2, m.MAP, 1e-9)
	assert.InDelta(t, 0.75, m.MRRAt10, 1e-9)
	assert.InDelta(t, 0.25, m.RecallAt1, 1e-9)
	assert.InDelta(t, 1, m.RecallAt5, 1e-9)
}

func TestReadersRejectBadLines(t *testing.T) {
	tests := []struct {
		name string
		read func(string) error
		give string
		line int
	}{
		{name: "doc json", read: readDocs, give: "{\"doc_id\":\"a\",\"text\":\"x\"}\n{oops", line: 2},
		{name: "doc without id", read: readDocs, give: `{"text":"x"}`, line: 1},
		{name: "doc without text", read: readDocs, give: `{"doc_id":"x"}`, line: 1},
		{name: "query without id", read: readQueries, give: `{"text":"x"}`, line: 1},
		{name: "qrels columns", read: readQrels, give: "h\nq1 d1 1", line: 2},
		{name: "qrels relevance", read: readQrels, give: "h\nq1\td1\tyes", line: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.read(tt.give)
			var le *kbeval.LineError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tt.line, le.Line)
		})
	}
}

func readDocs(s string) error    { _, err := kbeval.ReadDocs(strings.NewReader(s)); return err }
func readQueries(s string) error { _, err := kbeval.ReadQueries(strings.NewReader(s)); return err }
func readQrels(s string) error   { _, err := kbeval.ReadQrels(strings.NewReader(s)); return err }

func TestCalibrate(t *testing.T) {
	hitsFor := map[string][]kb.Hit{
		"q1": {{Doc: kb.Doc{ID: "a"}, Confidence: 0.9}},
		"q2": {{Doc: kb.Doc{ID: "x"}, Confidence: 0.6}},
		"q3": {{Doc: kb.Doc{ID: "c"}, Confidence: 0.2}},
	}
	r := kb.RetrieverFunc(func(ctx context.Context, q string, k int) ([]kb.Hit, error) { return hitsFor[q], nil })
	qrels := kbeval.Qrels{"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 1}, "q4": {"d": 1}}
	qs := []kbeval.Query{{ID: "q1", Text: "q1"}, {ID: "q2", Text: "q2"}, {ID: "q3", Text: "q3"}, {ID: "q4", Text: "q4"}}
	got, err := kbeval.Calibrate(context.Background(), r, qs, qrels, []float64{0, 0.5, 0.95})
	require.NoError(t, err)
	want := []kbeval.CalibrationPoint{
		{Threshold: 0, Answered: 0.75, Accuracy: 2.0 / 3},
		{Threshold: 0.5, Answered: 0.5, Accuracy: 0.5},
		{Threshold: 0.95, Answered: 0, Accuracy: 0},
	}
	assert.InDeltaSlice(t, []float64{want[0].Answered, want[1].Answered, want[2].Answered}, []float64{got[0].Answered, got[1].Answered, got[2].Answered}, 1e-9)
	assert.InDeltaSlice(t, []float64{want[0].Accuracy, want[1].Accuracy, want[2].Accuracy}, []float64{got[0].Accuracy, got[1].Accuracy, got[2].Accuracy}, 1e-9)
}
