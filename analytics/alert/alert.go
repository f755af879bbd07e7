package alert

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/notify"
)

// A Rule is a threshold on one KPI. The rule is breached when the
// KPI is below Below (if Below is set) or above Above (if Above is set),
// over the conversations of the alert window, once there are at least
// MinConversations of them.
type Rule struct {
	// Name identifies the rule ("resolution").
	Name string
	// Label describes the KPI in messages ("self-service resolution").
	Label string
	// Value picks the KPI; ok is false when the window has no data for
	// it (no scored turns for sentiment), and the rule is not judged.
	Value func(analytics.KPIs) (v float64, ok bool)
	// Below and Above are the thresholds; HasBelow and HasAbove say
	// which are set.
	Below, Above       float64
	HasBelow, HasAbove bool
	// Percent formats the value as a percentage.
	Percent bool
}

// DefaultRules are the owner's defaults: self-service resolution
// under 55%, average sentiment under 0.6, escalation over 30%.
func DefaultRules() []Rule {
	return []Rule{
		{Name: "resolution", Label: "self-service resolution", Value: func(k analytics.KPIs) (float64, bool) { return k.SelfService, true }, Below: 0.55, HasBelow: true, Percent: true},
		{Name: "sentiment", Label: "average sentiment", Value: func(k analytics.KPIs) (float64, bool) { return k.Sentiment, k.SentimentTurns > 0 }, Below: 0.6, HasBelow: true},
		{Name: "escalation", Label: "escalation rate", Value: func(k analytics.KPIs) (float64, bool) { return k.EscalationRate, true }, Above: 0.30, HasAbove: true, Percent: true},
	}
}

func (r *Rule) breached(v float64) bool {
	return r.HasBelow && v < r.Below || r.HasAbove && v > r.Above
}

func (r *Rule) format(v float64) string {
	if r.Percent {
		return fmt.Sprintf("%.1f%%", 100*v)
	}
	return fmt.Sprintf("%.2f", v)
}

// An Alert is a change of a rule's state: Breached true when its
// threshold was crossed, false when it cleared.
type Alert struct {
	Rule     string
	Breached bool
	Value    float64
	At       time.Time
	// Message is the sentence the notifiers received.
	Message string
}

// A Monitor watches KPIs and tells people through notifiers (Slack, email,
// webhooks of package escalation/notify): once when a rule is breached
// and once when it clears, never again while the state holds. A
// notification is a [escalation.Ticket] whose Reason and Summary carry
// the message, with priority high for a breach and low for a clear.
//
// Monitor is safe for concurrent use.
type Monitor struct {
	agg       *analytics.Aggregator
	notifiers []notify.Notifier
	rules     []Rule
	window    time.Duration
	min       int

	mu       sync.Mutex
	breached map[string]bool
}

// An Option configures [Monitor].
type Option func(*Monitor)

// WithRules replaces the default rules ([DefaultRules]).
func WithRules(rs ...Rule) Option {
	return func(a *Monitor) { a.rules = rs }
}

// WithWindow sets the period the KPIs are computed over, ending at
// each check (default 24 hours).
func WithWindow(d time.Duration) Option { return func(a *Monitor) { a.window = d } }

// WithMinConversations sets how many conversations the window needs
// before a rule is judged (default 20), so that one bad conversation at
// night raises nothing.
func WithMinConversations(n int) Option { return func(a *Monitor) { a.min = n } }

// New returns a Monitor over agg's KPIs that notify ns. It panics if
// agg is nil.
func New(agg *analytics.Aggregator, ns []notify.Notifier, opts ...Option) *Monitor {
	if agg == nil {
		panic("alert: New needs an aggregator")
	}
	a := &Monitor{agg: agg, notifiers: ns, rules: DefaultRules(), window: 24 * time.Hour, min: 20, breached: map[string]bool{}}
	for _, o := range opts {
		o(a)
	}
	return a
}

// Check computes the KPIs of the window ending at now, notifies the
// rules whose state changed and returns those changes. A change is kept
// when at least one notifier took it (or there are none); when every
// notifier failed it is tried again at the next Check. The notifiers'
// errors are returned joined.
func (a *Monitor) Check(ctx context.Context, now time.Time) ([]Alert, error) {
	w := analytics.Last(a.window, now)
	k := a.agg.KPIs(w)
	if k.Conversations < a.min {
		return nil, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Alert
	var errs []error
	for i := range a.rules {
		r := &a.rules[i]
		v, ok := r.Value(k)
		if !ok {
			continue
		}
		b := r.breached(v)
		if b == a.breached[r.Name] {
			continue
		}
		al := Alert{Rule: r.Name, Breached: b, Value: v, At: now, Message: a.message(r, v, b, k)}
		ok, err := a.send(ctx, al)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			a.breached[r.Name] = b
			out = append(out, al)
		}
	}
	return out, errors.Join(errs...)
}

func (a *Monitor) message(r *Rule, v float64, breached bool, k analytics.KPIs) string {
	var b strings.Builder
	if breached {
		fmt.Fprintf(&b, "Alert: %s is %s", r.Label, r.format(v))
		if r.HasBelow && v < r.Below {
			fmt.Fprintf(&b, ", below %s", r.format(r.Below))
		} else {
			fmt.Fprintf(&b, ", above %s", r.format(r.Above))
		}
	} else {
		fmt.Fprintf(&b, "Cleared: %s is back to %s", r.Label, r.format(v))
	}
	fmt.Fprintf(&b, " (last %s, %d conversations)", a.window, k.Conversations)
	return b.String()
}

func (a *Monitor) send(ctx context.Context, al Alert) (bool, error) {
	if len(a.notifiers) == 0 {
		return true, nil
	}
	state, prio := "cleared", dialog.PriorityLow
	if al.Breached {
		state, prio = "breached", dialog.PriorityHigh
	}
	t := escalation.Ticket{ID: fmt.Sprintf("alert-%s-%s-%d", al.Rule, state, al.At.Unix()), Reason: al.Message,
		Summary: al.Message, Priority: prio, Created: al.At, Data: map[string]string{"alert": al.Rule, "state": state}}
	ok := false
	var errs []error
	for _, n := range a.notifiers {
		if err := n.Notify(ctx, t); err != nil {
			errs = append(errs, err)
			continue
		}
		ok = true
	}
	if len(errs) > 0 {
		return ok, fmt.Errorf("alert: %s: %w", al.Rule, errors.Join(errs...))
	}
	return ok, nil
}

// Run calls Check every interval until ctx ends, passing Check's errors
// to onErr (which may be nil). It returns ctx's error.
func (a *Monitor) Run(ctx context.Context, interval time.Duration, onErr func(error)) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case now := <-t.C:
			if _, err := a.Check(ctx, now); err != nil && onErr != nil {
				onErr(err)
			}
		}
	}
}
