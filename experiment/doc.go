// Package experiment runs A/B tests on what a bot says and offers, with
// honest statistics.
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
package experiment
