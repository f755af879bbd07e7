package entity

import (
	"context"
	"strings"

	"github.com/parleyhq/parley/internal/textdist"
	"github.com/parleyhq/parley/nlu"

	"golang.org/x/text/cases"
)

// Lookup returns an extractor for a closed list of values of type typ
// ("city", "color"): values maps each canonical name to its synonyms
// (the canonical name itself always matches). Matching is case-insensitive
// on word boundaries and tolerates typos: a word of 4 to 7 letters may be
// one edit away, longer words two (Damerau-Levenshtein). Fuzzy matches get
// a confidence below 1. The value is the canonical name. Any language
// written with spaces between words.
func Lookup(typ string, values map[string][]string) Extractor {
	type phrase struct {
		words     []string
		canonical string
	}
	var phrases []phrase
	fold := cases.Fold()
	for canon, syns := range values {
		for _, s := range append([]string{canon}, syns...) {
			ws := strings.Fields(fold.String(s))
			if len(ws) > 0 {
				phrases = append(phrases, phrase{ws, canon})
			}
		}
	}
	return ExtractorFunc(func(ctx context.Context, in Input) ([]nlu.Entity, error) {
		ws := words(in.Text)
		lw := make([]string, len(ws))
		for i, w := range ws {
			lw[i] = fold.String(w.text)
		}
		var out []nlu.Entity
		for i := range ws {
			var best *nlu.Entity
			for _, p := range phrases {
				if i+len(p.words) > len(ws) {
					continue
				}
				edits := 0
				ok := true
				for k, pw := range p.words {
					d := distance(lw[i+k], pw, allowed(pw))
					if d > allowed(pw) {
						ok = false
						break
					}
					edits += d
				}
				if !ok {
					continue
				}
				e := nlu.Entity{Type: typ, Start: ws[i].start, End: ws[i+len(p.words)-1].end, Value: p.canonical,
					Confidence: 1 / (1 + 0.25*float64(edits))}
				e.Text = in.Text[e.Start:e.End]
				if best == nil || e.End-e.Start > best.End-best.Start || (e.End-e.Start == best.End-best.Start && e.Confidence > best.Confidence) ||
					(e.End-e.Start == best.End-best.Start && e.Confidence == best.Confidence && e.Value < best.Value) {
					best = &e
				}
			}
			if best != nil {
				out = append(out, *best)
			}
		}
		return out, nil
	})
}

func allowed(w string) int {
	n := len([]rune(w))
	switch {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}

// distance returns the optimal string alignment distance of a and b, or
// limit+1 once it exceeds limit.
func distance(a, b string, limit int) int { return textdist.OSA(a, b, limit) }
