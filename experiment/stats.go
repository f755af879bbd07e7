package experiment

import (
	"errors"
	"math"
	"slices"
)

// ErrNoData is returned by the statistics when a group has too few
// observations to say anything (no trials, fewer than two values for a
// variance), so that a report shows a sentence instead of NaN.
var ErrNoData = errors.New("experiment: not enough data")

// ErrBadParameter is returned for a probability, rate or size outside its
// range (alpha not in (0, 1), successes above trials, a negative weight).
var ErrBadParameter = errors.New("experiment: parameter out of range")

// SRMAlpha is the p-value under which a sample-ratio mismatch is reported:
// traffic this far from the configured split means assignment or exposure
// logging is broken and the results are not to be trusted.
const SRMAlpha = 0.001

// An Interval is a confidence interval (or, from [Sequential], a confidence
// sequence) for an effect.
type Interval struct {
	Lo, Hi float64
}

// A Result is the comparison of a treatment with its control.
type Result struct {
	// Control and Treatment are the two groups' means (rates for
	// proportions).
	Control, Treatment float64
	// Effect is Treatment - Control; Relative is Effect / Control, 0
	// when Control is 0.
	Effect, Relative float64
	// CI is the (1 - alpha) interval for Effect.
	CI Interval
	// Stat is the test statistic (z or t) and DF the degrees of freedom
	// of a t statistic (0 for z).
	Stat, DF float64
	// P is the two-sided p-value.
	P float64
}

// A Summary is the size, mean and (sample, n-1) variance of a group, the
// input of [WelchTest].
type Summary struct {
	N         int
	Mean, Var float64
}

// Summarize returns the summary of xs, computed with Welford's method.
func Summarize(xs []float64) Summary {
	var s Summary
	var m2 float64
	for _, x := range xs {
		s.N++
		d := x - s.Mean
		s.Mean += d / float64(s.N)
		m2 += d * (x - s.Mean)
	}
	if s.N > 1 {
		s.Var = m2 / float64(s.N-1)
	}
	return s
}

func checkAlpha(alpha float64) error {
	if !(alpha > 0 && alpha < 1) {
		return ErrBadParameter
	}
	return nil
}

func relative(effect, base float64) float64 {
	if base == 0 {
		return 0
	}
	return effect / base
}

// ProportionTest compares the conversion rates x1/n1 (control) and x2/n2
// (treatment) with the two-sided two-proportion z-test: the statistic uses
// the pooled rate, the (1 - alpha) interval for the difference the unpooled
// (Wald) standard error. It is the same test as R's
// prop.test(correct = FALSE), whose X-squared is Stat squared.
func ProportionTest(x1, n1, x2, n2 int, alpha float64) (Result, error) {
	if err := checkAlpha(alpha); err != nil {
		return Result{}, err
	}
	if x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2 {
		return Result{}, ErrBadParameter
	}
	if n1 == 0 || n2 == 0 {
		return Result{}, ErrNoData
	}
	p1, p2 := float64(x1)/float64(n1), float64(x2)/float64(n2)
	r := Result{Control: p1, Treatment: p2, Effect: p2 - p1, Relative: relative(p2-p1, p1), P: 1}
	pool := float64(x1+x2) / float64(n1+n2)
	if se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n2))); se > 0 {
		r.Stat = r.Effect / se
		r.P = 2 * normalSF(math.Abs(r.Stat))
	}
	w := normalQuantile(1-alpha/2) * math.Sqrt(p1*(1-p1)/float64(n1)+p2*(1-p2)/float64(n2))
	r.CI = Interval{r.Effect - w, r.Effect + w}
	return r, nil
}

// WelchTest compares the means of a (control) and b (treatment) with
// Welch's unequal-variances t-test, two-sided, with the
// Welch-Satterthwaite degrees of freedom and a (1 - alpha) interval for
// the difference, as R's t.test(b, a) does. Each group needs at least two
// values.
func WelchTest(a, b Summary, alpha float64) (Result, error) {
	if err := checkAlpha(alpha); err != nil {
		return Result{}, err
	}
	if a.N < 2 || b.N < 2 {
		return Result{}, ErrNoData
	}
	if a.Var < 0 || b.Var < 0 {
		return Result{}, ErrBadParameter
	}
	r := Result{Control: a.Mean, Treatment: b.Mean, Effect: b.Mean - a.Mean, Relative: relative(b.Mean-a.Mean, a.Mean), P: 1}
	va, vb := a.Var/float64(a.N), b.Var/float64(b.N)
	se := math.Sqrt(va + vb)
	if se == 0 {
		if r.Effect != 0 {
			r.P = 0
		}
		r.CI = Interval{r.Effect, r.Effect}
		return r, nil
	}
	r.DF = (va + vb) * (va + vb) / (va*va/float64(a.N-1) + vb*vb/float64(b.N-1))
	r.Stat = r.Effect / se
	r.P = 2 * studentSF(math.Abs(r.Stat), r.DF)
	w := studentQuantile(1-alpha/2, r.DF) * se
	r.CI = Interval{r.Effect - w, r.Effect + w}
	return r, nil
}

// SampleSize returns the number of customers each arm needs for a
// two-sided two-proportion z-test at level alpha to detect, with the given
// power, an absolute change of mde from the base rate (0.05 is 5 points):
//
//	n = (z(1-alpha/2) sqrt(2 p q) + z(power) sqrt(p1 q1 + p2 q2))^2 / mde^2
//
// with p the mean of p1 = base and p2 = base + mde, rounded up; the formula
// of R's power.prop.test.
func SampleSize(base, mde, alpha, power float64) (int, error) {
	n, err := sampleSize(base, mde, alpha, power)
	if err != nil {
		return 0, err
	}
	return int(math.Ceil(n)), nil
}

func sampleSize(base, mde, alpha, power float64) (float64, error) {
	p2 := base + mde
	if checkAlpha(alpha) != nil || !(power > 0 && power < 1) || !(base > 0 && base < 1) ||
		!(p2 > 0 && p2 < 1) || mde == 0 {
		return 0, ErrBadParameter
	}
	pm := (base + p2) / 2
	a := normalQuantile(1-alpha/2) * math.Sqrt(2*pm*(1-pm))
	b := normalQuantile(power) * math.Sqrt(base*(1-base)+p2*(1-p2))
	return (a + b) * (a + b) / (mde * mde), nil
}

// MDE returns the smallest absolute increase over the base rate that n
// customers per arm detect with the given power in a two-sided test at level
// alpha: the inverse of [SampleSize].
func MDE(base float64, n int, alpha, power float64) (float64, error) {
	if n < 1 {
		return 0, ErrNoData
	}
	if _, err := sampleSize(base, (1-base)/2, alpha, power); err != nil {
		return 0, err
	}
	lo, hi := 0.0, 1-base // sampleSize falls as the effect grows
	for range 200 {
		mid := (lo + hi) / 2
		if m, _ := sampleSize(base, mid, alpha, power); mid == 0 || m > float64(n) {
			lo = mid
		} else {
			hi = mid
		}
	}
	if hi >= 1-base-1e-12 {
		return 0, ErrNoData // not even the largest effect is detectable
	}
	return hi, nil
}

// An SRM is the outcome of a sample-ratio-mismatch check.
type SRM struct {
	// Chi2 is Pearson's statistic and P its p-value with k-1 degrees of
	// freedom.
	Chi2, P float64
	// Mismatch is P < SRMAlpha.
	Mismatch bool
}

// CheckSRM tests whether the observed counts per arm fit the configured
// weights (any positive scale) with Pearson's chi-square goodness-of-fit
// test, as R's chisq.test(observed, p = weights, rescale.p = TRUE).
func CheckSRM(observed []int, weights []float64) (SRM, error) {
	if len(observed) != len(weights) || len(observed) < 2 {
		return SRM{}, ErrBadParameter
	}
	var total int
	var wsum float64
	for i, o := range observed {
		if o < 0 || !(weights[i] > 0) {
			return SRM{}, ErrBadParameter
		}
		total += o
		wsum += weights[i]
	}
	if total == 0 {
		return SRM{}, ErrNoData
	}
	var s SRM
	for i, o := range observed {
		e := float64(total) * weights[i] / wsum
		s.Chi2 += (float64(o) - e) * (float64(o) - e) / e
	}
	s.P = chiSquareSF(s.Chi2, float64(len(observed)-1))
	s.Mismatch = s.P < SRMAlpha
	return s, nil
}

// Holm returns the p-values adjusted for multiple comparisons with Holm's
// step-down method (as R's p.adjust(p, "holm")), in the order given: reject
// the hypotheses whose adjusted p-value is below alpha and the family-wise
// error rate stays at most alpha.
func Holm(p []float64) []float64 {
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case p[a] < p[b]:
			return -1
		case p[a] > p[b]:
			return 1
		}
		return 0
	})
	out := make([]float64, len(p))
	run := 0.0
	for k, i := range idx {
		run = max(run, min(1, float64(len(p)-k)*p[i]))
		out[i] = run
	}
	return out
}

// normalSF is P(Z > z) for a standard normal Z.
func normalSF(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// normalQuantile is the inverse of the standard normal CDF.
func normalQuantile(p float64) float64 {
	if p < 0.5 {
		return -math.Sqrt2 * math.Erfcinv(2*p)
	}
	return math.Sqrt2 * math.Erfcinv(2*(1-p))
}

// studentSF is P(T > t) for t >= 0 and Student's t with df degrees of
// freedom: I_{df/(df+t^2)}(df/2, 1/2) / 2.
func studentSF(t, df float64) float64 {
	return 0.5 * regIncBeta(df/2, 0.5, df/(df+t*t))
}

// studentQuantile is the p quantile (p > 0.5) of Student's t, by bisection.
func studentQuantile(p, df float64) float64 {
	lo, hi := 0.0, 1.0
	for studentSF(hi, df) > 1-p {
		hi *= 2
	}
	for range 200 {
		mid := (lo + hi) / 2
		if studentSF(mid, df) > 1-p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// regIncBeta is the regularized incomplete beta function I_x(a, b), by
// the continued fraction of Numerical Recipes (3rd ed., 6.4).
func regIncBeta(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a + b)
	lb, _ := math.Lgamma(a)
	lc, _ := math.Lgamma(b)
	front := math.Exp(la - lb - lc + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, 1-x)/b
}

func betaCF(a, b, x float64) float64 {
	const tiny = 1e-300
	clamp := func(v float64) float64 {
		if math.Abs(v) < tiny {
			return tiny
		}
		return v
	}
	c, d := 1.0, 1/clamp(1-(a+b)*x/(a+1))
	h := d
	// step applies one coefficient aa of the continued fraction (modified
	// Lentz) and returns the factor it multiplies h by.
	step := func(aa float64) float64 {
		d = 1 / clamp(1+aa*d)
		c = clamp(1 + aa/c)
		return d * c
	}
	for m := 1; m <= 10000; m++ {
		fm := float64(m)
		h *= step(fm * (b - fm) * x / ((a + 2*fm - 1) * (a + 2*fm)))
		del := step(-(a + fm) * (a + b + fm) * x / ((a + 2*fm) * (a + 2*fm + 1)))
		h *= del
		if math.Abs(del-1) < 1e-15 {
			break
		}
	}
	return h
}

// chiSquareSF is P(X > x) for X chi-square with k degrees of freedom: the
// regularized upper incomplete gamma Q(k/2, x/2).
func chiSquareSF(x, k float64) float64 {
	if x <= 0 {
		return 1
	}
	a, y := k/2, x/2
	lg, _ := math.Lgamma(a)
	if y < a+1 { // series for P(a, y)
		sum, term := 1/a, 1/a
		for n := 1.0; n < 10000; n++ {
			term *= y / (a + n)
			sum += term
			if math.Abs(term) < math.Abs(sum)*1e-16 {
				break
			}
		}
		return 1 - sum*math.Exp(-y+a*math.Log(y)-lg)
	}
	const tiny = 1e-300 // continued fraction for Q(a, y) (Lentz)
	b := y + 1 - a
	c, d := 1/tiny, 1/b
	h := d
	for i := 1.0; i < 10000; i++ {
		an := -i * (i - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return math.Exp(-y+a*math.Log(y)-lg) * h
}
