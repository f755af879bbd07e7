package kbeval

import (
	"cmp"
	"slices"
)

// maxCeilingPerm bounds the documents whose every order Ceiling tries for
// one group of identical queries (7! = 5,040 orders); larger groups are
// ordered greedily.
const maxCeilingPerm = 7

// Ceiling returns the best MAP that any retriever answering the same query
// text with the same ranking can reach on queries and qrels, and how many
// judged queries share their exact text with a differently judged one.
//
// Some collections judge one text several times with different relevant
// documents (CovidFAQ has "what is a coronavirus" five times, relevant to
// three different entries). A deterministic ranker gives all copies one
// ranking, so at most one relevant document can be first: the ceiling is
// below 1. For each group of identical texts, Ceiling finds the order of
// the group's relevant documents that maximises the summed average
// precision (exactly for groups of up to 7 documents, greedily by summed
// 1/|relevant| for larger ones), so the figure is exact for all but very
// large groups, where it is a lower bound of the true ceiling.
func Ceiling(queries []Query, qrels Qrels) (ceiling float64, conflicting int) {
	groups := map[string][]map[string]int{}
	var texts []string
	for _, q := range queries {
		rel := qrels[q.ID]
		if len(rel) == 0 {
			continue
		}
		if _, ok := groups[q.Text]; !ok {
			texts = append(texts, q.Text)
		}
		groups[q.Text] = append(groups[q.Text], rel)
	}
	var sum float64
	n := 0
	for _, t := range texts {
		g := groups[t]
		n += len(g)
		weight := map[string]float64{}
		for _, rel := range g {
			for id := range rel {
				weight[id] += 1 / float64(len(rel))
			}
		}
		docs := make([]string, 0, len(weight))
		for id := range weight {
			docs = append(docs, id)
		}
		slices.SortFunc(docs, func(a, b string) int {
			return cmp.Or(cmp.Compare(weight[b], weight[a]), cmp.Compare(a, b))
		})
		if len(g) > 1 && !sameJudgements(g) {
			conflicting += len(g)
		}
		best := groupAP(g, docs)
		if len(docs) <= maxCeilingPerm {
			permute(docs, 0, func(order []string) {
				best = max(best, groupAP(g, order))
			})
		}
		sum += best
	}
	if n == 0 {
		return 0, 0
	}
	return sum / float64(n), conflicting
}

func sameJudgements(g []map[string]int) bool {
	for _, rel := range g[1:] {
		if len(rel) != len(g[0]) {
			return false
		}
		for id := range rel {
			if _, ok := g[0][id]; !ok {
				return false
			}
		}
	}
	return true
}

// groupAP sums the average precision of each judgement set in g for the
// ranking order.
func groupAP(g []map[string]int, order []string) float64 {
	var sum float64
	for _, rel := range g {
		var found, ap float64
		for i, id := range order {
			if _, ok := rel[id]; ok {
				found++
				ap += found / float64(i+1)
			}
		}
		sum += ap / float64(len(rel))
	}
	return sum
}

// permute calls fn with every order of s[k:] after s[:k] (Heap's
// algorithm would do too; this is the plain recursive swap).
func permute(s []string, k int, fn func([]string)) {
	if k == len(s) {
		fn(s)
		return
	}
	for i := k; i < len(s); i++ {
		s[k], s[i] = s[i], s[k]
		permute(s, k+1, fn)
		s[k], s[i] = s[i], s[k]
	}
}
