package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/report"
	"github.com/parleyhq/parley/analytics/roi"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/sentiment"
)

// evalPage evaluates a page-level expression.
func evalPage[T any](expr string, out *T) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		v, err := chromedp.Evaluate[T](expr)(ctx, tg)
		*out = v
		return err
	})
}

// dashboardServer serves views at /dashboard/ as the retention example
// does: when page links the stylesheet, the page is under a strict
// Content-Security-Policy and the stylesheet is served where page says.
func dashboardServer(t *testing.T, views report.Views, page report.Page) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dashboard/{$}", func(w http.ResponseWriter, r *http.Request) {
		if page.StylesheetURL != "" {
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'")
		}
		if err := report.HTML(w, views, page); err != nil {
			t.Error(err)
		}
	})
	if page.StylesheetURL != "" {
		mux.HandleFunc("GET "+page.StylesheetURL, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
			if _, err := w.Write([]byte(report.CSS)); err != nil {
				t.Error(err)
			}
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestDashboardCharts serves the analytics views as the retention
// example's /dashboard/ does (report.HTML, the stylesheet linked under a
// strict Content-Security-Policy) and checks in Chromium that every
// chart is drawn, with as many points as it has data, and that the
// figures shown are the aggregator's.
func TestDashboardCharts(t *testing.T) {
	ctx := browser(t)
	now := time.Now()
	agg := analytics.NewAggregator()
	for i := range 60 {
		conv := "c" + strconv.Itoa(i)
		at := now.Add(-time.Duration(i) * 97 * time.Minute)
		status := []string{"resolved", "resolved", "unresolved", "escalated", "abandoned"}[i%5]
		for _, e := range []analytics.Event{
			{Kind: parley.EventTurn, Duration: time.Duration(300+i*37) * time.Millisecond},
			{Kind: intent.EventClassified, Attrs: map[string]string{"intent": []string{"refund", "track_order", "cancel"}[i%3], "status": "understood", "confidence": "0.8"}},
			{Kind: sentiment.EventScored, Attrs: map[string]string{"score": strconv.FormatFloat(0.3+float64(i%7)/10, 'f', 2, 64)}},
			{Kind: flow.EventEnd, Attrs: map[string]string{"flow": "f", "status": status}},
			{Kind: flow.EventFeedback, Attrs: map[string]string{"kind": "rating", "value": strconv.Itoa(1 + i%5)}},
		} {
			e.Conversation, e.Time, e.Channel = conv, at.Add(time.Second), "web"
			agg.Add(e)
		}
	}
	views := report.Build(agg, now, report.Business{ROI: roi.Inputs{OldMonthlySupportCost: 100, NewMonthlySupportCost: 70, BotCost: 200}})
	url := dashboardServer(t, views, report.Page{StylesheetURL: "/dashboard/report.css"})

	run(t, ctx, "load the dashboard", chromedp.Navigate(url+"/dashboard/"),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('svg.chart').length > 0`, chromedp.WithPollingTimeout(15*time.Second)))
	var drawn struct {
		Charts, Drawn int
		Styled        bool
		Bad           []string
	}
	// A chart is drawn when it has a size on the page and its marks
	// (circles or bars) match data-points, each with a size too.
	run(t, ctx, "charts", evalPage(`(() => {
		const out = {Charts: 0, Drawn: 0, Styled: getComputedStyle(document.querySelector('.card')).borderTopStyle === 'solid', Bad: []};
		for (const svg of document.querySelectorAll('svg.chart')) {
			out.Charts++;
			const box = svg.getBoundingClientRect();
			const marks = svg.querySelectorAll('.point');
			const want = +svg.dataset.points;
			const sized = Array.from(marks).every(m => { const b = m.getBBox(); return b.width > 0; });
			const line = svg.querySelector('polyline');
			const lineOK = !line || want < 2 || line.getBBox().width > 0;
			if (box.width > 0 && box.height > 0 && marks.length === want && sized && lineOK) out.Drawn++;
			else out.Bad.push(svg.dataset.series);
		}
		return out;
	})()`, &drawn))
	if drawn.Charts != 7 || drawn.Drawn != drawn.Charts || !drawn.Styled {
		t.Fatalf("charts: %+v", drawn)
	}

	var shown map[string]string
	run(t, ctx, "figures", evalPage(`Object.fromEntries(Array.from(document.querySelectorAll('[data-kpi]')).map(c => [c.dataset.kpi, c.querySelector('.v').textContent + '|' + c.dataset.value]))`, &shown))
	week, month := agg.KPIs(analytics.Week(now)), agg.KPIs(analytics.Month(now))
	want := map[string]string{
		"weekly.conversations":   strconv.Itoa(week.Conversations) + "|" + strconv.Itoa(week.Conversations),
		"weekly.self_service":    strconv.FormatFloat(100*week.SelfService, 'f', 1, 64) + "%|" + strconv.FormatFloat(week.SelfService, 'g', -1, 64),
		"weekly.escalation_rate": strconv.FormatFloat(100*week.EscalationRate, 'f', 1, 64) + "%|" + strconv.FormatFloat(week.EscalationRate, 'g', -1, 64),
		"monthly.csat":           strconv.FormatFloat(100*month.CSAT, 'f', 1, 64) + "%|" + strconv.FormatFloat(month.CSAT, 'g', -1, 64),
		"monthly.self_service":   strconv.FormatFloat(100*month.SelfService, 'f', 1, 64) + "%|" + strconv.FormatFloat(month.SelfService, 'g', -1, 64),
		"quarterly.roi":          "80%|80",
	}
	for k, v := range want {
		if shown[k] != v {
			t.Errorf("%s: shown %q, aggregator %q", k, shown[k], v)
		}
	}
	var points int
	run(t, ctx, "sentiment trend", evalPage(`document.querySelector('svg[data-series^="Sentiment trend"]').querySelectorAll('circle.point').length`, &points))
	if points != len(views.Weekly.SentimentTrend) {
		t.Errorf("sentiment trend: %d points drawn, %d days", points, len(views.Weekly.SentimentTrend))
	}
}
