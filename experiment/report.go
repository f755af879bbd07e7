package experiment

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/analytics"
)

// A Report is the state of an experiment, computed from analytics records.
type Report struct {
	Experiment string
	// Control is the control variant's name.
	Control string
	// Arms are the variants in the experiment's order, then the holdout
	// if it has one.
	Arms []Arm
	// SRM is the sample-ratio-mismatch check of the arms' customers
	// against the configured split; SRMProblem says why it could not be
	// run (no exposures yet), and is empty when it was.
	SRM        SRM
	SRMProblem string
	// Comparisons compare each treatment with the control: the primary
	// metric first, then each guardrail.
	Comparisons []Comparison
	// Problems lists what was left out and why (customers seen in more
	// than one variant).
	Problems []string
	// Verdict says in words what to do.
	Verdict string
	// Winner is the variant the verdict recommends promoting (see
	// [Rollout.Promote]): significantly better than the control on the
	// primary metric, the best of those, with no guardrail significantly
	// worse. It is empty while there is none.
	Winner string
}

// An Arm is one variant's (or the holdout's) customers and metrics.
type Arm struct {
	Variant string
	// Customers counts the customers exposed to the variant.
	Customers int
	// Metrics summarises each metric (primary first, then guardrails)
	// over the customers with a value for it.
	Metrics []Summary
}

// A Comparison is one metric of one treatment against the control.
type Comparison struct {
	Metric  string
	Variant string
	// Result is the test's outcome; AdjustedP its p-value corrected with
	// [Holm] over the treatments, when there is more than one.
	Result    Result
	AdjustedP float64
	// Significant is AdjustedP < alpha; Harm is a significant change in
	// the metric's bad direction.
	Significant, Harm bool
	// Problem says why no test could be run (no events for the metric in
	// one arm); Result is then zero and Significant false.
	Problem string
	// Sequential is, for the primary metric when it is binary, the
	// always-valid result ([Sequential], mixture scale [WithTau]) as if
	// the experiment had been looked at once a day since its first
	// exposure (customers by the UTC day of their first record): a P
	// below alpha there may be acted on however often the report was
	// read, which the fixed-horizon Result's may not. Nil for other
	// metrics and while one arm has no customers.
	Sequential *Result
}

// Report computes the experiment's report from analytics records (those of
// other experiments, or of none, are ignored), with customers as the unit:
// records without a customer count as a customer each.
func (e *Experiment[T]) Report(records []analytics.Record) Report {
	rep := Report{Experiment: e.name, Control: e.variants[0].Name}
	metrics := append([]Metric{e.primary}, e.guardrails...)

	arms := make([]string, 0, len(e.variants)+1)
	weights := make([]float64, 0, len(e.variants)+1)
	for i, v := range e.variants {
		arms = append(arms, v.Name)
		prev := 0.0
		if i > 0 {
			prev = e.cum[i-1]
		}
		weights = append(weights, (1-e.holdout)*(e.cum[i]-prev))
	}
	if e.holdout > 0 {
		arms, weights = append(arms, Holdout), append(weights, e.holdout)
	}

	// Group by customer: the variant, and per metric the values.
	type cust struct {
		variant string
		mixed   bool
		vals    [][]float64
		first   time.Time
	}
	byCust := map[string]*cust{}
	var order []string
	for _, r := range records {
		if r.Experiment != e.name || !slices.Contains(arms, r.Variant) {
			continue
		}
		id := unit(r)
		c := byCust[id]
		if c == nil {
			c = &cust{variant: r.Variant, vals: make([][]float64, len(metrics)), first: r.Start}
			byCust[id] = c
			order = append(order, id)
		}
		if r.Start.Before(c.first) {
			c.first = r.Start
		}
		c.mixed = c.mixed || c.variant != r.Variant
		for i, m := range metrics {
			if v, ok := m.Value(r); ok {
				c.vals[i] = append(c.vals[i], v)
			}
		}
	}

	counts := make([]int, len(arms))
	values := make([][][]float64, len(arms)) // arm, metric, customer values
	for i := range values {
		values[i] = make([][]float64, len(metrics))
	}
	daily := make([][]dayValue, len(arms)) // arm: the primary metric's values by day

	mixed := 0
	for _, id := range order {
		c := byCust[id]
		if c.mixed {
			mixed++
			continue
		}
		a := slices.Index(arms, c.variant)
		counts[a]++
		for i, m := range metrics {
			if len(c.vals[i]) == 0 {
				continue
			}
			v := Summarize(c.vals[i]).Mean
			if m.Binary {
				v = bit(slices.Max(c.vals[i]) > 0)
			}
			values[a][i] = append(values[a][i], v)
			if i == 0 {
				daily[a] = append(daily[a], dayValue{c.first.UTC().Truncate(24 * time.Hour), v > 0})
			}
		}
	}
	if mixed > 0 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%d customers were exposed to more than one variant and are left out", mixed))
	}
	for a, name := range arms {
		arm := Arm{Variant: name, Customers: counts[a]}
		for i := range metrics {
			arm.Metrics = append(arm.Metrics, Summarize(values[a][i]))
		}
		rep.Arms = append(rep.Arms, arm)
	}

	srm, err := CheckSRM(counts, weights)
	switch {
	case e.adaptive && err == nil:
		rep.SRMProblem = "the split is adaptive: no fixed ratio to check"
	case errors.Is(err, ErrNoData):
		rep.SRMProblem = "no exposures recorded yet"
	case err != nil:
		rep.SRMProblem = err.Error()
	default:
		rep.SRM = srm
	}

	for i, m := range metrics {
		var cs []Comparison
		var ps []float64
		for a := 1; a < len(e.variants); a++ {
			c := Comparison{Metric: m.Name, Variant: arms[a]}
			ctl, trt := rep.Arms[0].Metrics[i], rep.Arms[a].Metrics[i]
			var err error
			if m.Binary {
				c.Result, err = ProportionTest(successes(values[0][i]), ctl.N, successes(values[a][i]), trt.N, e.alpha)
			} else {
				c.Result, err = WelchTest(ctl, trt, e.alpha)
			}
			if err != nil {
				c.Problem = problem(m.Name, arms[0], ctl.N, arms[a], trt.N, m.Binary)
			} else {
				ps = append(ps, c.Result.P)
			}
			cs = append(cs, c)
		}
		if i == 0 && m.Binary {
			for j := range cs {
				cs[j].Sequential = e.sequential(daily[0], daily[j+1])
			}
		}
		adj := Holm(ps)
		k := 0
		for j := range cs {
			if cs[j].Problem != "" {
				continue
			}
			cs[j].AdjustedP = adj[k]
			k++
			cs[j].Significant = cs[j].AdjustedP < e.alpha
			worse := cs[j].Result.Effect < 0
			if m.LowerIsBetter {
				worse = cs[j].Result.Effect > 0
			}
			cs[j].Harm = cs[j].Significant && worse
		}
		rep.Comparisons = append(rep.Comparisons, cs...)
	}
	rep.Verdict = e.verdict(&rep)
	return rep
}

// A dayValue is one customer's binary value and the day of their first
// record.
type dayValue struct {
	day time.Time
	yes bool
}

// sequential looks at the control's and a treatment's values once a day,
// in day order, with an always-valid test, and returns its last result
// (nil if no day could be tested).
func (e *Experiment[T]) sequential(ctl, trt []dayValue) *Result {
	s, err := NewSequential(e.alpha, e.tau)
	if err != nil {
		return nil
	}
	all := append(slices.Clone(ctl), trt...)
	slices.SortFunc(all, func(a, b dayValue) int { return a.day.Compare(b.day) })
	var days []time.Time
	for _, d := range all {
		if len(days) == 0 || !days[len(days)-1].Equal(d.day) {
			days = append(days, d.day)
		}
	}
	var last *Result
	for _, day := range days {
		x1, n1 := upTo(ctl, day)
		x2, n2 := upTo(trt, day)
		if r, err := s.Update(x1, n1, x2, n2); err == nil {
			last = &r
		}
	}
	return last
}

// upTo counts the values (and the yes among them) up to and including day.
func upTo(vs []dayValue, day time.Time) (yes, n int) {
	for _, v := range vs {
		if !v.day.After(day) {
			n++
			if v.yes {
				yes++
			}
		}
	}
	return yes, n
}

func counts(rep *Report) []int {
	c := make([]int, len(rep.Arms))
	for i, a := range rep.Arms {
		c[i] = a.Customers
	}
	return c
}

func successes(vs []float64) int {
	n := 0
	for _, v := range vs {
		if v > 0 {
			n++
		}
	}
	return n
}

func problem(metric, ctl string, nc int, trt string, nt int, binary bool) string {
	need := 1
	if !binary {
		need = 2
	}
	var short []string
	if nc < need {
		short = append(short, fmt.Sprintf("%s has %d", ctl, nc))
	}
	if nt < need {
		short = append(short, fmt.Sprintf("%s has %d", trt, nt))
	}
	return fmt.Sprintf("%s: not enough customers with a value (%s; need %d per variant)", metric, strings.Join(short, ", "), need)
}

func (e *Experiment[T]) verdict(rep *Report) string {
	if rep.SRMProblem != "" && !e.adaptive {
		return "No verdict: " + rep.SRMProblem + "."
	}
	if slices.Max(counts(rep)) == 0 {
		return "No verdict: no exposures recorded yet."
	}
	if rep.SRM.Mismatch {
		return fmt.Sprintf("Do not trust these results: the traffic does not match the configured split "+
			"(sample-ratio mismatch, p = %.2g). Check assignment and exposure logging.", rep.SRM.P)
	}
	primary := e.primary.Name
	num, unit := func(x float64) string { return fmt.Sprintf("%+.3g", x) }, ""
	if e.primary.Binary {
		num, unit = func(x float64) string { return fmt.Sprintf("%+.1f", 100*x) }, " points"
	}
	var best *Comparison
	for i := range rep.Comparisons {
		c := &rep.Comparisons[i]
		if c.Metric != primary || !c.Significant {
			continue
		}
		good := c.Result.Effect > 0 != e.primary.LowerIsBetter
		if good && (best == nil || c.Result.Effect*sign(e.primary) > best.Result.Effect*sign(e.primary)) {
			best = c
		}
	}
	if best == nil {
		n := rep.Arms[0].Customers
		for _, a := range rep.Arms[1:len(e.variants)] {
			n = min(n, a.Customers)
		}
		s := fmt.Sprintf("No variant beats %s on %s yet (%d customers in the smallest variant).", rep.Control, primary, n)
		if ctl := rep.Arms[0].Metrics[0]; e.primary.Binary && ctl.N > 0 {
			if m, err := MDE(min(max(ctl.Mean, 0.001), 0.999), n, e.alpha, 0.8); err == nil {
				s += fmt.Sprintf(" At this size only a change of about %.1f points would be found 80%% of the time.", 100*m)
			}
		}
		return s
	}
	s := fmt.Sprintf("%s beats %s on %s: %s%s [%s, %s], adjusted p = %.2g.", best.Variant, rep.Control, primary,
		num(best.Result.Effect), unit, num(best.Result.CI.Lo), num(best.Result.CI.Hi), best.AdjustedP)
	var harms []string
	for _, c := range rep.Comparisons {
		if c.Variant == best.Variant && c.Metric != primary && c.Harm {
			harms = append(harms, c.Metric)
		}
	}
	if len(harms) > 0 {
		return s + " But it makes " + strings.Join(harms, " and ") + " significantly worse: do not promote it as it is."
	}
	rep.Winner = best.Variant
	return s + " No guardrail is significantly worse: promote it."
}

func sign(m Metric) float64 {
	if m.LowerIsBetter {
		return -1
	}
	return 1
}

// unit is the key of the unit r's outcomes are grouped by: its customer,
// or for an anonymous conversation the conversation itself (a key no
// customer ID can take).
func unit(r analytics.Record) string {
	if r.Customer == "" {
		return "\x00" + r.Conversation
	}
	return r.Customer
}
