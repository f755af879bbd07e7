package experiment

import "github.com/parleyhq/parley/analytics"

// A Metric is a number computed from each analytics record of an
// experiment's conversations. Records are grouped by customer, the unit of
// assignment: a binary metric is 1 for a customer if it is 1 in any of
// their conversations, any other metric is the mean over them.
type Metric struct {
	// Name labels the metric in reports ("cart recovery rate").
	Name string
	// Value returns the record's value, and false when the record says
	// nothing about it (no CSAT rating given): such records are left out
	// of the metric, not counted as zero.
	Value func(analytics.Record) (float64, bool)
	// Binary marks a 0/1 metric, compared with [ProportionTest]; others
	// are compared with [WelchTest].
	Binary bool
	// LowerIsBetter marks a metric an increase of which is a harm
	// (escalations, opt-outs).
	LowerIsBetter bool
}

func bit(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Conversion is the share of customers whose campaign reached its goal
// (analytics.CampaignOutcome.Converted: the cart bought, the plan renewed).
func Conversion() Metric {
	return Metric{Name: "conversion rate", Binary: true,
		Value: func(r analytics.Record) (float64, bool) { return bit(r.Campaign.Converted), true }}
}

// ClickThrough is the share of customers who followed the campaign
// message's link or button (the renewal click rate).
func ClickThrough() Metric {
	return Metric{Name: "click rate", Binary: true,
		Value: func(r analytics.Record) (float64, bool) { return bit(r.Campaign.Clicked), true }}
}

// Escalation is the share of customers handed to a person, a guardrail.
func Escalation() Metric {
	return Metric{Name: "escalation rate", Binary: true, LowerIsBetter: true,
		Value: func(r analytics.Record) (float64, bool) { return bit(r.Resolution == analytics.Escalated), true }}
}

// Satisfaction is the mean CSAT rating (1-5) of the customers who gave
// one, a guardrail.
func Satisfaction() Metric {
	return Metric{Name: "CSAT",
		Value: func(r analytics.Record) (float64, bool) {
			return float64(r.Feedback.CSAT), r.Feedback.CSAT > 0
		}}
}

// OptOut is the share of customers who opted out of proactive messages,
// a guardrail.
func OptOut() Metric {
	return Metric{Name: "opt-out rate", Binary: true, LowerIsBetter: true,
		Value: func(r analytics.Record) (float64, bool) { return bit(r.OptedOut), true }}
}
