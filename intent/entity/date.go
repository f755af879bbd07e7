package entity

import (
	"context"

	"github.com/parleyhq/parley/internal/parse"
	"github.com/parleyhq/parley/nlu"
)

// Date finds dates and date ranges, English and Spanish: "today",
// "tomorrow", "mañana", weekdays ("next Friday", "el viernes"), "in 3
// days", "in thirteen days", "2 weeks ago", "hace 3 días", periods ("last
// week", "next month", "la semana pasada" as ranges Monday to Sunday or a
// calendar month), ISO dates, "May 3", "3 de mayo", US-style "5/3/2025",
// and ranges "from May 1 to May 5". Relative dates resolve against
// [Input.Time] in [Input.Location]. Dates have type "date" and value
// 2006-01-02; ranges have type "daterange" and value
// 2006-01-02/2006-01-08 (inclusive). The flow package's date slots read
// dates with the same parser.
func Date() Extractor {
	return ExtractorFunc(func(ctx context.Context, in Input) ([]nlu.Entity, error) {
		var out []nlu.Entity
		for _, d := range parse.Dates(in.Text, in.now()) {
			typ := "date"
			if d.Range {
				typ = "daterange"
			}
			out = append(out, nlu.Entity{Type: typ, Text: in.Text[d.Start:d.End], Start: d.Start, End: d.End, Value: d.Value(), Confidence: 1})
		}
		return out, nil
	})
}
