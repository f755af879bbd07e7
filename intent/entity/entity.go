package entity

import (
	"context"
	"slices"
	"time"

	"github.com/parleyhq/parley/nlu"
)

// Input is the text to search with what relative values are resolved
// against.
type Input struct {
	// Text to search.
	Text string
	// Time is "now" for relative dates (the turn's time).
	Time time.Time
	// Location is the customer's time zone; nil means UTC.
	Location *time.Location
	// Locale is a BCP 47 tag; extractors use it to pick word lists.
	Locale string
}

func (in Input) now() time.Time {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	t := in.Time
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.In(loc)
}

// An Extractor finds entities in text. Extract must be safe for
// concurrent use and returns entities with byte offsets into in.Text. It
// returns an error only when it cannot run (ctx done, a remote service
// failing); text without entities gives none.
type Extractor interface {
	Extract(ctx context.Context, in Input) ([]nlu.Entity, error)
}

// ExtractorFunc adapts a function to an [Extractor].
type ExtractorFunc func(ctx context.Context, in Input) ([]nlu.Entity, error)

// Extract calls f(ctx, in).
func (f ExtractorFunc) Extract(ctx context.Context, in Input) ([]nlu.Entity, error) {
	return f(ctx, in)
}

// Extract runs every extractor over in and returns the entities in order
// of appearance. Where two overlap, the longer span wins, then the
// earlier extractor.
func Extract(ctx context.Context, in Input, xs ...Extractor) ([]nlu.Entity, error) {
	var all []nlu.Entity
	var rank []int
	for i, x := range xs {
		es, err := x.Extract(ctx, in)
		if err != nil {
			return nil, err
		}
		for range es {
			rank = append(rank, i)
		}
		all = append(all, es...)
	}
	idx := make([]int, len(all))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		la, lb := all[a].End-all[a].Start, all[b].End-all[b].Start
		if la != lb {
			return lb - la
		}
		return rank[a] - rank[b]
	})
	var kept []nlu.Entity
	for _, i := range idx {
		e := all[i]
		overlap := false
		for _, k := range kept {
			if e.Start < k.End && k.Start < e.End {
				overlap = true
				break
			}
		}
		if !overlap {
			kept = append(kept, e)
		}
	}
	slices.SortStableFunc(kept, func(a, b nlu.Entity) int { return a.Start - b.Start })
	return kept, nil
}
