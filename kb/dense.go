package kb

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/parleyhq/parley/llm"
)

// Dense is a vector retriever: it embeds passages and queries with an
// [llm.Embedder] and ranks by cosine similarity, by exhaustive search
// (fine up to some hundred thousand passages). Confidence is the cosine
// similarity, clipped to [0, 1].
//
// Dense is safe for concurrent use.
type Dense struct {
	e llm.Embedder

	mu   sync.RWMutex
	docs []Doc
	vecs [][]float32
	byID map[string]int
}

var _ Retriever = (*Dense)(nil)

// NewDense returns an empty Dense retriever using e.
func NewDense(e llm.Embedder) *Dense { return &Dense{e: e, byID: map[string]int{}} }

// embedText is what Dense embeds for a passage.
func embedText(d Doc) string {
	s := d.Title
	if d.Question != "" {
		s += "\n" + d.Question
	}
	for _, p := range d.Phrasings {
		s += "\n" + p
	}
	return s + "\n" + d.Text
}

// Add embeds and adds docs, replacing passages with the same IDs.
func (x *Dense) Add(ctx context.Context, docs ...Doc) error {
	texts := make([]string, len(docs))
	for i, d := range docs {
		if d.ID == "" {
			return ErrEmptyID
		}
		texts[i] = embedText(d)
	}
	vecs, err := x.e.Embed(ctx, texts)
	if err != nil {
		return fmt.Errorf("kb: dense: embed: %w", err)
	}
	if len(vecs) != len(docs) {
		return fmt.Errorf("kb: dense: embedder returned %d vectors for %d texts", len(vecs), len(docs))
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, d := range docs {
		v := normalize(vecs[i])
		if j, ok := x.byID[d.ID]; ok {
			x.docs[j], x.vecs[j] = d, v
			continue
		}
		x.byID[d.ID] = len(x.docs)
		x.docs = append(x.docs, d)
		x.vecs = append(x.vecs, v)
	}
	return nil
}

// Delete removes passages; unknown IDs give an error wrapping
// [ErrNotFound] after the others are deleted.
func (x *Dense) Delete(ids ...string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return deleteEach(ids, "kb: dense: delete", x.byID, func(id string, i int) {
		last := len(x.docs) - 1
		x.docs[i], x.vecs[i] = x.docs[last], x.vecs[last]
		x.byID[x.docs[i].ID] = i
		x.docs, x.vecs = x.docs[:last], x.vecs[:last]
		delete(x.byID, id)
	})
}

func normalize(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if n == 0 {
		return out
	}
	s := 1 / math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(float64(x) * s)
	}
	return out
}

// Retrieve implements [Retriever].
func (x *Dense) Retrieve(ctx context.Context, query string, k int) ([]Hit, error) {
	if k <= 0 {
		return nil, nil
	}
	qv, err := x.e.Embed(ctx, []string{query})
	if err != nil {
		return nil, fmt.Errorf("kb: dense: embed query: %w", err)
	}
	if len(qv) != 1 {
		return nil, fmt.Errorf("kb: dense: embedder returned %d vectors for 1 text", len(qv))
	}
	q := normalize(qv[0])
	x.mu.RLock()
	defer x.mu.RUnlock()
	hits := make([]Hit, 0, len(x.docs))
	for i, v := range x.vecs {
		if len(v) != len(q) {
			continue
		}
		var dot float64
		for j := range v {
			dot += float64(v[j]) * float64(q[j])
		}
		if dot > 0 {
			hits = append(hits, Hit{Doc: x.docs[i], Score: dot, Confidence: min(1, dot)})
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Doc.ID, b.Doc.ID)) })
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits, nil
}

// Hybrid returns a Retriever that fuses the rankings of rs with
// reciprocal rank fusion (score = sum of 1/(60 + rank)), asking each for
// depth hits (50 if depth <= 0).
//
// Confidence comes from the first retriever, which should be the one
// whose confidence is calibrated (an [Index]): a passage has the
// Confidence rs[0] gave it, or 0 if rs[0] did not return it, and the top
// hit's is also capped by rs[0]'s top confidence. So Hybrid is never
// surer than rs[0] alone: another retriever (a [Dense] cosine) can
// reorder passages, but cannot turn a question rs[0] is unsure about
// into an answer.
//
// If a retriever fails, Hybrid fails: it does not silently degrade.
func Hybrid(depth int, rs ...Retriever) Retriever {
	if depth <= 0 {
		depth = 50
	}
	return RetrieverFunc(func(ctx context.Context, query string, k int) ([]Hit, error) {
		if k <= 0 || len(rs) == 0 {
			return nil, nil
		}
		type fused struct {
			hit   Hit
			score float64
			first int
		}
		byID := map[string]*fused{}
		var order []*fused
		topConf := 0.0
		for ri, r := range rs {
			hits, err := r.Retrieve(ctx, query, max(depth, k))
			if err != nil {
				return nil, fmt.Errorf("kb: hybrid: retriever %d: %w", ri, err)
			}
			if ri == 0 && len(hits) > 0 {
				topConf = hits[0].Confidence
			}
			for rank, h := range hits {
				f, ok := byID[h.Doc.ID]
				if !ok {
					f = &fused{hit: h, first: len(order)}
					f.hit.Confidence = 0
					byID[h.Doc.ID] = f
					order = append(order, f)
				}
				f.score += 1 / float64(60+rank+1)
				if ri == 0 {
					f.hit.Confidence = h.Confidence
				}
			}
		}
		slices.SortFunc(order, func(a, b *fused) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.first, b.first)) })
		if len(order) > k {
			order = order[:k]
		}
		out := make([]Hit, len(order))
		for i, f := range order {
			out[i] = f.hit
			out[i].Score = f.score
		}
		if len(out) > 0 {
			out[0].Confidence = min(out[0].Confidence, topConf)
		}
		return out, nil
	})
}
