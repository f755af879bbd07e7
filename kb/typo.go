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

// fuzzy finds the indexed term nearest to t: at edit distance 1 (optimal
// string alignment, so a swap of two adjacent letters is one edit), or 2
// for terms of 8 runes or more, preferring the most frequent; never for
// terms that are not typoable. x.mu is held.
func (x *Index) fuzzy(t string) (int32, bool) {
	if !typoable(t) {
		return 0, false
	}
	r := []rune(t)
	maxDist := 1
	if len(r) >= 8 {
		maxDist = 2
	}
	best, bestDist, bestDF := int32(-1), maxDist+1, -1
	consider := func(id int32) {
		df := len(x.post[id])
		if df == 0 {
			return
		}
		d := editDistance(r, []rune(x.words[id]), maxDist)
		if d < bestDist || (d == bestDist && df > bestDF) {
			best, bestDist, bestDF = id, d, df
		}
	}
	// Insertion in t: t with one rune deleted is a term.
	for _, d := range deletions(t) {
		if id, ok := x.terms[d]; ok {
			consider(id)
		}
		// Substitution or transposition: both share a deletion.
		for _, id := range x.deletes[d] {
			consider(id)
		}
	}
	// Deletion in t: t is a term with one rune deleted.
	for _, id := range x.deletes[t] {
		consider(id)
	}
	return best, best >= 0 && bestDist <= maxDist
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
