package analytics

import "time"

// A Comparison sets a period's KPIs against a baseline's, such as the
// 30 days before launch.
type Comparison struct {
	Baseline KPIs `json:"baseline"`
	Current  KPIs `json:"current"`
}

// Compare returns the KPIs of baseline and current.
func (a *Aggregator) Compare(baseline, current Window) Comparison {
	return Comparison{Baseline: a.KPIs(baseline), Current: a.KPIs(current)}
}

// BaselineBefore returns the window of length d that ends at launch,
// the "before" of a before/after comparison (30 days by convention).
func BaselineBefore(launch time.Time, d time.Duration) Window {
	return Window{From: launch.Add(-d), To: launch}
}
