package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbeval"
)

// runKB runs "parley kb <command>".
func runKB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "kb", "usage: parley kb eval -docs docs.jsonl -queries queries.jsonl -qrels qrels.tsv [-json]",
		[]subcommand{{"eval", runKBEval}}, args, stdout, stderr)
}

// kbReport is what "parley kb eval -json" prints: the index's metrics at
// the top level and the plain Okapi BM25 baseline, measured in the same
// run, under "baseline".
type kbReport struct {
	kbeval.Metrics
	Docs         int            `json:"docs"`
	IndexSeconds float64        `json:"index_seconds"`
	Baseline     kbeval.Metrics `json:"baseline"`
	BaselineName string         `json:"baseline_name"`
	// English is BM25 over the question field with English stemming and
	// stop words, an approximation of a search engine's English analyzer.
	English kbeval.Metrics `json:"baseline_english"`
	// Calibration shows what an answer layer's confidence threshold
	// trades: the share of questions answered and their top-1 accuracy.
	Calibration []kbeval.CalibrationPoint `json:"calibration"`
	// MAPCeiling is the best MAP a ranker that ranks a text the same way
	// every time can reach, given queries whose identical text is judged
	// relevant to different documents (ConflictingQueries of them).
	MAPCeiling         float64 `json:"map_ceiling"`
	ConflictingQueries int     `json:"conflicting_queries"`
}

func runKBEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("kb eval", "", stderr)
	docsPath := fs.String("docs", "", "documents, JSON Lines: doc_id and text, or question and answer")
	queriesPath := fs.String("queries", "", "queries, JSON Lines: query_id and text")
	qrelsPath := fs.String("qrels", "", "relevance judgements, TSV with a header: query_id, doc_id, relevance")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *docsPath == "" || *queriesPath == "" || *qrelsPath == "" {
		return usageError(fs, "kb eval: -docs, -queries and -qrels are required")
	}
	var (
		docs    []kb.Doc
		queries []kbeval.Query
		qrels   kbeval.Qrels
	)
	if err := readFile("kb eval", *docsPath, func(r io.Reader) (err error) { docs, err = kbeval.ReadDocs(r); return err }); err != nil {
		return err
	}
	if err := readFile("kb eval", *queriesPath, func(r io.Reader) (err error) { queries, err = kbeval.ReadQueries(r); return err }); err != nil {
		return err
	}
	if err := readFile("kb eval", *qrelsPath, func(r io.Reader) (err error) { qrels, err = kbeval.ReadQrels(r); return err }); err != nil {
		return err
	}

	start := time.Now()
	idx, err := kb.NewIndex()
	if err != nil {
		return fmt.Errorf("kb eval: index: %w", err)
	}
	if err := idx.Add(docs...); err != nil {
		return fmt.Errorf("kb eval: index: %w", err)
	}
	rep := kbReport{Docs: len(docs), IndexSeconds: time.Since(start).Seconds(), BaselineName: "okapi-bm25-question"}
	if rep.Metrics, err = kbeval.Evaluate(ctx, idx, queries, qrels); err != nil {
		return err
	}
	if rep.Baseline, err = kbeval.Evaluate(ctx, kbeval.NewOkapi(docs), queries, qrels); err != nil {
		return err
	}
	if rep.English, err = kbeval.Evaluate(ctx, kbeval.NewOkapiAnalyzed(docs, kb.English().Terms), queries, qrels); err != nil {
		return err
	}
	if rep.Calibration, err = kbeval.Calibrate(ctx, idx, queries, qrels, []float64{0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8}); err != nil {
		return err
	}
	rep.MAPCeiling, rep.ConflictingQueries = kbeval.Ceiling(queries, qrels)
	if *asJSON {
		return writeJSON(stdout, rep)
	}
	fmt.Fprintf(stdout, "%d docs, %d judged queries, indexed in %.3f s\n", rep.Docs, rep.Queries, rep.IndexSeconds)
	fmt.Fprintf(stdout, "%-22s %6s %6s %6s %6s %7s %9s %9s\n", "retriever", "MAP", "MRR@10", "R@1", "R@5", "nDCG@10", "p50 µs", "p99 µs")
	for _, r := range []struct {
		name string
		m    kbeval.Metrics
	}{{"parley kb.Index", rep.Metrics}, {rep.BaselineName, rep.Baseline}, {"bm25-question-english", rep.English}} {
		fmt.Fprintf(stdout, "%-22s %6.3f %6.3f %6.3f %6.3f %7.3f %9.1f %9.1f\n", r.name, r.m.MAP, r.m.MRRAt10,
			r.m.RecallAt1, r.m.RecallAt5, r.m.NDCGAt10, r.m.QueryP50Micros, r.m.QueryP99Micros)
	}
	if rep.ConflictingQueries > 0 {
		fmt.Fprintf(stdout, "MAP ceiling %.3f: %d judged queries share their exact text with differently judged ones\n",
			rep.MAPCeiling, rep.ConflictingQueries)
	}
	fmt.Fprintf(stdout, "\nconfidence threshold: answered, top-1 accuracy when answered\n")
	for _, c := range rep.Calibration {
		fmt.Fprintf(stdout, "  %.1f: %5.1f%%, %5.1f%%\n", c.Threshold, 100*c.Answered, 100*c.Accuracy)
	}
	return nil
}
