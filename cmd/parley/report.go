package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/report"
)

// runReport renders the analytics views of JSON Lines event logs as one
// HTML file.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", "usage: parley report [flags] events.jsonl...\n\nRenders the real-time, weekly, monthly and quarterly views of analytics event\nlogs (analytics/sink.JSONL) as one HTML file. Malformed lines are reported with\ntheir line number and skipped.", stderr)
	out := fs.String("o", "", "write the HTML `file` (default standard output)")
	title := fs.String("title", "", "page title")
	at := fs.String("now", "", "render the views as of this RFC 3339 `time` (default: the last event's time)")
	biz := fs.String("business", "", "a JSON `file` of business figures (costs, roi, launch, churn_before, churn_after)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError(fs, "report: no event log given")
	}
	var b report.Business
	if *biz != "" {
		if err := readFile("report", *biz, func(r io.Reader) error { return json.NewDecoder(r).Decode(&b) }); err != nil {
			return err
		}
	}
	agg := analytics.NewAggregator()
	var last time.Time
	skipped, err := readEvents(ctx, "report", fs.Args(), stderr, func(e analytics.Event) {
		agg.Add(e)
		if e.Time.After(last) {
			last = e.Time
		}
	})
	if err != nil {
		return err
	}
	now := last
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return fmt.Errorf("report: -now: %w", err)
		}
		now = t
	}
	if now.IsZero() {
		now = time.Now()
	}
	page := report.Page{Title: *title}
	if skipped > 0 {
		page.Notes = append(page.Notes, fmt.Sprintf("%d malformed log lines skipped", skipped))
	}
	render := func(w io.Writer) error { return report.HTML(w, report.Build(agg, now, b), page) }
	if *out == "" {
		err = render(stdout)
	} else {
		err = createFile("report", *out, render)
	}
	if err != nil {
		return err
	}
	st := agg.Stats()
	fmt.Fprintf(stderr, "%d conversations, %d events, %d duplicates, %d malformed lines skipped\n", st.Conversations, st.Events, st.Duplicates, skipped)
	return nil
}
