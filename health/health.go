// Package health scores how healthy a customer relationship is and how
// likely the customer is to churn, with the reasons in plain words.
//
// [Assess] applies the untrained defaults: weighted rules over login
// frequency, feature usage, the sentiment trend and purchase recency, and
// the churn signals of the retention playbook (an abandoned cart, fewer
// than 2 logins a week, negative sentiment above 0.7, more than 45 days
// since the last order). [Train] fits an in-process, L2-regularised
// logistic regression on labelled history for a calibrated probability;
// [AUC] measures it.
//
// A [Tracker] ([NewTracker]) keeps each customer's assessment on their
// profile: [Middleware] updates it with every message (the sentiment
// package's mood, the purchase recency, the application's signals from
// [WithSignals]), writes the score, the risk, the reasons and the at-risk
// segment, and runs the [OnRisk] hook when a customer's risk goes above
// the threshold. [Tracker.Refresh] re-assesses without a message; [Stored]
// reads the last assessment back.
package health

import (
	"fmt"
	"math"
)

// Signals are what is known about one customer. Zero values mean "no
// data" where the field says so.
type Signals struct {
	// LoginsPerWeek is the customer's recent login frequency.
	LoginsPerWeek float64
	// FeatureUsage is the share (0-1) of the product's key features the
	// customer used recently.
	FeatureUsage float64
	// NegativeSentiment is the share (0-1) of the customer's recent
	// messages scored negative; SentimentTrend the change of their mean
	// sentiment score (0-1) over the last weeks, negative when worsening.
	NegativeSentiment, SentimentTrend float64
	// DaysSinceLastOrder is the purchase recency; HasOrdered is false for
	// a customer who never ordered, whose recency is not judged.
	DaysSinceLastOrder float64
	HasOrdered         bool
	// CartAbandoned is set while the customer has an abandoned cart.
	CartAbandoned bool
}

// An Assessment is a customer's health.
type Assessment struct {
	// Score is the health score, 0 (lost) to 100 (thriving).
	Score float64
	// Risk is the churn risk, 0-1: the share of the weighted churn
	// signals present.
	Risk float64
	// Reasons are the churn signals present, in plain words, the
	// weightiest first.
	Reasons []string
}

// Assess scores s with the default weighted rules. Health is the weighted
// mean of four parts, each 0-1: login frequency (3 a week or more is
// full), feature usage, sentiment (1 - negative share, less a worsening
// trend) and purchase recency (full within 30 days, none after 90). Risk
// sums the weights of the churn signals present: more than 45 days since
// the last order 0.3, negative sentiment above 0.7 0.3, fewer than 2
// logins a week 0.2, an abandoned cart 0.2.
func Assess(s Signals) Assessment {
	clamp := func(x float64) float64 { return min(1, max(0, x)) }
	logins := clamp(s.LoginsPerWeek / 3)
	usage := clamp(s.FeatureUsage)
	mood := clamp(1 - s.NegativeSentiment + min(0, s.SentimentTrend))
	recency := 1.0
	if s.HasOrdered {
		recency = clamp((90 - s.DaysSinceLastOrder) / 60)
	}
	a := Assessment{Score: 100 * (0.3*logins + 0.2*usage + 0.25*mood + 0.25*recency)}
	if s.HasOrdered && s.DaysSinceLastOrder > 45 {
		a.Risk += 0.3
		a.Reasons = append(a.Reasons, fmt.Sprintf("no order for %.0f days", s.DaysSinceLastOrder))
	}
	if s.NegativeSentiment > 0.7 {
		a.Risk += 0.3
		a.Reasons = append(a.Reasons, fmt.Sprintf("%.0f%% of recent messages negative", 100*s.NegativeSentiment))
	}
	if s.LoginsPerWeek < 2 {
		a.Risk += 0.2
		a.Reasons = append(a.Reasons, fmt.Sprintf("logs in %.1f times a week (fewer than 2)", s.LoginsPerWeek))
	}
	if s.CartAbandoned {
		a.Risk += 0.2
		a.Reasons = append(a.Reasons, "left a cart")
	}
	a.Risk = math.Round(a.Risk*100) / 100
	return a
}
