package kbeval

import (
	"context"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/parleyhq/parley/kb"
)

// Okapi is the baseline retriever: plain Okapi BM25 (k1 1.2, b 0.75) over
// one field, an FAQ's question (or a passage's text when it has none),
// with lower-cased letter-and-digit tokens, no stemming and no stop words.
// It is what a search engine does out of the box, and the peer that
// [kb.Index] is compared with.
type Okapi struct {
	docs []kb.Doc
	lens []float64
	avg  float64
	post map[string][]okapiPosting
	// analyze turns text into terms.
	analyze func(string) []string
}

type okapiPosting struct {
	doc int
	tf  float64
}

var _ kb.Retriever = (*Okapi)(nil)

// NewOkapi returns a BM25 retriever (k1 = 1.2, b = 0.75) over docs: each
// doc's Question, or its Text when it has none, split into lower-cased
// runs of letters and digits, with no stemming and no stop words. It is
// the plain baseline that [Evaluate] compares a retriever with; use
// [NewOkapiAnalyzed] for a search engine's analysis. Once built, an Okapi
// is safe for concurrent use.
func NewOkapi(docs []kb.Doc) *Okapi { return NewOkapiAnalyzed(docs, okapiTokens) }

// NewOkapiAnalyzed indexes docs with a custom analysis, for example
// [kb.Analyzer.Terms] for English stemming and stop words, which
// approximates a search engine's English analyzer.
func NewOkapiAnalyzed(docs []kb.Doc, analyze func(string) []string) *Okapi {
	o := &Okapi{docs: docs, lens: make([]float64, len(docs)), post: map[string][]okapiPosting{}, analyze: analyze}
	var sum float64
	for i, d := range docs {
		text := d.Question
		if text == "" {
			text = d.Text
		}
		toks := analyze(text)
		o.lens[i] = float64(len(toks))
		sum += o.lens[i]
		tf := map[string]float64{}
		for _, t := range toks {
			tf[t]++
		}
		for t, n := range tf {
			o.post[t] = append(o.post[t], okapiPosting{doc: i, tf: n})
		}
	}
	if len(docs) > 0 {
		o.avg = sum / float64(len(docs))
	}
	return o
}

func okapiTokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Retrieve returns the k best documents for query.
func (o *Okapi) Retrieve(ctx context.Context, query string, k int) ([]kb.Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	scores := map[int]float64{}
	N := float64(len(o.docs))
	for _, t := range o.analyze(query) {
		ps := o.post[t]
		df := float64(len(ps))
		idf := math.Log(1 + (N-df+0.5)/(df+0.5))
		for _, p := range ps {
			norm := 1.2 * (1 - 0.75 + 0.75*o.lens[p.doc]/o.avg)
			scores[p.doc] += idf * p.tf * 2.2 / (p.tf + norm)
		}
	}
	hits := make([]kb.Hit, 0, len(scores))
	for d, s := range scores {
		hits = append(hits, kb.Hit{Doc: o.docs[d], Score: s})
	}
	slices.SortFunc(hits, func(a, b kb.Hit) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Doc.ID, b.Doc.ID)
	})
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits, nil
}
