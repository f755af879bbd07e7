package experiment

import "math"

// Sequential is an always-valid test of two conversion rates, the mixture
// sequential probability ratio test (mSPRT) of Johari, Pekelis and Walsh,
// "Always Valid Inference" (2017), with a normal mixture of standard
// deviation tau over the difference of the rates and the plug-in normal
// approximation of the difference's distribution.
//
// Call Update with the cumulative counts every time you look (daily, or
// after every exposure): its p-value is the running minimum of 1/Lambda and
// its interval the running intersection of the confidence sequence, so
// that stopping the first time P < alpha keeps the false-positive rate at
// most alpha however often one looks. A fixed-horizon z-test looked at
// daily does not (see BENCHMARKS.md, "Experiments, issue 14").
//
// A Sequential is not safe for concurrent use.
type Sequential struct {
	alpha, tau2 float64
	p           float64
	ci          Interval
	looked      bool
}

// NewSequential returns a sequential test at level alpha whose mixture has
// standard deviation tau, on the absolute difference of the rates: set it
// near the effect worth finding (0.02 for two points). Any positive tau
// keeps the test valid; a good one makes it faster.
func NewSequential(alpha, tau float64) (*Sequential, error) {
	if checkAlpha(alpha) != nil || !(tau > 0) || math.IsInf(tau, 0) {
		return nil, ErrBadParameter
	}
	return &Sequential{alpha: alpha, tau2: tau * tau, p: 1}, nil
}

// Update takes the cumulative conversions and trials of the control (x1 of
// n1) and the treatment (x2 of n2) and returns the always-valid result so
// far: P the always-valid p-value, CI the confidence sequence for the
// difference and Stat the likelihood ratio Lambda. Counts that cannot be
// tested yet (no trials, or no conversion and no failure at all) leave P
// at 1 and return ErrNoData.
func (s *Sequential) Update(x1, n1, x2, n2 int) (Result, error) {
	r, err := ProportionTest(x1, n1, x2, n2, s.alpha)
	if err != nil {
		return Result{P: s.p, CI: s.ci}, err
	}
	pool := float64(x1+x2) / float64(n1+n2)
	v := pool * (1 - pool) * (1/float64(n1) + 1/float64(n2))
	if v == 0 {
		return Result{Control: r.Control, Treatment: r.Treatment, P: s.p, CI: s.ci}, ErrNoData
	}
	d := r.Effect
	lambda := math.Sqrt(v/(v+s.tau2)) * math.Exp(s.tau2*d*d/(2*v*(v+s.tau2)))
	s.p = min(s.p, 1/lambda)

	// The confidence sequence inverts Lambda >= 1/alpha, with the
	// unpooled variance of the difference.
	u := r.Control*(1-r.Control)/float64(n1) + r.Treatment*(1-r.Treatment)/float64(n2)
	u = max(u, 1e-12)
	w := math.Sqrt(u * (u + s.tau2) / s.tau2 * (2*math.Log(1/s.alpha) + math.Log((u+s.tau2)/u)))
	ci := Interval{d - w, d + w}
	if s.looked && max(ci.Lo, s.ci.Lo) <= min(ci.Hi, s.ci.Hi) {
		ci = Interval{max(ci.Lo, s.ci.Lo), min(ci.Hi, s.ci.Hi)}
	}
	s.ci, s.looked = ci, true
	return Result{Control: r.Control, Treatment: r.Treatment, Effect: d, Relative: r.Relative,
		CI: ci, Stat: lambda, P: s.p}, nil
}
