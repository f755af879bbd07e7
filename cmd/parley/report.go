package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/report"
	"github.com/parleyhq/parley/analytics/sink"
)

// runReport renders the analytics views of JSON Lines event logs as one
// HTML file.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the HTML `file` (default standard output)")
	title := fs.String("title", "", "page title")
	at := fs.String("now", "", "render the views as of this RFC 3339 `time` (default: the last event's time)")
	biz := fs.String("business", "", "a JSON `file` of business figures (costs, roi, launch, churn_before, churn_after)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: parley report [flags] events.jsonl...\n\nRenders the real-time, weekly, monthly and quarterly views of analytics event\nlogs (analytics/sink.JSONL) as one HTML file. Malformed lines are reported with\ntheir line number and skipped.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("report: no event log given")
	}
	var b report.Business
	if *biz != "" {
		data, err := os.ReadFile(*biz)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if err := json.Unmarshal(data, &b); err != nil {
			return fmt.Errorf("report: %s: %w", *biz, err)
		}
	}
	agg := analytics.NewAggregator()
	var last time.Time
	skipped := 0
	for _, name := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		for e, err := range sink.ReadJSONL(f) {
			var le *sink.LineError
			if errors.As(err, &le) {
				fmt.Fprintf(stderr, "%s:%d: skipped: %v\n", name, le.Line, le.Err)
				skipped++
				continue
			}
			if err != nil {
				f.Close()
				return fmt.Errorf("report: %s: %w", name, err)
			}
			agg.Add(e)
			if e.Time.After(last) {
				last = e.Time
			}
		}
		f.Close()
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
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		defer f.Close()
		w = f
	}
	if err := report.HTML(w, report.Build(agg, now, b), page); err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && *out != "" {
		if err := f.Close(); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	st := agg.Stats()
	fmt.Fprintf(stderr, "%d conversations, %d events, %d duplicates, %d malformed lines skipped\n", st.Conversations, st.Events, st.Duplicates, skipped)
	return nil
}
