package kb

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// A Gap is a question the knowledge base could not answer, with how often
// it was asked.
type Gap struct {
	// Query is the question as first asked.
	Query string    `json:"query"`
	Count int       `json:"count"`
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// Gaps is a log of unanswered questions with counts, so that a team can
// see what to add. Questions that differ only in case, punctuation or
// spacing count as one. It keeps at most a fixed number of distinct
// questions, dropping the least asked when full.
//
// Gaps is safe for concurrent use. The zero value is not usable; use
// [NewGaps].
type Gaps struct {
	mu  sync.Mutex
	max int
	m   map[string]*Gap
	// askers counts, per gap, the asks of each known customer (see
	// [WithCustomer]), so that [Gaps.Erase] can take them out.
	askers map[string]map[string]int
	// firstBy is the customer whose words are the gap's Query.
	firstBy map[string]string
}

// NewGaps returns an empty log that keeps up to max distinct questions
// (10,000 if max <= 0).
func NewGaps(max int) *Gaps {
	if max <= 0 {
		max = 10000
	}
	return &Gaps{max: max, m: map[string]*Gap{}, askers: map[string]map[string]int{}, firstBy: map[string]string{}}
}

func gapKey(q string) string {
	var b strings.Builder
	for w := range words(q) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// Record counts one unanswered ask of query at time at. Empty queries are
// ignored. An [Answerer] records the customer too (see [WithCustomer]).
func (g *Gaps) Record(query string, at time.Time) { g.record(query, at, "") }

func (g *Gaps) record(query string, at time.Time, customer string) {
	k := gapKey(query)
	if k == "" {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if customer != "" {
		if g.askers[k] == nil {
			g.askers[k] = map[string]int{}
		}
		g.askers[k][customer]++
	}
	if e, ok := g.m[k]; ok {
		e.Count++
		if at.After(e.Last) {
			e.Last = at
		}
		return
	}
	g.firstBy[k] = customer
	if len(g.m) >= g.max {
		var victim string
		var least *Gap
		for k, e := range g.m {
			if least == nil || e.Count < least.Count || (e.Count == least.Count && e.Last.Before(least.Last)) {
				victim, least = k, e
			}
		}
		g.forgetLocked(victim)
	}
	g.m[k] = &Gap{Query: strings.TrimSpace(query), Count: 1, First: at, Last: at}
}

// Resolve forgets query, once the knowledge base answers it.
func (g *Gaps) Resolve(query string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.forgetLocked(gapKey(query))
}

func (g *Gaps) forgetLocked(k string) {
	delete(g.m, k)
	delete(g.askers, k)
	delete(g.firstBy, k)
}

// Top returns up to n gaps, most asked first (all of them if n <= 0).
func (g *Gaps) Top(n int) []Gap {
	g.mu.Lock()
	out := make([]Gap, 0, len(g.m))
	for _, e := range g.m {
		out = append(out, *e)
	}
	g.mu.Unlock()
	slices.SortFunc(out, func(a, b Gap) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), b.Last.Compare(a.Last), strings.Compare(a.Query, b.Query))
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// WriteTo writes the log as a JSON array of [Gap], most asked first, so
// that it survives a restart or can be handed to the content team. It
// implements [io.WriterTo].
func (g *Gaps) WriteTo(w io.Writer) (int64, error) {
	b, err := json.Marshal(g.Top(0))
	if err != nil {
		return 0, fmt.Errorf("kb: encode gaps: %w", err)
	}
	n, err := w.Write(append(b, '\n'))
	if err != nil {
		return int64(n), fmt.Errorf("kb: write gaps: %w", err)
	}
	return int64(n), nil
}

// ReadFrom merges a log written by [Gaps.WriteTo] into g, adding counts
// of questions already present. It implements [io.ReaderFrom]; malformed
// input gives an error wrapping [ErrFormat] and changes nothing.
func (g *Gaps) ReadFrom(r io.Reader) (int64, error) {
	cr := &countReader{r: r}
	var in []Gap
	if err := json.NewDecoder(cr).Decode(&in); err != nil {
		return cr.n, fmt.Errorf("%w: gaps: %v", ErrFormat, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, e := range in {
		k := gapKey(e.Query)
		if k == "" || e.Count <= 0 {
			continue
		}
		if cur, ok := g.m[k]; ok {
			cur.Count += e.Count
			if e.First.Before(cur.First) {
				cur.First = e.First
			}
			if e.Last.After(cur.Last) {
				cur.Last = e.Last
			}
			continue
		}
		if len(g.m) >= g.max {
			continue
		}
		g.m[k] = &e
	}
	return cr.n, nil
}
