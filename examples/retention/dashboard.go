package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/report"
	"github.com/parleyhq/parley/analytics/roi"
	"github.com/parleyhq/parley/analytics/sink"
)

// The owner's side: analytics at /dashboard/, behind the staff sign-in.
// Every event of the bot goes through an analytics.Recorder (the Bot's
// observer) to an in-memory Aggregator; the dashboard renders its four
// views (real time, this week, this month, this quarter) with the
// weekly top 10 unresolved intents and sentiment trend, and exports the
// conversation records as CSV and the views as JSON.

// dashboard holds the example's analytics.
type dashboard struct {
	agg *analytics.Aggregator
	rec *analytics.Recorder
	log *os.File // the -analytics-log file, or nil
	biz report.Business
}

// newDashboard returns the analytics the app records into. With a log
// file, the events in it are loaded first (malformed lines are reported
// and skipped) and new ones are appended to it. The business figures are
// ShopCo's made-up ones, for the monthly and quarterly views.
func newDashboard(logPath string) (*dashboard, error) {
	agg := analytics.NewAggregator()
	opts := []analytics.Option{
		analytics.WithErrorHandler(func(err error) { fmt.Fprintln(os.Stderr, "retention: analytics:", err) })}
	var log *os.File
	if logPath != "" {
		f, err := os.OpenFile(logPath, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("analytics log: %w", err)
		}
		for e, err := range sink.ReadJSONL(f) {
			var le *sink.LineError
			if errors.As(err, &le) {
				fmt.Fprintf(os.Stderr, "retention: %s:%d: skipped: %v\n", logPath, le.Line, le.Err)
				continue
			}
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("analytics log: %w", err)
			}
			agg.Add(e)
		}
		log = f
		opts = append(opts, analytics.WithSink(sink.NewJSONL(f)))
	}
	return &dashboard{agg: agg, rec: analytics.NewRecorder(agg, opts...), log: log,
		biz: report.Business{
			Costs: roi.Costs{InputPerMillion: 3, OutputPerMillion: 15, AgentPerHour: 30, Fixed: 500},
			ROI: roi.Inputs{OldMonthlySupportCost: 42000, NewMonthlySupportCost: 31000, CLVIncrease: 85,
				RetainedCustomers: 260, RecoveredCartValue: 18500, BotCost: 36000},
			ChurnBefore: 0.046, ChurnAfter: 0.038, Currency: "$",
		}}, nil
}

// close writes what the recorder still holds and closes the log.
func (d *dashboard) close(ctx context.Context) error {
	err := d.rec.Close(ctx)
	if d.log != nil {
		err = errors.Join(err, d.log.Close())
	}
	return err
}

// dashboardCSP allows the page's own stylesheet and nothing else: the
// charts are inline SVG, drawn on the server.
const dashboardCSP = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// routes adds the dashboard's pages to mux, behind staffOnly.
func (d *dashboard) routes(mux *http.ServeMux, staffOnly func(http.Handler) http.Handler) {
	views := func() report.Views { return report.Build(d.agg, time.Now(), d.biz) }
	mux.Handle("GET /dashboard/{$}", staffOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", dashboardCSP)
		w.Header().Set("Cache-Control", "no-store")
		err := report.HTML(w, views(), report.Page{Title: "ShopCo support analytics", StylesheetURL: "/dashboard/report.css",
			Links: []report.Link{{Text: "Conversations (CSV)", URL: "/dashboard/export.csv"}, {Text: "Views (JSON)", URL: "/dashboard/export.json"}}})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})))
	mux.Handle("GET /dashboard/report.css", staffOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		fmt.Fprint(w, report.CSS)
	})))
	mux.Handle("GET /dashboard/export.csv", staffOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="conversations.csv"`)
		if err := report.WriteCSV(w, d.agg.Records(analytics.Window{})); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})))
	mux.Handle("GET /dashboard/export.json", staffOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="analytics.json"`)
		if err := json.NewEncoder(w).Encode(views()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})))
}
