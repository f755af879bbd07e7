// Package alert watches the KPIs of an [analytics.Aggregator] and tells
// people through the notifiers of package escalation/notify (Slack,
// email, webhooks): once when a threshold is crossed and once when it
// clears, never again while the state holds.
//
//	m := alert.New(agg, []notify.Notifier{slack})
//	go m.Run(ctx, 5*time.Minute, func(err error) { slog.Warn("alert", "err", err) })
//
// The default rules ([DefaultRules]) flag self-service resolution under
// 55%, average sentiment under 0.6 and escalation over 30%, judged over
// the last 24 hours once there are 20 conversations ([WithWindow],
// [WithMinConversations]).
package alert
