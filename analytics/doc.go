// Package analytics turns a bot's events into conversation records and
// the KPIs a support team reports: first response time, self-service
// resolution, deflection, escalation, fallbacks, CSAT, NPS, CES,
// sentiment, drop-off, failing intents, unanswered questions, campaign
// funnels, cost per conversation and ROI.
//
// # Overview
//
// A [Recorder] is the Bot's [parley.Observer]. It hands every event to
// its sinks through bounded buffers and never blocks a turn. The
// [Aggregator], the default sink, folds events into one [Record] per
// conversation and answers KPI queries. The sinks of package
// analytics/sink (JSON Lines, HTTP, slog) ship events elsewhere, and the
// memory/sqlite and memory/postgres modules store them in SQL.
//
//	agg := analytics.NewAggregator()
//	logf, _ := os.OpenFile("events.jsonl", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
//	rec := analytics.NewRecorder(agg, analytics.WithSink(sink.NewJSONL(logf)),
//		analytics.WithErrorHandler(func(err error) { slog.Warn("analytics", "err", err) }))
//	bot := parley.NewBot(h, parley.WithObserver(rec))
//	defer rec.Close(ctx) // after bot.Shutdown
//
//	week := agg.KPIs(analytics.Week(time.Now()))
//	fmt.Printf("self-service %.0f%%, escalation %.0f%%, FRT p95 %v\n",
//		100*week.SelfService, 100*week.EscalationRate, week.FRT.P95)
//	for _, in := range agg.TopFailingIntents(analytics.Week(time.Now()), 10) {
//		fmt.Println(in.Intent, in.Failed)
//	}
//
// Package analytics/roi prices the conversations and computes the return
// on the bot; package analytics/report renders the dashboards.
//
// Package analytics/alert watches the KPIs and tells people through the
// notifiers of package escalation/notify, once when a threshold is crossed and once
// when it clears (defaults: resolution under 55%, average sentiment
// under 0.6, escalation over 30%).
//
// # Records and events
//
// A record is built from the events the runtime and its packages emit:
// the Bot's turns ([parley.EventTurn], response times), intent
// classification and fallbacks (package intent), flows and feedback
// (package flow: helpful, CSAT, NPS, effort), sentiment per turn,
// escalations with their reason and agent, knowledge-base answers and
// misses (kbbot), model calls and actions ([action.Outcome.Report]), and
// campaign and experiment events ([EventSent] and the others defined
// here). How a conversation counts as resolved is documented on
// [Resolution]; every KPI's definition is on [KPIs].
//
// Folding is order-independent and idempotent: events may arrive late
// or twice (a replayed log, a retried batch) without changing a record.
// Names (intents, flows, nodes, campaigns) are bounded ([WithMaxNames]),
// so neither memory nor an exporter's labels grow without bound.
//
// # Windows
//
// KPIs are computed over a [Window]: [Day], [Week], [Month], [Quarter],
// [Last] for real time, [BaselineBefore] for the period before launch,
// compared with [Aggregator.Compare]. A conversation belongs to the
// window its first event falls in.
//
// # Concurrency
//
// Recorder and Aggregator are safe for concurrent
// use. A Recorder owns one goroutine per sink, started by the first
// event after an idle second and stopped by [Recorder.Close] or by a
// second without events; a turn only appends to a buffer. In a
// [testing/synctest] bubble, close the Recorder (or let a second pass)
// before the bubble ends.
//
// # Errors
//
// A sink's failures never reach the turn: lost events are counted
// ([Recorder.Stats]) and reported as [*DropError].
//
// # Implementing a Sink
//
// A [Sink] has one method, Write(ctx, events). It runs on the
// Recorder's goroutine, may block up to the write timeout, must honour
// ctx and must not keep the slice.
package analytics
