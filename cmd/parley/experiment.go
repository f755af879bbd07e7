package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/experiment"
)

// runExperiment is "parley experiment report|size".
func runExperiment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := "usage: parley experiment report [flags] events.jsonl...\n       parley experiment size [flags]\n\n" +
		"report: an experiment's report from analytics event logs (analytics/sink.JSONL): per-variant\n" +
		"customers and metrics, each variant against the control (fixed-horizon and always-valid\n" +
		"sequential tests), the sample-ratio check, guardrails, a recommendation, and the campaigns'\n" +
		"success metrics (cart recovery rate > 25%, renewal click rate > 40%).\n" +
		"size: the customers each variant needs to detect a change, or the change a size detects.\n" +
		"Run \"parley experiment report -h\" for its flags."
	return dispatch(ctx, "experiment", usage, []subcommand{{"report", experimentReport}, {"size", experimentSize}}, args, stdout, stderr)
}

// metricsByName are the metrics -metric accepts.
var metricsByName = map[string]func() experiment.Metric{
	"conversion": experiment.Conversion,
	"click":      experiment.ClickThrough,
	"escalation": experiment.Escalation,
	"csat":       experiment.Satisfaction,
	"opt-out":    experiment.OptOut,
}

func metricNames() string {
	names := make([]string, 0, len(metricsByName))
	for n := range metricsByName {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func experimentReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("experiment report", "usage: parley experiment report [flags] events.jsonl...", stderr)
	name := fs.String("name", "", "the experiment (default: the only one in the logs)")
	control := fs.String("control", "", "the control variant (default: \"control\" if there is one, else the first by name)")
	metric := fs.String("metric", "conversion", "the primary `metric`: "+metricNames())
	weights := fs.String("weights", "", "the configured split, one weight per variant, control first then by name (default: even), e.g. 1,1")
	holdout := fs.Float64("holdout", 0, "the configured holdout `fraction`, needed for the sample-ratio check when the logs have a holdout")
	alpha := fs.Float64("alpha", 0.05, "significance level")
	tau := fs.Float64("tau", 0.02, "the sequential test's mixture scale: about the absolute effect worth finding")
	cart := fs.String("cart", "abandoned_cart", "the abandoned-cart campaign, for the cart recovery rate goal (> 25%)")
	renewal := fs.String("renewal", "renewal", "the renewal campaign, for the renewal click rate goal (> 40%)")
	htmlOut := fs.String("html", "", "also write the report as an HTML page with plots to `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError(fs, "experiment report: no event log given")
	}
	primary, ok := metricsByName[*metric]
	if !ok {
		return fmt.Errorf("experiment report: -metric %q: want one of %s", *metric, metricNames())
	}
	records, err := readRecords(ctx, "experiment report", fs.Args(), stderr)
	if err != nil {
		return err
	}

	// The experiments and their variants, as the logs have them.
	variants := map[string][]string{}
	var names []string
	for _, r := range records {
		if r.Experiment == "" || r.Variant == "" {
			continue
		}
		if _, seen := variants[r.Experiment]; !seen {
			names = append(names, r.Experiment)
		}
		if !slices.Contains(variants[r.Experiment], r.Variant) {
			variants[r.Experiment] = append(variants[r.Experiment], r.Variant)
		}
	}
	slices.Sort(names)
	exp := *name
	switch {
	case exp == "" && len(names) == 1:
		exp = names[0]
	case exp == "" && len(names) > 1:
		return fmt.Errorf("experiment report: the logs have %d experiments (%s): choose one with -name", len(names), strings.Join(names, ", "))
	case exp != "" && variants[exp] == nil && len(names) > 0:
		return fmt.Errorf("experiment report: no exposures of experiment %q in the logs (they have %s)", exp, strings.Join(names, ", "))
	}

	w := stdout
	var rep *experiment.Report
	var metrics []experiment.Metric
	if exp == "" || variants[exp] == nil {
		fmt.Fprintln(w, "No experiment exposures in the logs (experiment.assigned events): no experiment report.")
	} else if rep, metrics, err = writeExperiment(w, records, exp, variants[exp], *control, primary(), *weights, *holdout, *alpha, *tau); err != nil {
		return err
	}

	goals, err := experiment.CheckGoals(records, experiment.PlaybookGoals(*cart, *renewal), *alpha)
	if err != nil {
		return fmt.Errorf("experiment report: %w", err)
	}
	fmt.Fprintln(w, "\nSuccess metrics")
	for _, g := range goals {
		fmt.Fprintf(w, "  %s\n", g.Verdict)
	}
	if *htmlOut != "" {
		return writeExperimentHTML(*htmlOut, rep, metrics, goals, *alpha)
	}
	return nil
}

// writeExperiment writes the report of experiment name over variants
// (those seen in the logs) and returns it with its metrics, primary first.
func writeExperiment(w io.Writer, records []analytics.Record, name string, seen []string, control string, primary experiment.Metric,
	weights string, holdout, alpha, tau float64) (*experiment.Report, []experiment.Metric, error) {
	var arms []string
	for _, v := range seen {
		if v != experiment.Holdout {
			arms = append(arms, v)
		}
	}
	slices.Sort(arms)
	if control == "" {
		control = arms[0]
		if slices.Contains(arms, "control") {
			control = "control"
		}
	}
	if !slices.Contains(arms, control) {
		return nil, nil, fmt.Errorf("experiment report: -control %q: the logs have variants %s", control, strings.Join(arms, ", "))
	}
	arms = append([]string{control}, slices.DeleteFunc(arms, func(v string) bool { return v == control })...)
	if len(arms) < 2 {
		return nil, nil, fmt.Errorf("experiment report: experiment %q has only the variant %q in the logs: nothing to compare", name, control)
	}
	ws := make([]float64, len(arms))
	for i := range ws {
		ws[i] = 1
	}
	if weights != "" {
		parts := strings.Split(weights, ",")
		if len(parts) != len(arms) {
			return nil, nil, fmt.Errorf("experiment report: -weights %q: %d weights for %d variants (%s)", weights, len(parts), len(arms), strings.Join(arms, ", "))
		}
		for i, p := range parts {
			f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil || !(f > 0) {
				return nil, nil, fmt.Errorf("experiment report: -weights %q: %q is not a positive number", weights, p)
			}
			ws[i] = f
		}
	}
	if slices.Contains(seen, experiment.Holdout) && holdout == 0 {
		return nil, nil, errors.New("experiment report: the logs have a holdout: give its configured fraction with -holdout")
	}
	vs := make([]experiment.Variant[struct{}], len(arms))
	for i, a := range arms {
		vs[i] = experiment.Variant[struct{}]{Name: a, Weight: ws[i]}
	}
	var guardrails []experiment.Metric
	for _, g := range []experiment.Metric{experiment.Escalation(), experiment.Satisfaction(), experiment.OptOut()} {
		if g.Name != primary.Name {
			guardrails = append(guardrails, g)
		}
	}
	metrics := append([]experiment.Metric{primary}, guardrails...)
	exp, err := experiment.New(name, vs, experiment.WithPrimary(primary), experiment.WithGuardrails(guardrails...),
		experiment.WithHoldout(holdout), experiment.WithAlpha(alpha), experiment.WithTau(tau))
	if err != nil {
		return nil, nil, fmt.Errorf("experiment report: %w", err)
	}
	rep := exp.Report(records)

	fmt.Fprintf(w, "Experiment %s: %s against %s; primary metric %s, alpha %g\n\n", name, strings.Join(arms[1:], ", "), control, primary.Name, alpha)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "variant\tcustomers\t"
	for _, m := range metrics {
		header += m.Name + "\t"
	}
	fmt.Fprintln(tw, header)
	for _, a := range rep.Arms {
		line := fmt.Sprintf("%s\t%d\t", a.Variant, a.Customers)
		for i, m := range metrics {
			line += formatMetric(m, a.Metrics[i]) + "\t"
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return nil, nil, err
	}

	fmt.Fprintln(w)
	switch {
	case rep.SRMProblem != "":
		fmt.Fprintf(w, "Sample ratio: not checked: %s.\n", rep.SRMProblem)
	case rep.SRM.Mismatch:
		fmt.Fprintf(w, "Sample ratio: MISMATCH, chi-square %.2f, p = %.2g < %g: the traffic does not match the configured split.\n", rep.SRM.Chi2, rep.SRM.P, experiment.SRMAlpha)
	default:
		fmt.Fprintf(w, "Sample ratio: fits the configured split (chi-square %.2f, p = %.2g).\n", rep.SRM.Chi2, rep.SRM.P)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "Note: %s.\n", p)
	}

	for _, v := range arms[1:] {
		fmt.Fprintf(w, "\n%s against %s\n", v, control)
		for _, c := range rep.Comparisons {
			if c.Variant != v {
				continue
			}
			m := metricNamed(metrics, c.Metric)
			role := "guardrail"
			if c.Metric == primary.Name {
				role = "primary"
			}
			if c.Problem != "" {
				fmt.Fprintf(w, "  %-9s %s: no test: %s\n", role, c.Metric, c.Problem)
				continue
			}
			r := c.Result
			line := fmt.Sprintf("  %-9s %s: %s -> %s, %s [%s, %s], p = %s", role, c.Metric,
				formatValue(m, r.Control), formatValue(m, r.Treatment), formatEffect(m, r.Effect), formatEffect(m, r.CI.Lo), formatEffect(m, r.CI.Hi), formatP(r.P))
			if len(arms) > 2 {
				line += fmt.Sprintf(" (Holm-adjusted %s)", formatP(c.AdjustedP))
			}
			switch {
			case c.Harm:
				line += ": significantly worse"
			case c.Significant:
				line += ": significant"
			}
			fmt.Fprintln(w, line)
			if s := c.Sequential; s != nil {
				verdict := "not significant"
				if s.P < alpha {
					verdict = "significant"
				}
				fmt.Fprintf(w, "  %-9s always-valid, looked at daily: p = %s, %s [%s, %s]: %s\n", "", formatP(s.P),
					formatEffect(m, s.Effect), formatEffect(m, s.CI.Lo), formatEffect(m, s.CI.Hi), verdict)
			}
		}
	}
	fmt.Fprintf(w, "\nRecommendation: %s\n", rep.Verdict)
	for _, c := range rep.Comparisons {
		if c.Metric == primary.Name && c.Significant && !rep.SRM.Mismatch && c.Sequential != nil && c.Sequential.P >= alpha {
			fmt.Fprintf(w, "Caution: if these results were looked at before the planned sample size (parley experiment size), only the "+
				"always-valid test counts, and it does not find %s different from %s yet (p = %s).\n", c.Variant, control, formatP(c.Sequential.P))
		}
	}
	if rep.Winner != "" {
		fmt.Fprintf(w, "Promote %q: experiment.Rollout.Promote(%q) for a flow version; running conversations keep theirs.\n", rep.Winner, rep.Winner)
	}
	return &rep, metrics, nil
}

func metricNamed(ms []experiment.Metric, name string) experiment.Metric {
	for _, m := range ms {
		if m.Name == name {
			return m
		}
	}
	return experiment.Metric{Name: name}
}

func formatMetric(m experiment.Metric, s experiment.Summary) string {
	if s.N == 0 {
		return "-"
	}
	return formatValue(m, s.Mean)
}

// round rounds x to the given decimals, half away from zero, after
// dropping floating-point noise, so that one rate computed two ways (26.25%
// as 0.2625 or 0.26249999) prints the same, as the package's own sentences
// do.
func round(x float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(math.Round(x*p*1e6)/1e6) / p
}

func formatValue(m experiment.Metric, x float64) string {
	if m.Binary {
		return fmt.Sprintf("%.1f%%", round(100*x, 1))
	}
	return fmt.Sprintf("%.2f", round(x, 2))
}

func formatEffect(m experiment.Metric, x float64) string {
	if m.Binary {
		return fmt.Sprintf("%+.1f pts", round(100*x, 1))
	}
	return fmt.Sprintf("%+.2f", round(x, 2))
}

func formatP(p float64) string {
	if p < 0.0001 {
		return "< 0.0001"
	}
	return strconv.FormatFloat(p, 'g', 2, 64)
}

// readRecords folds JSON Lines event logs into analytics records (all
// time), reporting malformed lines on stderr. An empty log is an error.
func readRecords(ctx context.Context, cmd string, files []string, stderr io.Writer) ([]analytics.Record, error) {
	agg := analytics.NewAggregator()
	n := 0
	if _, err := readEvents(ctx, cmd, files, stderr, func(e analytics.Event) { agg.Add(e); n++ }); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no events in %s", cmd, strings.Join(files, ", "))
	}
	return agg.Records(analytics.Window{}), nil
}

// experimentSize is the sample-size and minimum-detectable-effect
// calculator.
func experimentSize(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("experiment size", "usage: parley experiment size -base RATE (-mde CHANGE | -n CUSTOMERS) [flags]", stderr)
	base := fs.Float64("base", 0, "the control's current rate, e.g. 0.2 for 20% (required)")
	mde := fs.Float64("mde", 0, "the absolute change to detect, e.g. 0.05 for 5 points (or give -n)")
	n := fs.Int("n", 0, "customers per variant: print the change they detect instead")
	alpha := fs.Float64("alpha", 0.05, "significance level (two-sided)")
	power := fs.Float64("power", 0.8, "the chance of detecting a true change of -mde")
	variants := fs.Int("variants", 2, "variants including the control, for the total")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("experiment size: unexpected argument %q", fs.Arg(0))
	}
	if !(*base > 0 && *base < 1) {
		return fmt.Errorf("experiment size: -base %v: want a rate between 0 and 1 (exclusive)", *base)
	}
	if *variants < 2 {
		return fmt.Errorf("experiment size: -variants %d: need at least 2", *variants)
	}
	switch {
	case *mde != 0 && *n != 0:
		return errors.New("experiment size: give -mde or -n, not both")
	case *n != 0:
		if *n < 0 {
			return fmt.Errorf("experiment size: -n %d: want a positive number of customers", *n)
		}
		d, err := experiment.MDE(*base, *n, *alpha, *power)
		if err != nil {
			return fmt.Errorf("experiment size: %w (check -alpha and -power)", err)
		}
		fmt.Fprintf(stdout, "With %d customers per variant, a change of %.2f points from %.1f%% (to %.1f%%) is detected %.0f%% of the time at alpha %g (two-sided).\n",
			*n, 100*d, 100**base, 100*(*base+d), 100**power, *alpha)
		return nil
	case *mde != 0:
		size, err := experiment.SampleSize(*base, *mde, *alpha, *power)
		if err != nil {
			return fmt.Errorf("experiment size: %w (-mde must keep %v + mde between 0 and 1; check -alpha and -power)", err, *base)
		}
		fmt.Fprintf(stdout, "%d customers per variant (%d in all for %d variants) detect a change from %.1f%% to %.1f%% %.0f%% of the time at alpha %g (two-sided).\n",
			size, size**variants, *variants, 100**base, 100*(*base+*mde), 100**power, *alpha)
		if *variants > 2 {
			fmt.Fprintf(stdout, "With %d treatments the report corrects with Holm: for the same power, plan with -alpha %g.\n", *variants-1, *alpha/float64(*variants-1))
		}
		return nil
	}
	return usageError(fs, "experiment size: give -mde (the change to detect) or -n (customers per variant)")
}
