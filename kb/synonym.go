package kb

import (
	"slices"
	"strconv"
)

// WithSynonyms declares groups of words and phrases that mean the same to
// the business ("refund", "return", "money back"; "cost", "price", "how
// much"). Each group is one concept: a passage that contains any member
// matches a query that contains any other, and for [Hit.Confidence] the
// concept counts as matched whichever member the passage used. The exact
// word still ranks first: it matches as itself too. Members are analysed
// like any text (so "refunds" finds "refund" and "devolución"
// "devolucion"); a member may be a phrase, matched as consecutive words,
// stop words included. A word may belong to several groups.
//
// Synonyms apply to passages as they are added, so an index keeps the
// ones it was made with; [Index.ReadFrom] re-indexes the loaded passages
// with them.
func WithSynonyms(groups ...[]string) IndexOption {
	return func(x *Index) {
		for _, g := range groups {
			x.synGroups = append(x.synGroups, slices.Clone(g))
		}
	}
}

// synonyms are analysed synonym groups: each member's terms, keyed by the
// first of them.
type synonyms map[string][]synMember

type synMember struct {
	terms   []string
	concept string
}

// conceptPrefix starts the index term of a synonym group; no word, bigram
// or prefix term starts with it.
const conceptPrefix = "\x02"

// analyseSynonyms analyses groups with a.
func analyseSynonyms(a *Analyzer, groups [][]string) synonyms {
	if len(groups) == 0 {
		return nil
	}
	s := synonyms{}
	var toks []Token
	for i, g := range groups {
		concept := conceptPrefix + strconv.Itoa(i)
		for _, m := range g {
			toks = a.Tokens(m, toks[:0])
			if len(toks) == 0 {
				continue
			}
			terms := make([]string, len(toks))
			for j, t := range toks {
				terms[j] = t.Term
			}
			first := terms[0]
			if slices.ContainsFunc(s[first], func(o synMember) bool {
				return o.concept == concept && slices.Equal(o.terms, terms)
			}) {
				continue
			}
			s[first] = append(s[first], synMember{terms: terms, concept: concept})
		}
	}
	return s
}

// find calls fn with the concept and token span (start, length) of each
// member in toks. A concept is found at most once per span: overlapping
// members of one group ("how much", "much") count once.
func (s synonyms) find(toks []Token, fn func(concept string, i, n int)) {
	if len(s) == 0 {
		return
	}
	var end map[string]int
	for i, t := range toks {
		ms := s[t.Term]
		for _, m := range ms {
			n := len(m.terms)
			if i+n > len(toks) || !spanIs(toks[i:i+n], m.terms) {
				continue
			}
			if end == nil {
				end = map[string]int{}
			}
			if e, ok := end[m.concept]; ok && i < e {
				continue
			}
			end[m.concept] = i + n
			fn(m.concept, i, n)
		}
	}
}

func spanIs(toks []Token, terms []string) bool {
	for i, t := range terms {
		if toks[i].Term != t {
			return false
		}
	}
	return true
}
