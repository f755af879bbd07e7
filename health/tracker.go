package health

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/nlu"
)

// The profile fields a Tracker writes (customer.Profile.Custom) and the
// segments it sets (customer.Profile.Segments).
const (
	// FieldScore is the health score, 0-100, as a whole number.
	FieldScore = "health_score"
	// FieldRisk is the churn risk, 0-1, with two decimals.
	FieldRisk = "churn_risk"
	// FieldReasons are the assessment's reasons, joined with "; ".
	FieldReasons = "churn_reasons"
	// FieldMoods are the sentiment scores (0-1) of the customer's last
	// messages, oldest first, comma-separated.
	FieldMoods = "recent_moods"

	// SegmentAtRisk marks a customer whose risk is above the Tracker's
	// threshold.
	SegmentAtRisk = "at-risk"
	// SegmentLapsed marks a customer with no order for more than 90 days.
	SegmentLapsed = "lapsed"
)

// The events [Middleware] emits.
const (
	// EventAssessed: a customer's health was updated; Attrs "score"
	// (0-100), "risk" (0-1) and "at_risk" ("true" above the threshold).
	EventAssessed parley.EventKind = "health.assessed"
	// EventFailed: the update failed (a store outage, the application's
	// signals); Attrs "error". The turn goes on.
	EventFailed parley.EventKind = "health.failed"
)

// Tracker defaults.
const (
	// DefaultThreshold is the churn risk above which a customer is at
	// risk and the Tracker's hook runs: the playbook's 70%.
	DefaultThreshold = 0.7
	// DefaultWindow is how many of a customer's last messages (those
	// with sentiment evidence) the sentiment signals are read from.
	DefaultWindow = 5
	// MinMoods is how many such messages the sentiment signals need:
	// fewer say nothing yet (no negative share, no trend).
	MinMoods = 3
)

// A Tracker keeps every customer's health up to date with each of their
// messages: its Middleware reads the turn's mood (nlu.MoodKey, set by the
// sentiment package) into the customer's recent sentiment, adds what the
// profile holds (the purchase recency) and what the application knows
// (WithSignals: logins, feature usage, an abandoned cart), assesses them
// (Assess, or WithScorer's model) and writes the score, the risk, the
// reasons and the segments to the customer's profile, where flows, the
// escalation rules and the staff pages read them.
//
// When a customer's risk goes above the threshold, the hook of OnRisk runs
// once (again only after the risk fell back below it): typically it reports
// an event to the proactive engine, so that the retention campaign it starts
// is still subject to consent, quiet hours and caps.
//
// A Tracker is safe for concurrent use; profile updates are conditional
// writes, so replicas sharing a store agree.
type Tracker struct {
	profiles  *customer.Profiles
	signals   func(ctx context.Context, p *customer.Profile, s *Signals) error
	score     func(Signals) Assessment
	threshold float64
	onRisk    func(ctx context.Context, t *parley.Turn, a Assessment) error
}

// A TrackerOption configures a Tracker.
type TrackerOption func(*Tracker)

// WithSignals adds the application's signals to each assessment: f fills
// in what it knows of the customer (LoginsPerWeek, FeatureUsage,
// CartAbandoned) on s, which already holds the sentiment and the purchase
// recency of the profile p. An error from f leaves the profile as it was.
func WithSignals(f func(ctx context.Context, p *customer.Profile, s *Signals) error) TrackerOption {
	return func(tr *Tracker) { tr.signals = f }
}

// WithScorer replaces the default rules ([Assess]) with f, such as a
// trained [Model]'s probability and reasons.
func WithScorer(f func(Signals) Assessment) TrackerOption {
	return func(tr *Tracker) { tr.score = f }
}

// OnRisk sets the churn risk (0-1) above which a customer is at risk
// (default [DefaultThreshold]) and f, run in the turn that takes a
// customer's risk above it. An error from f is returned from the turn
// after the profile is saved; the hook runs again on a later turn only
// once the risk went back down.
func OnRisk(threshold float64, f func(ctx context.Context, t *parley.Turn, a Assessment) error) TrackerOption {
	return func(tr *Tracker) { tr.threshold, tr.onRisk = threshold, f }
}

// NewTracker returns a Tracker writing to profiles.
func NewTracker(profiles *customer.Profiles, opts ...TrackerOption) *Tracker {
	tr := &Tracker{profiles: profiles, score: Assess, threshold: DefaultThreshold}
	for _, o := range opts {
		o(tr)
	}
	return tr
}

// Middleware returns middleware that updates the turn's customer's health
// with tr and passes the turn on. Turns without a customer, and internal
// turns (signals: campaign steps, lifecycle events), pass untouched. A
// failure to update the profile is reported as an [EventFailed] event and
// never stops the turn. It panics if tr is nil.
func Middleware(tr *Tracker) parley.Middleware {
	if tr == nil {
		panic("health: Middleware with nil Tracker")
	}
	return func(next parley.Handler) parley.Handler { return tr.middleware(next) }
}

// middleware is [Middleware]'s wrapper around next.
func (tr *Tracker) middleware(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.CustomerID == "" || t.Signal != nil {
			return next.HandleTurn(ctx, w, t)
		}
		var mood *nlu.Mood
		if m, ok := parley.Value(t, nlu.MoodKey); ok {
			mood = &m
		}
		a, crossed, err := tr.update(ctx, t.CustomerID, mood, t.Time)
		if err != nil {
			t.Emit(ctx, parley.Event{Kind: EventFailed, Attrs: map[string]string{"error": err.Error()}})
			return next.HandleTurn(ctx, w, t)
		}
		t.Emit(ctx, parley.Event{Kind: EventAssessed, Attrs: map[string]string{
			"score": strconv.Itoa(int(a.Score + 0.5)), "risk": strconv.FormatFloat(a.Risk, 'f', 2, 64),
			"at_risk": strconv.FormatBool(a.Risk > tr.threshold)}})
		if crossed && tr.onRisk != nil {
			if err := tr.onRisk(ctx, t, a); err != nil {
				return err
			}
		}
		return next.HandleTurn(ctx, w, t)
	})
}

// Refresh re-assesses customerID now, with no new message: after the
// application's signals changed (an order, a week of no logins), or in a
// batch over every customer. It returns the assessment and whether the risk
// just went above the threshold; the OnRisk hook is not run (it needs a
// turn), so the caller acts on it.
func (tr *Tracker) Refresh(ctx context.Context, customerID string, now time.Time) (Assessment, bool, error) {
	return tr.update(ctx, customerID, nil, now)
}

// update adds mood (if any) to the customer's recent sentiment, assesses
// them and saves the result, reporting whether the risk crossed the
// threshold upwards.
func (tr *Tracker) update(ctx context.Context, customerID string, mood *nlu.Mood, now time.Time) (Assessment, bool, error) {
	if now.IsZero() {
		now = time.Now()
	}
	var a Assessment
	var crossed bool
	_, err := tr.profiles.Update(ctx, customerID, func(p *customer.Profile) error {
		if p.Custom == nil {
			p.Custom = map[string]string{}
		}
		moods := parseMoods(p.Custom[FieldMoods])
		if mood != nil && mood.Confidence > 0 {
			moods = append(moods, mood.Score)
			if len(moods) > DefaultWindow {
				moods = moods[len(moods)-DefaultWindow:]
			}
		}
		s := signalsOf(p, moods, now)
		if tr.signals != nil {
			if err := tr.signals(ctx, p, &s); err != nil {
				return err
			}
		}
		a = tr.score(s)
		was := slices.Contains(p.Segments, SegmentAtRisk)
		at := a.Risk > tr.threshold
		crossed = at && !was
		p.Custom[FieldMoods] = formatMoods(moods)
		p.Custom[FieldScore] = strconv.Itoa(int(a.Score + 0.5))
		p.Custom[FieldRisk] = strconv.FormatFloat(a.Risk, 'f', 2, 64)
		p.Custom[FieldReasons] = strings.Join(a.Reasons, "; ")
		p.Segments = segment(p.Segments, SegmentAtRisk, at)
		p.Segments = segment(p.Segments, SegmentLapsed, s.HasOrdered && s.DaysSinceLastOrder > 90)
		return nil
	})
	return a, crossed, err
}

// Stored returns the assessment last written to p by a Tracker, and false
// for a profile it never assessed.
func Stored(p *customer.Profile) (Assessment, bool) {
	score, err1 := strconv.ParseFloat(p.Custom[FieldScore], 64)
	risk, err2 := strconv.ParseFloat(p.Custom[FieldRisk], 64)
	if err1 != nil || err2 != nil {
		return Assessment{}, false
	}
	a := Assessment{Score: score, Risk: risk}
	if r := p.Custom[FieldReasons]; r != "" {
		a.Reasons = strings.Split(r, "; ")
	}
	return a, true
}

// signalsOf reads the sentiment and purchase signals of a profile.
func signalsOf(p *customer.Profile, moods []float64, now time.Time) Signals {
	var s Signals
	if !p.LastOrderDate.IsZero() {
		s.HasOrdered = true
		s.DaysSinceLastOrder = max(0, now.Sub(p.LastOrderDate).Hours()/24)
	}
	if len(moods) >= MinMoods {
		neg, sum := 0, 0.0
		for _, m := range moods {
			if m < 0.4 {
				neg++
			}
			sum += m
		}
		s.NegativeSentiment = float64(neg) / float64(len(moods))
		// The trend: the latest message against the window's mean.
		s.SentimentTrend = moods[len(moods)-1] - sum/float64(len(moods))
	}
	return s
}

func parseMoods(s string) []float64 {
	var out []float64
	for f := range strings.SplitSeq(s, ",") {
		if v, err := strconv.ParseFloat(f, 64); err == nil && v >= 0 && v <= 1 {
			out = append(out, v)
		}
	}
	return out
}

func formatMoods(ms []float64) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = strconv.FormatFloat(m, 'f', 2, 64)
	}
	return strings.Join(parts, ",")
}

// segment adds or removes name from segs.
func segment(segs []string, name string, on bool) []string {
	i := slices.Index(segs, name)
	switch {
	case on && i < 0:
		return append(segs, name)
	case !on && i >= 0:
		return slices.Delete(segs, i, i+1)
	}
	return segs
}
