package experiment

import (
	"fmt"
	"math"
	"slices"

	"github.com/parleyhq/parley/analytics"
)

// A Goal is a success target of a campaign: "cart recovery rate above
// 25%" is the Conversion of the abandoned-cart campaign's customers above
// 0.25.
type Goal struct {
	// Name labels the goal in reports ("cart recovery rate").
	Name string
	// Campaign names the campaign whose customers count (those its
	// message was sent to: analytics.CampaignOutcome.Campaign and Sent).
	Campaign string
	// Metric is what is measured, usually binary ([Conversion],
	// [ClickThrough]).
	Metric Metric
	// Target is the value the metric should be above (0.25 for 25%).
	Target float64
}

// PlaybookGoals returns the retention playbook's targets for the named
// campaigns: a cart recovery rate (conversion) above 25% for cart, and a
// renewal click rate above 40% for renewal.
func PlaybookGoals(cart, renewal string) []Goal {
	return []Goal{
		{Name: "cart recovery rate", Campaign: cart, Metric: Conversion(), Target: 0.25},
		{Name: "renewal click rate", Campaign: renewal, Metric: ClickThrough(), Target: 0.40},
	}
}

// A GoalResult is how a campaign (or one variant of it) does against a
// Goal.
type GoalResult struct {
	Goal Goal
	// Variant is "" for every customer the campaign reached, else the
	// variant (analytics.CampaignOutcome.Variant, or the experiment's
	// Record.Variant) the row is about.
	Variant string
	// Value summarises the metric over the customers with a value, one
	// value per customer.
	Value Summary
	// CI is the (1 - alpha) interval for the metric: Wilson's score
	// interval for a binary metric, a normal one otherwise.
	CI Interval
	// Met is true when the whole interval is above the target, Missed
	// when it is all below; neither while the data cannot tell.
	Met, Missed bool
	// Verdict says it in words; Problem says why there is no value (no
	// customer reached), and is empty when there is one.
	Verdict, Problem string
}

// CheckGoals measures each goal over records, for all of the campaign's
// customers and then for each variant seen, with (1 - alpha) intervals.
// Customers are the unit, as in [Experiment.Report]: a binary metric is 1
// for a customer if it is 1 in any of their conversations. A goal whose
// campaign reached no one gets a Problem, never NaN.
func CheckGoals(records []analytics.Record, goals []Goal, alpha float64) ([]GoalResult, error) {
	if err := checkAlpha(alpha); err != nil {
		return nil, err
	}
	var out []GoalResult
	for _, g := range goals {
		if g.Metric.Value == nil {
			return nil, fmt.Errorf("%w: goal %q has no metric", ErrBadParameter, g.Name)
		}
		type cust struct {
			variant string
			vals    []float64
		}
		byCust := map[string]*cust{}
		var order, variants []string
		for _, r := range records {
			if r.Campaign.Campaign != g.Campaign || !r.Campaign.Sent {
				continue
			}
			id := unit(r)
			c := byCust[id]
			if c == nil {
				v := r.Campaign.Variant
				if v == "" {
					v = r.Variant
				}
				c = &cust{variant: v}
				byCust[id] = c
				order = append(order, id)
				if v != "" && !slices.Contains(variants, v) {
					variants = append(variants, v)
				}
			}
			if v, ok := g.Metric.Value(r); ok {
				c.vals = append(c.vals, v)
			}
		}
		slices.Sort(variants)
		for _, variant := range append([]string{""}, variants...) {
			var xs []float64
			for _, id := range order {
				c := byCust[id]
				if (variant != "" && c.variant != variant) || len(c.vals) == 0 {
					continue
				}
				v := Summarize(c.vals).Mean
				if g.Metric.Binary {
					v = bit(slices.Max(c.vals) > 0)
				}
				xs = append(xs, v)
			}
			out = append(out, goalResult(g, variant, Summarize(xs), alpha))
		}
	}
	return out, nil
}

func goalResult(g Goal, variant string, s Summary, alpha float64) GoalResult {
	r := GoalResult{Goal: g, Variant: variant, Value: s}
	name := g.Name
	if name == "" {
		name = g.Metric.Name
	}
	who := "the " + g.Campaign + " campaign"
	if variant != "" {
		who += "'s " + variant + " variant"
	}
	format := func(x float64) string { return fmt.Sprintf("%.3g", x) }
	if g.Metric.Binary {
		// Half away from zero, after dropping floating-point noise: 26.25%
		// is 26.3% however it was computed.
		format = func(x float64) string { return fmt.Sprintf("%.1f%%", math.Round(math.Round(x*1e9)/1e6)/10) }
	}
	if s.N == 0 {
		r.Problem = fmt.Sprintf("%s: no customers reached by %s yet", name, who)
		r.Verdict = r.Problem + "."
		return r
	}
	z := normalQuantile(1 - alpha/2)
	if g.Metric.Binary {
		n, p := float64(s.N), s.Mean
		mid := (p + z*z/(2*n)) / (1 + z*z/n)
		w := z / (1 + z*z/n) * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
		r.CI = Interval{max(0, mid-w), min(1, mid+w)}
	} else {
		w := z * math.Sqrt(s.Var/float64(s.N))
		r.CI = Interval{s.Mean - w, s.Mean + w}
	}
	r.Met, r.Missed = r.CI.Lo > g.Target, r.CI.Hi < g.Target
	customers := "customers"
	if s.N == 1 {
		customers = "customer"
	}
	head := fmt.Sprintf("%s of %s: %s [%s, %s] over %d %s", name, who, format(s.Mean), format(r.CI.Lo), format(r.CI.Hi), s.N, customers)
	switch {
	case r.Met:
		r.Verdict = fmt.Sprintf("%s: target above %s met.", head, format(g.Target))
	case r.Missed:
		r.Verdict = fmt.Sprintf("%s: target above %s missed.", head, format(g.Target))
	case s.Mean > g.Target:
		r.Verdict = fmt.Sprintf("%s: above the %s target, but not clearly yet (the interval includes it).", head, format(g.Target))
	default:
		r.Verdict = fmt.Sprintf("%s: at or below the %s target, but not clearly yet (the interval includes it).", head, format(g.Target))
	}
	return r
}
