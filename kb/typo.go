package kb

import (
	"unicode"
	"unicode/utf8"
)

// minTypoLen is the shortest term that typo tolerance applies to: short
// words have too many neighbours.
const minTypoLen = 4

// maxTypoLen is the longest term (in bytes) that typo tolerance applies
// to: longer ones are not words, and their deletions would cost memory.
const maxTypoLen = 40

// typoable reports whether typo tolerance applies to term t: a word of
// at least minTypoLen runes and at most maxTypoLen bytes, with no digit
// (order numbers, years and prices are exact or nothing: "2024" is not a
// typo of "2023"), and not a bigram, prefix or synonym term.
func typoable(t string) bool {
	if len(t) > maxTypoLen || utf8.RuneCountInString(t) < minTypoLen {
		return false
	}
	for _, r := range t {
		if unicode.IsDigit(r) || r == ' ' || r < 0x20 {
			return false
		}
	}
	return true
}

// deletions returns the strings made by deleting one rune of t.
func deletions(t string) []string {
	r := []rune(t)
	out := make([]string, 0, len(r))
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

// surfaces are the indexed words whose stem differs from them, with
// their deletions, so that a misspelt word is also compared with the
// words the index saw and not only with their stems.
type surfaces struct {
	ids     map[string]int32 // word -> surface ID
	words   []string         // surface ID -> word
	term    []int32          // surface ID -> term ID of its stem
	deletes map[string][]int32
}

// add records word w, whose stem has term ID id, if it is new.
func (s *surfaces) add(w string, id int32) {
	if _, ok := s.ids[w]; ok {
		return
	}
	sid := int32(len(s.words))
	s.ids[w] = sid
	s.words = append(s.words, w)
	s.term = append(s.term, id)
	for _, d := range deletions(w) {
		s.deletes[d] = append(s.deletes[d], sid)
	}
}

// fuzzy finds the indexed term nearest to term t, the stem of the query
// word w ("" if t is not a word's term): a term at edit distance 1 from t
// (optimal string alignment, so a swap of two adjacent letters is one
// edit), or 2 for terms of 8 runes or more, or the stem of an indexed word
// that near w ("shippng" finds "shipping", so its stem "ship"); the
// nearest wins, then the most frequent. Never for terms or words that are
// not typoable. x.mu is held.
func (x *Index) fuzzy(t, w string) (int32, bool) {
	best, bestDist, bestDF := int32(-1), 3, -1
	consider := func(r []rune, maxDist int, id int32, word string) {
		df := len(x.post[id])
		if df == 0 {
			return
		}
		d := editDistance(r, []rune(word), maxDist)
		if d <= maxDist && (d < bestDist || (d == bestDist && df > bestDF)) {
			best, bestDist, bestDF = id, d, df
		}
	}
	if typoable(t) {
		r := []rune(t)
		maxDist := typoDist(r)
		near(t, x.terms, x.deletes, func(id int32) { consider(r, maxDist, id, x.words[id]) })
	}
	if w != "" && typoable(w) && len(x.surf.words) > 0 {
		r := []rune(w)
		maxDist := typoDist(r)
		near(w, x.surf.ids, x.surf.deletes, func(sid int32) {
			consider(r, maxDist, x.surf.term[sid], x.surf.words[sid])
		})
	}
	return best, best >= 0
}

// typoDist is the edit distance allowed for a misspelling of word r.
func typoDist(r []rune) int {
	if len(r) >= 8 {
		return 2
	}
	return 1
}

// near calls f with the ID of each word in ids that may be within edit
// distance 1 of t (and some at distance 2), given deletes, the words'
// single-rune deletions.
func near(t string, ids map[string]int32, deletes map[string][]int32, f func(int32)) {
	for _, d := range deletions(t) {
		// Insertion in t: t with one rune deleted is a word.
		if id, ok := ids[d]; ok {
			f(id)
		}
		// Substitution or transposition: both share a deletion.
		for _, id := range deletes[d] {
			f(id)
		}
	}
	// Deletion in t: t is a word with one rune deleted.
	for _, id := range deletes[t] {
		f(id)
	}
}

// editDistance returns the optimal string alignment distance between a
// and b, or max+1 if it exceeds max.
func editDistance(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
