// Package report renders a support bot's analytics as the four views an
// owner reads: real time (active chats, current first response time,
// live sentiment), this week (resolution, escalation, top unresolved
// intents, sentiment trend), this month (CSAT, CES, NPS, cost per
// conversation, self-service resolution, campaigns) and this quarter
// (churn reduction, CLV uplift, ROI, before/after launch). Self-service
// resolution is counted one way in every view ([SelfServiceDefinition]),
// and the page says how each figure is counted ([Definitions]).
//
// # Overview
//
// [Build] computes the views from an [analytics.Aggregator]; [HTML]
// renders them as one self-contained page with SVG charts drawn by this
// package (no script, no CDN); [WriteCSV] exports the records. `parley
// report` and the example's /dashboard/ both use it.
//
//	agg := analytics.NewAggregator()
//	for e, err := range sink.ReadJSONL(logFile) { ... agg.Add(e) }
//	v := report.Build(agg, time.Now(), report.Business{Costs: costs, ROI: roi})
//	err := report.HTML(w, v, report.Page{Title: "Acme support"})
//
// Each KPI card carries its key and exact value as data-kpi and
// data-value attributes, and each chart its series and point count, so
// pages can be checked by machines too.
//
// # Concurrency
//
// The functions are safe for concurrent use; [Views] are values.
//
// # Errors
//
// [HTML] and [WriteCSV] return the writer's errors.
package report
