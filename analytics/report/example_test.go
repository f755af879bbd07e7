package report_test

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/report"
	"github.com/parleyhq/parley/flow"
)

func ExampleHTML() {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	agg := analytics.NewAggregator()
	for i, status := range []string{"resolved", "resolved", "resolved", "unresolved"} {
		conv := fmt.Sprint("c", i)
		agg.Add(analytics.Event{Kind: parley.EventTurn, Conversation: conv, Time: now.Add(-time.Hour), Duration: time.Second})
		agg.Add(analytics.Event{Kind: flow.EventEnd, Conversation: conv, Time: now.Add(-time.Hour), Attrs: map[string]string{"flow": "f", "status": status}})
	}
	v := report.Build(agg, now, report.Business{})
	var page bytes.Buffer
	if err := report.HTML(&page, v, report.Page{Title: "Acme support"}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Count(page.String(), "<svg"), "charts")
	for _, s := range report.Sections(v, report.DefaultTargets()) {
		for _, c := range s.Cards {
			if c.Key == "weekly.self_service" {
				// Four conversations are shown, not judged.
				fmt.Println(c.Label, c.Value, "target", c.Target, c.Status, "("+c.Note+")")
			}
		}
	}
	// Output:
	// 7 charts
	// Self-service resolution 75.0% target 60.0%–80.0%  (only 4 conversations: too few to judge)
}
