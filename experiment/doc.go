// Package experiment runs A/B tests on what a bot says and offers, with
// honest statistics.
//
// # Experiments
//
// An [Experiment] has variants (a message, an offer, a campaign step, a flow
// version: any Go value), the first of them the control, with configurable
// weights and an optional holdout. [Experiment.Assign] is a hash of the
// experiment's name and the unified customer ID: sticky across channels and
// replicas with nothing stored. [Experiment.Expose] records, when the
// variant is actually shown, an analytics.EventAssigned event, which
// analytics folds into Record.Experiment and Record.Variant.
// [Experiment.Report] reads those records back, customer by customer: the
// primary metric ([Conversion] by default) and guardrails ([Escalation],
// [Satisfaction], [OptOut]) per arm, each treatment tested against the
// control (Holm-corrected when there are several), the sample-ratio check,
// and a verdict in words.
//
//	exp, err := experiment.New("cart-tone", []experiment.Variant[string]{
//		{Name: "control", Value: "You left something in your cart."},
//		{Name: "friendly", Value: "Still thinking it over? Your cart is saved."},
//	}, experiment.WithHoldout(0.1))
//	...
//	v, ok := exp.Assign(t.CustomerID)
//	exp.Expose(ctx, t, v)
//	...
//	rep := exp.Report(agg.Records(analytics.Week(time.Now())))
//	fmt.Println(rep.Verdict)
//
// # Self-optimising campaigns
//
// A [Bandit] allocates traffic by Thompson sampling (Beta-Bernoulli) on
// the conversions seen so far, after a minimum number of exposures per
// variant and with an exploration floor; build the experiment it feeds
// with [WithAdaptiveSplit] and the same report applies.
//
// # Flow versions
//
// A [Rollout] ([NewRollout]) tests versions of one flow: with
// [Rollout.Version] given to flow.WithVersion, each customer starts their
// variant's version and the exposure is recorded; [Rollout.Promote] then sends every new
// conversation to the winner, while conversations already in the flow
// keep the version they started with.
//
// # Campaign goals
//
// [CheckGoals] measures campaigns against success targets ([Goal]; the
// retention playbook's are [PlaybookGoals]: cart recovery above 25%,
// renewal clicks above 40%), for all the customers a campaign reached and
// per variant, with an interval and a met/missed verdict.
//
// # Statistics
//
// The tests are pure Go and checked against R's outputs and against
// simulation: [ProportionTest] (two-proportion z-test) and [WelchTest]
// (Welch's t-test) with confidence intervals, [SampleSize] and [MDE] to
// plan, [CheckSRM] for a sample-ratio mismatch (chi-square, alerting at
// p < [SRMAlpha]), [Holm] when more than one treatment is compared with the
// control, and [Sequential], an always-valid test (mSPRT) whose p-value and
// confidence sequence may be looked at every day without inflating false
// positives, as looking at a fixed-horizon z-test daily does.
//
// # Concurrency
//
// Experiment, Bandit and Rollout are safe for concurrent use; a Sequential belongs
// to one goroutine.
//
// # Errors
//
// [New] and [NewBandit] return every problem of their input joined. The
// statistics return [ErrNoData] when a group is too small and
// [ErrBadParameter] for a value out of range; a Report turns them into
// sentences (Comparison.Problem, Report.SRMProblem), never NaN.
package experiment
