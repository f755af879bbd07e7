package kbeval

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCeiling(t *testing.T) {
	tests := []struct {
		name            string
		queries         []Query
		qrels           Qrels
		want            float64
		wantConflicting int
	}{
		{
			name:    "distinct texts can all be perfect",
			queries: []Query{{ID: "q1", Text: "a"}, {ID: "q2", Text: "b"}},
			qrels:   Qrels{"q1": {"d1": 1}, "q2": {"d2": 1}},
			want:    1,
		},
		{
			name:    "identical texts with the same judgement",
			queries: []Query{{ID: "q1", Text: "a"}, {ID: "q2", Text: "a"}},
			qrels:   Qrels{"q1": {"d1": 1}, "q2": {"d1": 1}},
			want:    1,
		},
		{
			// Three copies: two want d1, one wants d2. Best: d1 then d2,
			// APs 1, 1, 1/2.
			name:            "identical texts judged differently",
			queries:         []Query{{ID: "q1", Text: "a"}, {ID: "q2", Text: "a"}, {ID: "q3", Text: "a"}},
			qrels:           Qrels{"q1": {"d1": 1}, "q2": {"d1": 1}, "q3": {"d2": 1}},
			want:            (1 + 1 + 0.5) / 3,
			wantConflicting: 3,
		},
		{
			// q1 wants d1 and d2, q2 wants d3. Order d1 d2 d3: q1 AP 1,
			// q2 AP 1/3 -> 4/3. Order d3 d1 d2: q1 (1/2 + 2/3)/2 = 7/12,
			// q2 1 -> 19/12 = 1.583, the best.
			name:            "several relevant documents",
			queries:         []Query{{ID: "q1", Text: "a"}, {ID: "q2", Text: "a"}},
			qrels:           Qrels{"q1": {"d1": 1, "d2": 1}, "q2": {"d3": 1}},
			want:            19.0 / 12 / 2,
			wantConflicting: 2,
		},
		{
			name:    "unjudged queries are skipped",
			queries: []Query{{ID: "q1", Text: "a"}, {ID: "q9", Text: "a"}},
			qrels:   Qrels{"q1": {"d1": 1}},
			want:    1,
		},
		{
			name: "nothing judged",
			want: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, conflicting := Ceiling(tt.queries, tt.qrels)
			assert.InDelta(t, tt.want, got, 1e-12)
			assert.Equal(t, tt.wantConflicting, conflicting)
		})
	}
}

func TestCeilingLargeGroupIsGreedy(t *testing.T) {
	// Nine copies of one text, each relevant to its own document: no
	// order of nine documents is tried exhaustively; greedy still gives
	// the optimum here (every order gives the same sum).
	var qs []Query
	qrels := Qrels{}
	want := 0.0
	for i := range 9 {
		id := string(rune('a' + i))
		qs = append(qs, Query{ID: id, Text: "same"})
		qrels[id] = map[string]int{"d" + id: 1}
		want += 1 / float64(i+1)
	}
	got, conflicting := Ceiling(qs, qrels)
	assert.InDelta(t, want/9, got, 1e-12)
	assert.Equal(t, 9, conflicting)
}
