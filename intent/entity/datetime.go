package entity

import (
	"context"
	"time"

	"github.com/parleyhq/parley/internal/parse"
	"github.com/parleyhq/parley/nlu"
)

// DateTime finds a time of day with its day, English and Spanish: "next
// Friday at 2pm", "tomorrow morning", "in an hour", "at 3am tonight",
// "mañana a las 3 de la tarde", "el viernes por la mañana", resolved
// against [Input.Time] in [Input.Location]. Its entity has type
// "datetime" and one of three values, in RFC 3339 in that location:
//
//   - a time: "2026-12-11T14:00:00-05:00";
//   - a part of the day, from its start to its end:
//     "2026-12-11T08:00:00-05:00/2026-12-11T12:00:00-05:00";
//   - a 12-hour time said without am or pm ("at 2", "a las 3"), Role
//     "ampm": the morning and the afternoon readings, "|" between them.
//
// A time without a day is the next one to come; one in the past (said
// with "yesterday") is kept, for the caller to refuse. A day alone is a
// "date" ([Date]). DateTime is not among [Builtins]: add it where a time
// of day is asked for, such as a call-back.
func DateTime() Extractor {
	return ExtractorFunc(func(_ context.Context, in Input) ([]nlu.Entity, error) {
		m, ok := parse.FindMoment(in.Text, in.now())
		if !ok {
			return nil, nil
		}
		e := nlu.Entity{Type: "datetime", Text: in.Text[m.Start:m.End], Start: m.Start, End: m.End, Value: m.At.Format(time.RFC3339), Confidence: 1}
		switch {
		case m.Ambiguous():
			e.Value, e.Role = e.Value+"|"+m.PM.Format(time.RFC3339), "ampm"
		case !m.Until.IsZero():
			e.Value += "/" + m.Until.Format(time.RFC3339)
		}
		return []nlu.Entity{e}, nil
	})
}
