package kb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Errors returned by [Index] methods.
var (
	// ErrNotFound is returned when a document ID is not in the index.
	ErrNotFound = errors.New("kb: not found")
	// ErrEmptyID is returned when a document has no ID.
	ErrEmptyID = errors.New("kb: empty document id")
	// ErrNoSource is returned by [Index.ReplaceSources] for a passage
	// without a Source.
	ErrNoSource = errors.New("kb: passage has no source")
)

// A Doc is one retrievable passage: an FAQ entry (Question, Phrasings and
// an answer in Text) or a chunk of a longer document (Title and Text).
// Source, URL and Position say where it came from, for citations.
type Doc struct {
	// ID identifies the passage; adding a Doc with an existing ID replaces
	// it.
	ID string `json:"id"`
	// Title is the document title or the heading path of a chunk.
	Title string `json:"title,omitempty"`
	// Question is an FAQ entry's canonical question.
	Question string `json:"question,omitempty"`
	// Phrasings are other ways users ask the same question.
	Phrasings []string `json:"phrasings,omitempty"`
	// Text is the answer of an FAQ entry or the body of a chunk.
	Text string `json:"text,omitempty"`
	// Source names the document the passage came from (a file name).
	Source string `json:"source,omitempty"`
	// URL locates the source, if it has one.
	URL string `json:"url,omitempty"`
	// Position is the chunk's index within its source, from 0.
	Position int `json:"position,omitempty"`
}

// A Hit is a retrieved passage with its score.
type Hit struct {
	Doc Doc `json:"doc"`
	// Score ranks hits; its scale depends on the retriever.
	Score float64 `json:"score"`
	// Confidence in [0, 1] estimates how safely the passage answers the
	// query. For an [Index] it is the share of the query's term weight
	// (IDF) that the passage matches, 0 if it matches only stop words
	// and words that ask for an amount ("how much", "cost"); the top
	// hit's is also capped by twice its relative lead over the next hit
	// that matches more than those, so that a near tie is not
	// confident. Answer layers compare it with a threshold.
	Confidence float64 `json:"confidence"`
}

// A Retriever finds the passages that best answer a query, best first, at
// most k of them. Implementations must be safe for concurrent use; they
// return ctx.Err() when the context ends and wrap backend errors.
type Retriever interface {
	Retrieve(ctx context.Context, query string, k int) ([]Hit, error)
}

// RetrieverFunc adapts a function to a [Retriever].
type RetrieverFunc func(ctx context.Context, query string, k int) ([]Hit, error)

// Retrieve calls f(ctx, query, k).
func (f RetrieverFunc) Retrieve(ctx context.Context, query string, k int) ([]Hit, error) {
	return f(ctx, query, k)
}

// Field indexes, for [FieldWeights].
const (
	fieldQuestion = iota
	fieldTitle
	fieldText
	numFields
)

// FieldWeights weigh a term occurrence by where it is. An FAQ's question
// and phrasings say what the entry is about; its answer says much else.
type FieldWeights struct {
	Question float64 `json:"question"`
	Title    float64 `json:"title"`
	Text     float64 `json:"text"`
}

// Params tunes the ranking of an [Index]. The zero value is not valid;
// start from [DefaultParams].
type Params struct {
	// K1 is BM25's term-frequency saturation.
	K1 float64 `json:"k1"`
	// B is BM25's length normalisation per field.
	B FieldWeights `json:"b"`
	// Weights weigh each field (BM25F).
	Weights FieldWeights `json:"weights"`
	// Bigram weighs a pair of adjacent query terms found adjacent in a
	// passage's question or title, relative to a single term. 0 disables.
	Bigram float64 `json:"bigram"`
	// Typo enables matching an unknown query word to an indexed word at
	// edit distance 1 (2 for words of 8 letters or more), weighed by Typo.
	// 0 disables.
	Typo float64 `json:"typo"`
	// Feedback is the weight of pseudo-relevance feedback: terms of the
	// top FeedbackDocs hits' questions are added to the query with this
	// weight. 0 disables.
	Feedback     float64 `json:"feedback"`
	FeedbackDocs int     `json:"feedback_docs"`
	// FeedbackTerms is how many expansion terms to add.
	FeedbackTerms int `json:"feedback_terms"`
	// Stop weighs a stop word in a query relative to other words. Stop
	// words are indexed in questions and titles, where "how" and "what"
	// tell questions apart, and not in texts.
	Stop float64 `json:"stop"`
	// PerField scores each field with its own BM25 saturation and sums
	// the weighted scores, instead of BM25F's single saturation over
	// weighted term frequencies.
	PerField bool `json:"per_field"`
	// Fuse normalises each field's BM25 scores by the best score of the
	// query in that field before weighing and summing them.
	Fuse bool `json:"fuse"`
	// Prefix weighs a match on the first PrefixLen letters of a word
	// (a coarse stemmer: "transmit", "transmission"). 0 disables.
	Prefix    float64 `json:"prefix"`
	PrefixLen int     `json:"prefix_len"`
	// Coverage reranks the best hits by how much of each passage's
	// question (IDF-weighted) the query covers, so that a question whose
	// every word was asked beats one that merely shares a frequent word.
	// It is added to the BM25 score divided by the best score. 0 disables.
	Coverage float64 `json:"coverage"`
	// Margin caps a hit's Confidence at Margin times its relative lead
	// over the next hit, so that a near tie is not a confident answer.
	// 0 disables.
	Margin float64 `json:"margin"`
}

// DefaultParams returns the ranking parameters that [NewIndex] uses.
func DefaultParams() Params {
	return Params{
		K1:            1.2,
		B:             FieldWeights{Question: 0.75, Title: 0.75, Text: 0.75},
		Weights:       FieldWeights{Question: 1, Title: 0.5, Text: 0.2},
		Bigram:        0.5,
		Typo:          0.8,
		Feedback:      0,
		FeedbackDocs:  3,
		FeedbackTerms: 10,
		Stop:          1,
		PerField:      true,
		Prefix:        0.5,
		PrefixLen:     5,
		Coverage:      0.2,
		Margin:        2,
	}
}

func (w FieldWeights) array() [numFields]float64 {
	return [numFields]float64{w.Question, w.Title, w.Text}
}

// An IndexOption configures an [Index].
type IndexOption func(*Index)

// WithAnalyzer sets the analyzer; the default is [English].
func WithAnalyzer(a *Analyzer) IndexOption { return func(x *Index) { x.an = a } }

// WithParams sets the ranking parameters; the default is [DefaultParams].
func WithParams(p Params) IndexOption { return func(x *Index) { x.p = p } }

// An Index is an in-memory full-text index of passages ranked with BM25F
// over the question, title and text fields, with bigram proximity, typo
// tolerance and optional pseudo-relevance feedback. Passages can be added,
// replaced and deleted at run time.
//
// An Index is safe for concurrent use: searches run in parallel, writes
// are serialised and wait for searches in flight.
type Index struct {
	an *Analyzer // never changes after NewIndex
	// synGroups are WithSynonyms' groups, analysed into syn by NewIndex;
	// neither changes afterwards.
	synGroups [][]string
	syn       synonyms

	mu sync.RWMutex
	// p is replaced by ReadFrom, which increments gen; code that reads
	// p without holding mu works on a copy taken with gen under mu, and
	// checks gen again once it holds mu.
	p       Params
	gen     uint64
	terms   map[string]int32
	words   []string    // term ID -> term
	post    [][]posting // term ID -> postings, ordered by slot
	df      []int32     // term ID -> document frequency
	deletes map[string][]int32
	// surf holds the indexed words whose stem differs from them, for
	// typo tolerance: "shippng" is one edit from "shipping", three
	// from its stem "ship".
	surf   surfaces
	docs   []*entry             // slot -> entry, nil when deleted
	lens   [numFields][]float32 // field -> slot -> length in terms
	byID   map[string]int32
	live   int
	sumLen [numFields]float64
	pool   sync.Pool
	// stale is set by writes: the questW of entries must be recomputed
	// before the next search.
	stale atomic.Bool
}

type posting struct {
	slot int32
	tf   [numFields]uint16
}

type entry struct {
	doc   Doc
	lens  [numFields]float32
	terms []int32 // distinct term IDs, for deletion
	extra []int32 // term IDs counted in df without a posting
	quest []int32 // distinct term IDs of the question and title words
	// questW is the summed IDF of quest, kept current by refresh.
	questW float64
}

// NewIndex returns an empty Index, or an error wrapping [ErrParams] if
// [WithParams] gave parameters that [Params.Validate] rejects. It panics if
// [WithAnalyzer] gave a nil analyzer.
func NewIndex(opts ...IndexOption) (*Index, error) {
	x := &Index{an: English(), p: DefaultParams()}
	for _, o := range opts {
		o(x)
	}
	if x.an == nil {
		panic("kb: NewIndex: nil analyzer")
	}
	if err := x.p.Validate(); err != nil {
		return nil, fmt.Errorf("kb: NewIndex: %w", err)
	}
	x.syn = analyseSynonyms(x.an, x.synGroups)
	x.reset()
	return x, nil
}

func (x *Index) reset() {
	x.terms = map[string]int32{}
	x.words = nil
	x.post = nil
	x.df = nil
	x.deletes = map[string][]int32{}
	x.surf = surfaces{ids: map[string]int32{}, deletes: map[string][]int32{}}
	x.docs = nil
	x.lens = [numFields][]float32{}
	x.byID = map[string]int32{}
	x.live = 0
	x.sumLen = [numFields]float64{}
}

// Params returns the index's ranking parameters.
func (x *Index) Params() Params {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.p
}

// snapshot returns the ranking parameters and their generation.
func (x *Index) snapshot() (Params, uint64) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.p, x.gen
}

// Len returns the number of passages in the index.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.live
}

// Add adds docs to the index, replacing any passage with the same ID. It
// returns [ErrEmptyID] (and adds nothing) if a doc has no ID.
func (x *Index) Add(docs ...Doc) error {
	for _, d := range docs {
		if d.ID == "" {
			return ErrEmptyID
		}
	}
	x.update(docs, x.insert)
	return nil
}

// update analyses docs and calls f with them under the write lock. It
// analyses outside the lock, with the parameters of the moment; if
// ReadFrom changes them meanwhile, it analyses again under the lock.
func (x *Index) update(docs []Doc, f func([]analysed)) {
	p, gen := x.snapshot()
	as := x.analyse(&p, docs)
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.gen != gen {
		as = x.analyse(&x.p, docs)
	}
	f(as)
}

// ReplaceSources makes docs the passages of each source they name
// (Doc.Source): passages of those sources that docs do not contain, such
// as the tail of a document that got shorter, are deleted, and docs are
// added, in one write, so that a search sees either the old or the new
// version of a document. Sources that docs do not name are left alone,
// so re-ingesting a batch in which one file failed keeps that file's
// passages. It returns [ErrEmptyID] (and changes nothing) if a doc has no
// ID, and an error if one has no Source.
func (x *Index) ReplaceSources(docs ...Doc) error {
	sources := map[string]bool{}
	keep := make(map[string]bool, len(docs))
	for _, d := range docs {
		if d.ID == "" {
			return ErrEmptyID
		}
		if d.Source == "" {
			return fmt.Errorf("kb: replace %q: %w", d.ID, ErrNoSource)
		}
		sources[d.Source] = true
		keep[d.ID] = true
	}
	x.update(docs, func(as []analysed) {
		for slot, e := range x.docs {
			if e != nil && sources[e.doc.Source] && !keep[e.doc.ID] {
				x.remove(int32(slot))
			}
		}
		x.insert(as)
	})
	return nil
}

// insert adds analysed passages; x.mu is held for writing.
func (x *Index) insert(as []analysed) {
	for _, a := range as {
		if slot, ok := x.byID[a.d.ID]; ok {
			x.remove(slot)
		}
		slot := int32(len(x.docs))
		e := &entry{doc: a.d, lens: a.lns, terms: make([]int32, 0, len(a.tfs))}
		for t, tf := range a.tfs {
			id := x.termID(t)
			e.terms = append(e.terms, id)
			x.post[id] = append(x.post[id], posting{slot: slot, tf: *tf})
			x.df[id]++
			if (tf[fieldQuestion] > 0 || tf[fieldTitle] > 0) && !strings.ContainsAny(t, " \x01") {
				e.quest = append(e.quest, id)
			}
		}
		for t := range a.dfo {
			if _, ok := a.tfs[t]; !ok {
				id := x.termID(t)
				e.extra = append(e.extra, id)
				x.df[id]++
			}
		}
		for w, t := range a.surf {
			x.surf.add(w, x.termID(t))
		}
		x.docs = append(x.docs, e)
		for f := range numFields {
			x.lens[f] = append(x.lens[f], a.lns[f])
		}
		x.byID[a.d.ID] = slot
		x.live++
		for f := range numFields {
			x.sumLen[f] += float64(a.lns[f])
		}
	}
	if len(x.docs) > 64 && x.live < len(x.docs)/2 {
		x.compact()
	}
	x.stale.Store(true)
}

// analysed is a passage's terms, before they are indexed.
type analysed struct {
	d   Doc
	tfs map[string]*[numFields]uint16
	lns [numFields]float32
	dfo map[string]bool
	// surf maps the passage's words whose stem differs from them to
	// that stem; nil if there are none.
	surf map[string]string
}

// analyse tokenises docs for indexing with parameters p.
func (x *Index) analyse(p *Params, docs []Doc) []analysed {
	as := make([]analysed, len(docs))
	for i, d := range docs {
		a := analysed{d: d, tfs: map[string]*[numFields]uint16{}, dfo: map[string]bool{}}
		var toks []Token
		add := func(f int, s string) {
			toks = x.an.Tokens(s, toks[:0])
			prev, prevStop := "", true
			for _, t := range toks {
				if t.Stop && f == fieldText {
					// Not worth a posting in long texts, but counted
					// in the document frequency so that its IDF stays
					// low.
					a.dfo[t.Term] = true
					continue
				}
				a.lns[f]++
				x.bump(a.tfs, t.Term, f)
				if t.Word != t.Term && !t.Stop && typoable(t.Word) {
					if a.surf == nil {
						a.surf = map[string]string{}
					}
					a.surf[t.Word] = t.Term
				}
				if f != fieldText && prev != "" && p.Bigram > 0 && !(prevStop && t.Stop) {
					x.bump(a.tfs, bigram(prev, t.Term), f)
				}
				prev, prevStop = t.Term, t.Stop
				if p.Prefix > 0 && !t.Stop {
					if pt, ok := prefixTerm(t.Word, p.PrefixLen); ok {
						x.bump(a.tfs, pt, f)
					}
				}
			}
			x.syn.find(toks, func(concept string, _, _ int) { x.bump(a.tfs, concept, f) })
		}
		add(fieldQuestion, d.Question)
		for _, p := range d.Phrasings {
			add(fieldQuestion, p)
		}
		add(fieldTitle, d.Title)
		add(fieldText, d.Text)
		as[i] = a
	}
	return as
}

func (x *Index) bump(m map[string]*[numFields]uint16, t string, f int) {
	tf := m[t]
	if tf == nil {
		tf = new([numFields]uint16)
		m[t] = tf
	}
	if tf[f] < math.MaxUint16 {
		tf[f]++
	}
}

// bigram joins two terms into a bigram term; the separator cannot occur
// in a term.
func bigram(a, b string) string { return a + " " + b }

// prefixTerm returns the prefix term of word w, if w is longer than n
// runes. Prefix terms start with a byte that no word contains.
func prefixTerm(w string, n int) (string, bool) {
	i := 0
	for j := range w {
		if i == n {
			return "\x01" + w[:j], true
		}
		i++
	}
	return "", false
}

func (x *Index) termID(t string) int32 {
	if id, ok := x.terms[t]; ok {
		return id
	}
	id := int32(len(x.words))
	x.terms[t] = id
	x.words = append(x.words, t)
	x.post = append(x.post, nil)
	x.df = append(x.df, 0)
	if typoable(t) {
		for _, d := range deletions(t) {
			x.deletes[d] = append(x.deletes[d], id)
		}
	}
	return id
}

// Delete removes the passages with the given IDs. It returns an error
// wrapping [ErrNotFound] naming the first unknown ID, after deleting the
// others.
func (x *Index) Delete(ids ...string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return deleteEach(ids, "kb: delete", x.byID, func(_ string, slot int32) { x.remove(slot) })
}

// deleteEach calls del with each of ids found in byID and where it is.
// It returns an error wrapping [ErrNotFound] that names the first ID not
// found (prefixed by op), after deleting the others.
func deleteEach[P any](ids []string, op string, byID map[string]P, del func(id string, at P)) error {
	var missing error
	for _, id := range ids {
		at, ok := byID[id]
		if !ok {
			if missing == nil {
				missing = fmt.Errorf("%s %q: %w", op, id, ErrNotFound)
			}
			continue
		}
		del(id, at)
	}
	return missing
}

// remove deletes the entry in slot; x.mu is held.
func (x *Index) remove(slot int32) {
	e := x.docs[slot]
	for _, t := range e.terms {
		ps := x.post[t]
		i, ok := slices.BinarySearchFunc(ps, slot, func(p posting, s int32) int { return cmp.Compare(p.slot, s) })
		if ok {
			x.post[t] = slices.Delete(ps, i, i+1)
		}
		x.df[t]--
	}
	for _, t := range e.extra {
		x.df[t]--
	}
	for f := range numFields {
		x.sumLen[f] -= float64(e.lens[f])
	}
	delete(x.byID, e.doc.ID)
	x.docs[slot] = nil
	x.live--
	x.stale.Store(true)
}

// refresh recomputes the entries' question weights after writes, under
// the write lock, before a search takes the read lock.
func (x *Index) refresh() {
	if !x.stale.Load() {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.stale.Load() {
		return
	}
	x.refreshLocked()
}

// refreshLocked recomputes the question weights; x.mu is held.
func (x *Index) refreshLocked() {
	if x.p.Coverage <= 0 {
		x.stale.Store(false)
		return
	}
	idf := make(map[int32]float64)
	for _, e := range x.docs {
		if e == nil {
			continue
		}
		e.questW = 0
		for _, t := range e.quest {
			w, ok := idf[t]
			if !ok {
				w = x.idf(int(x.df[t]))
				idf[t] = w
			}
			e.questW += w
		}
	}
	x.stale.Store(false)
}

// compact renumbers slots to drop deleted ones; x.mu is held.
func (x *Index) compact() {
	remap := make([]int32, len(x.docs))
	var docs []*entry
	var lens [numFields][]float32
	for i, e := range x.docs {
		remap[i] = -1
		if e != nil {
			remap[i] = int32(len(docs))
			x.byID[e.doc.ID] = int32(len(docs))
			docs = append(docs, e)
			for f := range numFields {
				lens[f] = append(lens[f], e.lens[f])
			}
		}
	}
	x.lens = lens
	for t, ps := range x.post {
		out := ps[:0]
		for _, p := range ps {
			if s := remap[p.slot]; s >= 0 {
				p.slot = s
				out = append(out, p)
			}
		}
		x.post[t] = out
	}
	x.docs = docs
}

// Get returns the passage with the given ID.
func (x *Index) Get(id string) (Doc, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	slot, ok := x.byID[id]
	if !ok {
		return Doc{}, fmt.Errorf("kb: get %q: %w", id, ErrNotFound)
	}
	return x.docs[slot].doc, nil
}

// Docs returns all passages, in the order they were added.
func (x *Index) Docs() []Doc {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]Doc, 0, x.live)
	for _, e := range x.docs {
		if e != nil {
			out = append(out, e.doc)
		}
	}
	return out
}

var _ Retriever = (*Index)(nil)

// Retrieve returns the k passages that best match query, best first.
// A query with no indexed word returns no hits.
func (x *Index) Retrieve(ctx context.Context, query string, k int) ([]Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if k <= 0 {
		return nil, nil
	}
	// Parse outside the lock, with the parameters of the moment; if
	// ReadFrom changes them meanwhile, parse again.
	p, gen := x.snapshot()
	q := x.parse(&p, query)
	x.refresh()
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.gen != gen {
		q = x.parse(&x.p, query)
	}
	return x.search(q, min(k, x.live)), nil
}

// maxQueryWords bounds the words of a query that are searched, so that a
// pasted novel costs no more than a long question.
const maxQueryWords = 256

// qterm is a weighted query term.
type qterm struct {
	term   string
	weight float64
	// word is the query's word for a word's term ("" for bigram,
	// prefix and synonym terms), which typo tolerance also compares
	// with the indexed words.
	word string
	// cover marks a term that counts towards Confidence: a word that is
	// not a stop word (or any word, if the query has only stop words), or
	// a synonym group's concept, which then stands for its words.
	cover bool
	// words are, for a synonym group's concept, the query's words it
	// stands for: their IDF is the concept's weight in Confidence, so
	// that a synonym covers as much of the query as the word itself.
	words []string
	// content marks a term whose match makes a passage a real hit:
	// a passage that matches only stop words, or only words that ask
	// for an amount ("how much", "cost"), has Confidence 0.
	content bool
}

// parse turns a query into weighted terms under parameters p.
func (x *Index) parse(p *Params, query string) []qterm {
	toks := x.an.Tokens(query, nil)
	if len(toks) > maxQueryWords {
		toks = toks[:maxQueryWords]
	}
	q := make([]qterm, 0, 2*len(toks))
	seen := make(map[string]int, 2*len(toks))
	add := func(t string, w float64, cover, content bool) {
		if i, ok := seen[t]; ok {
			q[i].weight += w
			return
		}
		seen[t] = len(q)
		q = append(q, qterm{term: t, weight: w, cover: cover, content: content})
	}
	// A word is content unless it is a stop word or asks for an amount
	// ("how much", "cost"): a passage must match content to be an
	// answer. When no word is content, every word is.
	allStop, allAsk := true, true
	for _, t := range toks {
		allStop = allStop && t.Stop
		allAsk = allAsk && (t.Stop || x.an.asks[t.Term])
	}
	content := func(t Token) bool { return (!t.Stop && !x.an.asks[t.Term]) || allAsk }
	// A synonym found in the query matches through its concept, which
	// every passage with a word of its group has; the words still match
	// as themselves, at a small weight, so that the word the customer
	// used ranks first. The concept is content if one of its words is,
	// and counts for Confidence instead of them.
	var inSyn []bool
	var concepts []qterm
	x.syn.find(toks, func(concept string, i, n int) {
		if inSyn == nil {
			inSyn = make([]bool, len(toks))
		}
		j := slices.IndexFunc(concepts, func(q qterm) bool { return q.term == concept })
		if j < 0 {
			j = len(concepts)
			concepts = append(concepts, qterm{term: concept, weight: 1})
		}
		c := &concepts[j]
		for k := i; k < i+n; k++ {
			inSyn[k] = true
			t := toks[k]
			c.content = c.content || content(t)
			if (!t.Stop || allStop) && !slices.Contains(c.words, t.Term) {
				c.words = append(c.words, t.Term)
			}
		}
		c.cover = len(c.words) > 0
	})
	for i, t := range toks {
		w := 1.0
		if t.Stop && !allStop {
			w = p.Stop
		}
		synonym := inSyn != nil && inSyn[i]
		if synonym {
			w *= synonymWordWeight
		}
		cover := (!t.Stop || allStop) && !synonym
		if w > 0 {
			add(t.Term, w, cover, content(t))
			if j := seen[t.Term]; q[j].word == "" {
				q[j].word = t.Word
			}
		}
		if i > 0 && p.Bigram > 0 && !(toks[i-1].Stop && t.Stop) {
			bw := p.Bigram
			if synonym || (inSyn != nil && inSyn[i-1]) {
				bw *= synonymWordWeight
			}
			add(bigram(toks[i-1].Term, t.Term), bw, false, false)
		}
		if p.Prefix > 0 && !t.Stop {
			if pt, ok := prefixTerm(t.Word, p.PrefixLen); ok {
				pw := p.Prefix
				if synonym {
					pw *= synonymWordWeight
				}
				add(pt, pw, false, content(t))
			}
		}
	}
	for _, c := range concepts {
		seen[c.term] = len(q)
		q = append(q, c)
	}
	return q
}

// synonymWordWeight weighs a query word that belongs to a synonym group
// found in the query, relative to other words: its concept carries the
// match, and the word itself only puts the passages that use it first.
const synonymWordWeight = 0.25

type scratch struct {
	qids    []int32   // query term IDs matched, for Coverage
	qidf    []float64 // and their IDF
	field   [numFields][]float64
	score   []float64
	cover   []float64
	content []bool
	seen    []bool
	hit     []int32
}

// search runs q; x.mu is held for reading.
func (x *Index) search(q []qterm, k int) []Hit {
	if x.live == 0 || len(q) == 0 {
		return nil
	}
	s, _ := x.pool.Get().(*scratch)
	if s == nil {
		s = &scratch{}
	}
	defer x.pool.Put(s)
	n := len(x.docs)
	if cap(s.score) < n {
		s.score = make([]float64, n)
		s.cover = make([]float64, n)
		s.seen = make([]bool, n)
		s.content = make([]bool, n)
	}
	if x.p.Fuse {
		for f := range numFields {
			if cap(s.field[f]) < n {
				s.field[f] = make([]float64, n)
			}
			s.field[f] = s.field[f][:n]
		}
	}
	s.score, s.cover, s.seen, s.content = s.score[:n], s.cover[:n], s.seen[:n], s.content[:n]
	s.hit = s.hit[:0]
	s.qids, s.qidf = s.qids[:0], s.qidf[:0]

	var total float64
	x.accumulate(s, q, &total)
	if x.p.Fuse {
		w := x.p.Weights.array()
		var mx [numFields]float64
		for _, slot := range s.hit {
			for f := range numFields {
				mx[f] = max(mx[f], s.field[f][slot])
			}
		}
		for _, slot := range s.hit {
			var v float64
			for f := range numFields {
				if mx[f] > 0 {
					v += w[f] * s.field[f][slot] / mx[f]
				}
				s.field[f][slot] = 0
			}
			s.score[slot] = v
		}
	}
	if x.p.Feedback > 0 && len(s.hit) > 0 {
		if exp := x.expand(s, q); len(exp) > 0 {
			x.accumulate(s, exp, nil)
		}
	}
	var hits []Hit
	if x.p.Coverage > 0 {
		hits = x.rerank(s, k, total)
	} else {
		hits = x.top(s, k, total)
	}
	for _, slot := range s.hit {
		s.score[slot], s.cover[slot], s.seen[slot], s.content[slot] = 0, 0, false, false
		if x.p.Fuse {
			for f := range numFields {
				s.field[f][slot] = 0
			}
		}
	}
	return hits
}

func (x *Index) idf(df int) float64 {
	N := float64(x.live)
	return math.Log(1 + (N-float64(df)+0.5)/(float64(df)+0.5))
}

func (x *Index) accumulate(s *scratch, q []qterm, total *float64) {
	w := x.p.Weights.array()
	b := x.p.B.array()
	var inv [numFields]float64
	for f := range numFields {
		if x.sumLen[f] > 0 {
			inv[f] = float64(x.live) / x.sumLen[f]
		}
	}
	k1 := x.p.K1
	perField := x.p.PerField
	fuse := x.p.Fuse
	for _, qt := range q {
		weight := qt.weight
		id, ok := x.terms[qt.term]
		// coverIDF is what a match adds to Confidence's numerator
		// and the term to its denominator, per unit of weight.
		coverIDF := -1.0
		if qt.words != nil {
			coverIDF = x.wordsIDF(qt.words)
		}
		if !ok || len(x.post[id]) == 0 {
			if !qt.cover {
				continue
			}
			if x.p.Typo > 0 && qt.words == nil {
				id, ok = x.fuzzy(qt.term, qt.word)
			}
			if !ok {
				if total != nil {
					*total += max(coverIDF, x.idf(0)) * weight
				}
				continue
			}
			if total != nil {
				*total += x.idf(int(x.df[id])) * weight
			}
			weight *= x.p.Typo
		} else if total != nil && qt.cover {
			if coverIDF < 0 {
				coverIDF = x.idf(int(x.df[id]))
			}
			*total += coverIDF * weight
		}
		ps := x.post[id]
		idf := x.idf(int(x.df[id])) * weight
		cover := idf
		if coverIDF >= 0 {
			cover = coverIDF * weight
		}
		if x.p.Coverage > 0 {
			s.qids = append(s.qids, id)
			s.qidf = append(s.qidf, idf/weight)
		}
		for _, p := range ps {
			var tf, sc float64
			for f := range numFields {
				if p.tf[f] != 0 && w[f] != 0 {
					norm := 1 - b[f] + b[f]*float64(x.lens[f][p.slot])*inv[f]
					ftf := float64(p.tf[f]) / norm
					tf += w[f] * ftf
					sc += w[f] * ftf * (k1 + 1) / (k1 + ftf)
					if fuse {
						s.field[f][p.slot] += idf * ftf * (k1 + 1) / (k1 + ftf)
					}
				}
			}
			if tf == 0 {
				continue
			}
			if !perField {
				sc = tf * (k1 + 1) / (k1 + tf)
			}
			if !s.seen[p.slot] {
				s.seen[p.slot] = true
				s.hit = append(s.hit, p.slot)
			}
			s.score[p.slot] += idf * sc
			if qt.cover {
				s.cover[p.slot] += cover
			}
			if qt.content {
				s.content[p.slot] = true
			}
		}
	}
}

// wordsIDF returns the summed IDF of terms (an unknown term's is the
// highest).
func (x *Index) wordsIDF(terms []string) float64 {
	var sum float64
	for _, t := range terms {
		df := 0
		if id, ok := x.terms[t]; ok {
			df = int(x.df[id])
		}
		sum += x.idf(df)
	}
	return sum
}

// expand returns feedback terms from the question fields of the current
// top hits.
func (x *Index) expand(s *scratch, q []qterm) []qterm {
	top := x.topSlots(s, x.p.FeedbackDocs)
	in := make(map[string]bool, len(q))
	for _, t := range q {
		in[t.term] = true
	}
	weights := map[string]float64{}
	for rank, slot := range top {
		d := x.docs[slot].doc
		var terms []string
		terms = append(terms, x.an.Terms(d.Question)...)
		for _, p := range d.Phrasings {
			terms = append(terms, x.an.Terms(p)...)
		}
		terms = append(terms, x.an.Terms(d.Title)...)
		if len(terms) == 0 {
			continue
		}
		for _, t := range terms {
			if !in[t] {
				weights[t] += 1 / float64(len(terms)) / float64(rank+1)
			}
		}
	}
	exp := make([]qterm, 0, len(weights))
	for t, w := range weights {
		exp = append(exp, qterm{term: t, weight: w})
	}
	slices.SortFunc(exp, func(a, b qterm) int {
		return cmp.Or(cmp.Compare(b.weight, a.weight), strings.Compare(a.term, b.term))
	})
	if len(exp) > x.p.FeedbackTerms {
		exp = exp[:x.p.FeedbackTerms]
	}
	var sum float64
	for _, t := range exp {
		sum += t.weight
	}
	for i := range exp {
		exp[i].weight = x.p.Feedback * exp[i].weight / sum
	}
	return exp
}

func (x *Index) topSlots(s *scratch, k int) []int32 {
	h := make([]int32, 0, k+1)
	better := func(a, b int32) bool {
		if s.score[a] != s.score[b] {
			return s.score[a] > s.score[b]
		}
		return a < b
	}
	for _, slot := range s.hit {
		if len(h) == k && !better(slot, h[k-1]) {
			continue
		}
		i, _ := slices.BinarySearchFunc(h, slot, func(e, t int32) int {
			if better(e, t) {
				return -1
			}
			return 1
		})
		h = slices.Insert(h, i, slot)
		if len(h) > k {
			h = h[:k]
		}
	}
	return h
}

// rerankDepth is how many of the best hits Coverage reranks; the others
// follow in BM25 order.
const rerankDepth = 30

// rerank returns the top k hits after adding question coverage to the
// normalised BM25 score of the best rerankDepth.
func (x *Index) rerank(s *scratch, k int, total float64) []Hit {
	slots := x.topSlots(s, max(k, rerankDepth))
	if len(slots) == 0 {
		return nil
	}
	best := s.score[slots[0]]
	type scored struct {
		slot  int32
		score float64
	}
	rs := make([]scored, len(slots))
	for i, slot := range slots {
		if i >= rerankDepth {
			rs[i] = scored{slot, s.score[slot] / best}
			continue
		}
		e := x.docs[slot]
		var have float64
		for _, t := range e.quest {
			if j := slices.Index(s.qids, t); j >= 0 {
				have += s.qidf[j]
			}
		}
		cov := 0.0
		if e.questW > 0 {
			cov = min(1, have/e.questW)
		}
		rs[i] = scored{slot, s.score[slot]/best + x.p.Coverage*cov}
	}
	head := rs[:min(rerankDepth, len(rs))]
	slices.SortStableFunc(head, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	hits := make([]Hit, min(k+1, len(rs)))
	for i := range hits {
		hits[i] = x.hit(s, rs[i].slot, total)
		hits[i].Score = rs[i].score
	}
	return x.margins(hits, k)
}

// margins caps the top hit's Confidence by its lead over the runner-up
// (Params.Margin times the relative score gap) and cuts hits to k. A top
// hit that barely beats the runner-up is not a confident answer: the
// caller should ask which one the user meant.
func (x *Index) margins(hits []Hit, k int) []Hit {
	if x.p.Margin > 0 && len(hits) > 0 && hits[0].Score > 0 {
		// The runner-up is the next hit that matches content: one
		// that matches only stop words or words that ask for an
		// amount is no alternative answer.
		next := 0.0
		if i := slices.IndexFunc(hits[1:], func(h Hit) bool { return h.Confidence > 0 }); i >= 0 {
			next = hits[1+i].Score
		}
		hits[0].Confidence = min(hits[0].Confidence, x.p.Margin*(hits[0].Score-next)/hits[0].Score)
	}
	return hits[:min(k, len(hits))]
}

func (x *Index) hit(s *scratch, slot int32, total float64) Hit {
	c := 0.0
	if total > 0 && s.content[slot] {
		c = min(1, s.cover[slot]/total)
	}
	return Hit{Doc: x.docs[slot].doc, Score: s.score[slot], Confidence: c}
}

func (x *Index) top(s *scratch, k int, total float64) []Hit {
	slots := x.topSlots(s, k+1)
	hits := make([]Hit, len(slots))
	for i, slot := range slots {
		hits[i] = x.hit(s, slot, total)
	}
	return x.margins(hits, k)
}
