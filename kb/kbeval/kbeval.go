package kbeval

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/kb"
)

// A LineError reports a malformed record in an input file.
type LineError struct {
	Line int
	Err  error
}

// Error implements the error interface.
func (e *LineError) Error() string { return fmt.Sprintf("kbeval: line %d: %v", e.Line, e.Err) }

// Unwrap returns the underlying error.
func (e *LineError) Unwrap() error { return e.Err }

// ErrMissingField is wrapped by a [*LineError] when a record lacks a
// required field.
var ErrMissingField = errors.New("kbeval: missing field")

// A Query is one evaluation query.
type Query struct {
	ID   string `json:"query_id"`
	Text string `json:"text"`
}

// Qrels maps a query ID to its relevant document IDs and their graded
// relevance (> 0).
type Qrels map[string]map[string]int

type docLine struct {
	ID       string `json:"doc_id"`
	Title    string `json:"title"`
	Text     string `json:"text"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
	URL      string `json:"url"`
}

func lines(r io.Reader, fn func(n int, line []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		if err := fn(n, line); err != nil {
			return &LineError{Line: n, Err: err}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("kbeval: read: %w", err)
	}
	return nil
}

// jsonLines calls fn with each line of r decoded as JSON into a T.
func jsonLines[T any](r io.Reader, fn func(T) error) error {
	return lines(r, func(_ int, b []byte) error {
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		return fn(v)
	})
}

// ReadDocs reads documents in JSON Lines. A line with question and answer
// becomes an FAQ passage; a line with text becomes a plain passage.
func ReadDocs(r io.Reader) ([]kb.Doc, error) {
	var docs []kb.Doc
	err := jsonLines(r, func(l docLine) error {
		if l.ID == "" {
			return fmt.Errorf("%w doc_id", ErrMissingField)
		}
		d := kb.Doc{ID: l.ID, Title: l.Title, Question: l.Question, URL: l.URL}
		switch {
		case l.Question != "" || l.Answer != "":
			d.Text = l.Answer
		case l.Text != "":
			d.Text = l.Text
		default:
			return fmt.Errorf("%w text or question", ErrMissingField)
		}
		docs = append(docs, d)
		return nil
	})
	return docs, err
}

// ReadQueries reads queries in JSON Lines.
func ReadQueries(r io.Reader) ([]Query, error) {
	var qs []Query
	err := jsonLines(r, func(q Query) error {
		if q.ID == "" {
			return fmt.Errorf("%w query_id", ErrMissingField)
		}
		qs = append(qs, q)
		return nil
	})
	return qs, err
}

// ReadQrels reads relevance judgements: a header line, then tab-separated
// query_id, doc_id, relevance. Rows with relevance 0 or less are kept out.
func ReadQrels(r io.Reader) (Qrels, error) {
	q := Qrels{}
	header := true
	err := lines(r, func(n int, b []byte) error {
		if header {
			header = false
			return nil
		}
		f := strings.Split(strings.TrimRight(string(b), "\r"), "\t")
		if len(f) < 3 {
			return fmt.Errorf("%w: want 3 tab-separated columns, got %d", ErrMissingField, len(f))
		}
		rel, err := strconv.Atoi(strings.TrimSpace(f[2]))
		if err != nil {
			return fmt.Errorf("relevance: %w", err)
		}
		if rel <= 0 {
			return nil
		}
		if q[f[0]] == nil {
			q[f[0]] = map[string]int{}
		}
		q[f[0]][f[1]] = rel
		return nil
	})
	return q, err
}

// Metrics are ranking quality and latency figures, averaged over the
// judged queries.
type Metrics struct {
	MAP            float64 `json:"map"`
	MRRAt10        float64 `json:"mrr_at_10"`
	RecallAt1      float64 `json:"recall_at_1"`
	RecallAt5      float64 `json:"recall_at_5"`
	NDCGAt10       float64 `json:"ndcg_at_10"`
	Queries        int     `json:"queries"`
	QueryP50Micros float64 `json:"query_p50_us"`
	QueryP99Micros float64 `json:"query_p99_us"`
}

// Depth is how many hits Evaluate asks for per query; MAP is computed over
// them.
const Depth = 100

// Evaluate runs every judged query through r and scores the rankings.
// Queries without judgements are skipped.
func Evaluate(ctx context.Context, r kb.Retriever, queries []Query, qrels Qrels) (Metrics, error) {
	var m Metrics
	var lat []time.Duration
	for _, q := range queries {
		rel := qrels[q.ID]
		if len(rel) == 0 {
			continue
		}
		start := time.Now()
		hits, err := r.Retrieve(ctx, q.Text, Depth)
		lat = append(lat, time.Since(start))
		if err != nil {
			return Metrics{}, fmt.Errorf("kbeval: query %s: %w", q.ID, err)
		}
		m.Queries++
		var found, ap, dcg float64
		rr := 0.0
		for i, h := range hits {
			g, ok := rel[h.Doc.ID]
			if !ok {
				continue
			}
			found++
			ap += found / float64(i+1)
			if i < 10 {
				if rr == 0 {
					rr = 1 / float64(i+1)
				}
				dcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
			}
		}
		n := float64(len(rel))
		m.RecallAt1 += countIn(hits, rel, 1) / n
		m.RecallAt5 += countIn(hits, rel, 5) / n
		m.MAP += ap / n
		m.MRRAt10 += rr
		m.NDCGAt10 += dcg / idealDCG(rel, 10)
	}
	if m.Queries == 0 {
		return m, nil
	}
	n := float64(m.Queries)
	m.MAP /= n
	m.MRRAt10 /= n
	m.RecallAt1 /= n
	m.RecallAt5 /= n
	m.NDCGAt10 /= n
	slices.Sort(lat)
	m.QueryP50Micros = micros(lat[len(lat)/2])
	m.QueryP99Micros = micros(lat[min(len(lat)-1, len(lat)*99/100)])
	return m, nil
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

func countIn(hits []kb.Hit, rel map[string]int, k int) float64 {
	c := 0.0
	for i := 0; i < k && i < len(hits); i++ {
		if _, ok := rel[hits[i].Doc.ID]; ok {
			c++
		}
	}
	return c
}

func idealDCG(rel map[string]int, k int) float64 {
	gs := make([]int, 0, len(rel))
	for _, g := range rel {
		gs = append(gs, g)
	}
	slices.Sort(gs)
	slices.Reverse(gs)
	var dcg float64
	for i, g := range gs {
		if i == k {
			break
		}
		dcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
	}
	return dcg
}

// A CalibrationPoint says, for a confidence threshold, how many judged
// queries an answer layer would answer (top hit's Confidence at or above
// the threshold) and how often that top hit is relevant.
type CalibrationPoint struct {
	Threshold float64 `json:"threshold"`
	Answered  float64 `json:"answered"`
	Accuracy  float64 `json:"accuracy"`
}

// Calibrate measures, for each threshold, the share of judged queries
// answered and the top-1 accuracy among them.
func Calibrate(ctx context.Context, r kb.Retriever, queries []Query, qrels Qrels, thresholds []float64) ([]CalibrationPoint, error) {
	answered := make([]int, len(thresholds))
	correct := make([]int, len(thresholds))
	n := 0
	for _, q := range queries {
		rel := qrels[q.ID]
		if len(rel) == 0 {
			continue
		}
		n++
		hits, err := r.Retrieve(ctx, q.Text, 1)
		if err != nil {
			return nil, fmt.Errorf("kbeval: query %s: %w", q.ID, err)
		}
		if len(hits) == 0 {
			continue
		}
		_, ok := rel[hits[0].Doc.ID]
		for i, th := range thresholds {
			if hits[0].Confidence >= th {
				answered[i]++
				if ok {
					correct[i]++
				}
			}
		}
	}
	out := make([]CalibrationPoint, len(thresholds))
	for i, th := range thresholds {
		out[i] = CalibrationPoint{Threshold: th}
		if n > 0 {
			out[i].Answered = float64(answered[i]) / float64(n)
		}
		if answered[i] > 0 {
			out[i].Accuracy = float64(correct[i]) / float64(answered[i])
		}
	}
	return out, nil
}
