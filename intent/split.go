package intent

import (
	"strings"
)

// A Segment is a clause of a message, with its byte offsets.
type Segment struct {
	Text       string
	Start, End int
}

// splitMarkers separate requests within one message, longest first so
// that ", and also" wins over " and ". They are matched case-insensitively
// on word boundaries.
var splitMarkers = []string{
	", and also ", " and also ", ", and i also ", " and i also ", " and i'd also ", " and i would also ",
	", and then ", " and then ", ", also ", "; ", ". also ",
	". ", "? ", "! ", ", and ", " as well as ", " plus ",
	", y también ", " y también ", " y además ", ", además ", ", y ",
}

// Split cuts a message into clauses at conjunctions and sentence ends
// ("return this shirt, and also check if you have it in red"). Clauses of
// fewer than three words are merged into their neighbour, so "black and
// white" stays whole. Markers are English and Spanish.
func Split(text string) []Segment {
	lower := strings.ToLower(text)
	var cuts [][2]int // [start of marker, end of marker]
	for i := 0; i < len(lower); {
		hit := false
		for _, m := range splitMarkers {
			if strings.HasPrefix(lower[i:], m) {
				cuts = append(cuts, [2]int{i, i + len(m)})
				i += len(m)
				hit = true
				break
			}
		}
		if !hit {
			i++
		}
	}
	var segs []Segment
	start := 0
	for _, c := range cuts {
		segs = append(segs, Segment{Start: start, End: c[0]})
		start = c[1]
	}
	segs = append(segs, Segment{Start: start, End: len(text)})
	// Merge short clauses into the previous one (or the next, at the start).
	var out []Segment
	for _, s := range segs {
		if len(strings.Fields(text[s.Start:s.End])) < 3 && len(out) > 0 {
			out[len(out)-1].End = s.End
			continue
		}
		if len(out) == 1 && len(strings.Fields(text[out[0].Start:out[0].End])) < 3 {
			out[0].End = s.End
			continue
		}
		out = append(out, s)
	}
	for i := range out {
		raw := text[out[i].Start:out[i].End]
		trimmed := strings.TrimSpace(raw)
		out[i].Start += strings.Index(raw, trimmed)
		out[i].End = out[i].Start + len(trimmed)
		out[i].Text = trimmed
	}
	return out
}
