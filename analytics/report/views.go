package report

import (
	"time"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/roi"
)

// Business holds the figures only the business knows, for the monthly
// and quarterly views. Zero values leave the figures they feed out.
type Business struct {
	// Costs price the conversations (tokens, agent hours, fixed cost
	// per month) for cost per conversation.
	Costs roi.Costs `json:"costs"`
	// ROI feeds the ROI formula; BotCost 0 leaves ROI out.
	ROI roi.Inputs `json:"roi"`
	// Launch is when the bot went live; the 30 days before it are the
	// baseline of the quarterly view. Zero means no baseline.
	Launch time.Time `json:"launch"`
	// ChurnBefore and ChurnAfter are the monthly churn rates (0.05 is
	// 5%) before launch and now, from the business's own books.
	ChurnBefore float64 `json:"churn_before"`
	ChurnAfter  float64 `json:"churn_after"`
	// Currency is the symbol money is shown with ("$", "€"); empty
	// shows plain amounts.
	Currency string `json:"currency,omitempty"`
}

// Views are the four views of a support bot's analytics: real time,
// this week, this month and this quarter (all containing Generated).
type Views struct {
	Generated time.Time `json:"generated"`
	RealTime  RealTime  `json:"real_time"`
	Weekly    Weekly    `json:"weekly"`
	Monthly   Monthly   `json:"monthly"`
	Quarterly Quarterly `json:"quarterly"`
	// Conversations counts the conversations of all time, as [analytics.KPIs]
	// count them; Stats.Conversations counts the Aggregator's records,
	// page visits nobody talked in included.
	Conversations int                       `json:"conversations"`
	Stats         analytics.AggregatorStats `json:"stats"`
	// Currency is [Business.Currency].
	Currency string `json:"currency,omitempty"`
}

// RealTime is the live view: active chats, current first response time
// and sentiment, and conversations started per 5 minutes in the last
// hour.
type RealTime struct {
	Live   analytics.Live    `json:"live"`
	Starts []analytics.Point `json:"starts"`
}

// Weekly is this week: resolution, escalation, FRT, the top 10
// unresolved intents, unanswered questions and the sentiment trend, with
// a per-day series.
type Weekly struct {
	KPIs                analytics.KPIs         `json:"kpis"`
	Daily               []analytics.KPIs       `json:"daily"`
	TopUnresolved       []analytics.IntentStat `json:"top_unresolved"`
	UnansweredQuestions []analytics.Question   `json:"unanswered_questions"`
	SentimentTrend      []analytics.Point      `json:"sentiment_trend"`
}

// Monthly is this month: CSAT, CES, NPS, cost per conversation and
// self-service resolution, with a per-week series and the campaign
// funnels.
type Monthly struct {
	KPIs      analytics.KPIs           `json:"kpis"`
	Weekly    []analytics.KPIs         `json:"weekly"`
	Cost      roi.Cost                 `json:"cost"`
	Campaigns []analytics.CampaignStat `json:"campaigns"`
}

// Quarterly is this quarter against the baseline before launch: churn
// reduction, CLV uplift and ROI.
type Quarterly struct {
	KPIs     analytics.KPIs   `json:"kpis"`
	Monthly  []analytics.KPIs `json:"monthly"`
	Baseline *analytics.KPIs  `json:"baseline,omitempty"`
	// ChurnReduction is ChurnBefore - ChurnAfter.
	ChurnReduction float64 `json:"churn_reduction"`
	// CLVUplift is CLVIncrease x RetainedCustomers.
	CLVUplift float64 `json:"clv_uplift"`
	// ROI is nil without a bot cost.
	ROI *roi.Result `json:"roi,omitempty"`
}

// Build computes the views at now from a's records.
func Build(a *analytics.Aggregator, now time.Time, biz Business) Views {
	v := Views{Generated: now, Conversations: a.KPIs(analytics.Window{}).Conversations, Stats: a.Stats(), Currency: biz.Currency}
	hour := analytics.Window{From: now.Add(-time.Hour).Truncate(5 * time.Minute), To: now.Truncate(5 * time.Minute).Add(5 * time.Minute)}
	v.RealTime.Live = a.Live(now)
	for _, k := range a.Trend(hour, 5*time.Minute) {
		v.RealTime.Starts = append(v.RealTime.Starts, analytics.Point{Window: k.Window, Value: float64(k.Conversations), N: k.Conversations})
	}

	week := analytics.Week(now)
	v.Weekly = Weekly{KPIs: a.KPIs(week), Daily: a.Trend(week, 24*time.Hour),
		TopUnresolved: a.TopFailingIntents(week, 10), UnansweredQuestions: a.UnansweredQuestions(week, 10),
		SentimentTrend: a.SentimentTrend(week, 24*time.Hour)}

	month := analytics.Month(now)
	v.Monthly = Monthly{KPIs: a.KPIs(month), Cost: roi.CostOf(a.KPIs(month), biz.Costs), Campaigns: a.Campaigns(month)}
	for _, w := range weeksOf(month) {
		v.Monthly.Weekly = append(v.Monthly.Weekly, a.KPIs(w))
	}

	q := analytics.Quarter(now)
	v.Quarterly = Quarterly{KPIs: a.KPIs(q), ChurnReduction: biz.ChurnBefore - biz.ChurnAfter,
		CLVUplift: biz.ROI.CLVIncrease * biz.ROI.RetainedCustomers}
	for _, m := range monthsOf(q) {
		v.Quarterly.Monthly = append(v.Quarterly.Monthly, a.KPIs(m))
	}
	if !biz.Launch.IsZero() {
		b := a.KPIs(analytics.BaselineBefore(biz.Launch, 30*24*time.Hour))
		v.Quarterly.Baseline = &b
	}
	if r, err := roi.Compute(biz.ROI); err == nil {
		v.Quarterly.ROI = &r
	}
	return v
}

// weeksOf cuts m into calendar weeks (Monday to Monday), clipped to m.
func weeksOf(m analytics.Window) []analytics.Window {
	var out []analytics.Window
	for t := m.From; t.Before(m.To); {
		w := analytics.Week(t)
		w.From = t
		if w.To.After(m.To) {
			w.To = m.To
		}
		out = append(out, w)
		t = w.To
	}
	return out
}

func monthsOf(q analytics.Window) []analytics.Window {
	var out []analytics.Window
	for t := q.From; t.Before(q.To); t = t.AddDate(0, 1, 0) {
		out = append(out, analytics.Month(t))
	}
	return out
}
