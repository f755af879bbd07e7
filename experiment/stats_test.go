package experiment

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDistributions(t *testing.T) {
	// Reference values: R 4.x qnorm, qt, qchisq.
	assert.InDelta(t, 1.959963984540054, normalQuantile(0.975), 1e-9) // qnorm(0.975)
	assert.InDelta(t, 0.025, normalSF(1.959963984540054), 1e-12)
	assert.InDelta(t, 2.228138851986, studentQuantile(0.975, 10), 1e-8) // qt(0.975, 10)
	assert.InDelta(t, 2.570581835636, studentQuantile(0.975, 5), 1e-8)  // qt(0.975, 5)
	assert.InDelta(t, 12.7062047362, studentQuantile(0.975, 1), 1e-7)   // qt(0.975, 1)
	assert.InDelta(t, 0.05, chiSquareSF(3.841458820694124, 1), 1e-10)   // qchisq(0.95, 1)
	assert.InDelta(t, 0.05, chiSquareSF(5.991464547107979, 2), 1e-10)   // qchisq(0.95, 2)
	assert.InDelta(t, 0.05, chiSquareSF(7.814727903251178, 3), 1e-10)   // qchisq(0.95, 3)
	assert.InDelta(t, 0.001, chiSquareSF(10.82756617, 1), 1e-9)         // qchisq(0.999, 1)
	assert.InDelta(t, 0.05, chiSquareSF(124.3421134, 100), 1e-8)        // qchisq(0.95, 100)
}

func TestProportionTest(t *testing.T) {
	// 45/100 against 30/100, by hand: pooled rate 0.375, z = 0.15 /
	// sqrt(0.375 * 0.625 * 0.02) = 2.19089, so R's
	// prop.test(c(45, 30), c(100, 100), correct = FALSE) has X-squared =
	// 4.8 and p-value = pchisq(4.8, 1, lower.tail = FALSE) = 0.02846; the
	// Wald interval is 0.15 +- 1.959964 * sqrt(0.3*0.7/100 + 0.45*0.55/100)
	// = [0.0174305, 0.2825695].
	r, err := ProportionTest(30, 100, 45, 100, 0.05)
	require.NoError(t, err)
	assert.InDelta(t, 0.15, r.Effect, 1e-12)
	assert.InDelta(t, 0.5, r.Relative, 1e-12)
	assert.InDelta(t, 4.8, r.Stat*r.Stat, 1e-9)
	assert.InDelta(t, 0.02845974, r.P, 1e-7)
	assert.InDelta(t, 0.0174305, r.CI.Lo, 1e-7)
	assert.InDelta(t, 0.2825695, r.CI.Hi, 1e-7)

	_, err = ProportionTest(0, 0, 3, 10, 0.05)
	assert.ErrorIs(t, err, ErrNoData)
	_, err = ProportionTest(11, 10, 3, 10, 0.05)
	assert.ErrorIs(t, err, ErrBadParameter)
	_, err = ProportionTest(1, 10, 3, 10, 0)
	assert.ErrorIs(t, err, ErrBadParameter)
	r, err = ProportionTest(0, 10, 0, 10, 0.05) // no conversions at all: no evidence
	require.NoError(t, err)
	assert.Equal(t, 1.0, r.P)
}

func TestWelchTest(t *testing.T) {
	// Wikipedia, "Welch's t-test", example 1: t = -2.46, df = 24.9,
	// p = 0.021 (the page's rounding; so are the tolerances).
	a1 := []float64{27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4}
	a2 := []float64{27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4}
	r, err := WelchTest(Summarize(a2), Summarize(a1), 0.05)
	require.NoError(t, err)
	assert.InDelta(t, -2.46, r.Stat, 0.005)
	assert.InDelta(t, 24.9, r.DF, 0.1)
	assert.InDelta(t, 0.021, r.P, 0.0005)
	assert.Less(t, r.CI.Hi, 0.0) // p < 0.05: the interval excludes 0
	assert.InDelta(t, r.Effect, (r.CI.Lo+r.CI.Hi)/2, 1e-12)
	// The interval is the effect plus or minus qt(0.975, df) standard errors.
	se := r.Effect / r.Stat
	assert.InDelta(t, studentQuantile(0.975, r.DF)*se, r.CI.Hi-r.Effect, 1e-9)

	s := Summarize([]float64{1, 2, 3, 4})
	assert.Equal(t, 4, s.N)
	assert.InDelta(t, 2.5, s.Mean, 1e-15)
	assert.InDelta(t, 5.0/3, s.Var, 1e-15)
	_, err = WelchTest(Summarize([]float64{1}), s, 0.05)
	assert.ErrorIs(t, err, ErrNoData)
}

func TestSampleSizeAndMDE(t *testing.T) {
	// R: power.prop.test(p1 = .50, p2 = .75, power = .90) gives n = 76.7
	// (its documented example).
	n, err := sampleSize(0.5, 0.25, 0.05, 0.9)
	require.NoError(t, err)
	assert.InDelta(t, 76.7, n, 0.05)
	// R: power.prop.test(p1 = .20, p2 = .25, power = .80) gives n = 1093.7.
	ni, err := SampleSize(0.2, 0.05, 0.05, 0.8)
	require.NoError(t, err)
	assert.Equal(t, 1094, ni)

	m, err := MDE(0.2, 1094, 0.05, 0.8)
	require.NoError(t, err)
	assert.InDelta(t, 0.05, m, 0.0002)
	assert.LessOrEqual(t, m, 0.05)

	_, err = SampleSize(0.2, 0, 0.05, 0.8)
	assert.ErrorIs(t, err, ErrBadParameter)
	_, err = SampleSize(0.99, 0.05, 0.05, 0.8)
	assert.ErrorIs(t, err, ErrBadParameter)
	_, err = MDE(0.2, 0, 0.05, 0.8)
	assert.ErrorIs(t, err, ErrNoData)
}

func TestCheckSRM(t *testing.T) {
	// chisq.test(c(5000, 5300)) in R: X-squared = 2 * 150^2 / 5150 =
	// 8.7379, p-value = pchisq(8.7379, 1, lower.tail = FALSE) = 0.003117.
	s, err := CheckSRM([]int{5000, 5300}, []float64{1, 1})
	require.NoError(t, err)
	assert.InDelta(t, 8.737864, s.Chi2, 1e-6)
	assert.InDelta(t, 0.003117, s.P, 1e-6)
	assert.False(t, s.Mismatch)

	// A 90/10 split logged as 1,000 vs 200 (expected 1,080 vs 120):
	// X-squared = 59.26, p ~ 1.4e-14.
	s, err = CheckSRM([]int{1000, 200}, []float64{0.9, 0.1})
	require.NoError(t, err)
	assert.InDelta(t, 59.259259, s.Chi2, 1e-6)
	assert.True(t, s.Mismatch)

	_, err = CheckSRM([]int{0, 0}, []float64{1, 1})
	assert.ErrorIs(t, err, ErrNoData)
	_, err = CheckSRM([]int{1, 2}, []float64{1})
	assert.ErrorIs(t, err, ErrBadParameter)
	_, err = CheckSRM([]int{1, 2}, []float64{1, 0})
	assert.ErrorIs(t, err, ErrBadParameter)
}

func TestHolm(t *testing.T) {
	// p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") in R, by hand: sorted
	// 0.005*4, 0.01*3, 0.03*2, 0.04*1 with a running maximum gives
	// 0.030 0.060 0.060 0.020 in the original order.
	got := Holm([]float64{0.01, 0.04, 0.03, 0.005})
	want := []float64{0.03, 0.06, 0.06, 0.02}
	for i := range want {
		assert.InDelta(t, want[i], got[i], 1e-12, "p[%d]", i)
	}
	assert.Equal(t, []float64{0.7}, Holm([]float64{0.7}))
	assert.Equal(t, []float64{1, 1}, Holm([]float64{0.7, 0.9}))
	assert.Empty(t, Holm(nil))
}

// binomial draws the number of successes in n trials of rate p.
func binomial(rng *rand.Rand, n int, p float64) int {
	x := 0
	for range n {
		if rng.Float64() < p {
			x++
		}
	}
	return x
}

// TestAAUniformPValues: in 1,000 A/A experiments of 1,000 customers per arm
// at a 20% rate, the z-test's p-values are uniform (Kolmogorov-Smirnov
// statistic under the 1% critical value 1.628/sqrt(1000)), and about 5% of
// them fall under 0.05.
func TestAAUniformPValues(t *testing.T) {
	const sims, n = 1000, 1000
	rng := rand.New(rand.NewPCG(14, 1))
	ps := make([]float64, sims)
	for i := range ps {
		r, err := ProportionTest(binomial(rng, n, 0.2), n, binomial(rng, n, 0.2), n, 0.05)
		require.NoError(t, err)
		ps[i] = r.P
	}
	slices.Sort(ps)
	d, below := 0.0, 0
	for i, p := range ps {
		d = max(d, math.Abs(float64(i+1)/sims-p), math.Abs(p-float64(i)/sims))
		if p < 0.05 {
			below++
		}
	}
	t.Logf("KS D = %.4f, false positives %d/%d", d, below, sims)
	assert.Less(t, d, 1.628/math.Sqrt(sims))
	assert.InDelta(t, 0.05, float64(below)/sims, 0.02)
}

// TestPowerAtSampleSize: a planted 5-point uplift over 20% is detected in at
// least 80% of 2,000 experiments run at the size SampleSize gives.
func TestPowerAtSampleSize(t *testing.T) {
	const sims = 2000
	n, err := SampleSize(0.2, 0.05, 0.05, 0.8)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(14, 2))
	found := 0
	for range sims {
		r, err := ProportionTest(binomial(rng, n, 0.2), n, binomial(rng, n, 0.25), n, 0.05)
		require.NoError(t, err)
		if r.P < 0.05 && r.Effect > 0 {
			found++
		}
	}
	t.Logf("n = %d per arm, power %.3f", n, float64(found)/sims)
	assert.GreaterOrEqual(t, float64(found)/sims, 0.80)
}

// peekingRates runs sims A/A experiments of days days with perDay customers
// per arm each day at rate p, looks at the end of every day, and returns the
// share of experiments that a daily fixed-horizon z-test and a daily
// Sequential test ever declared significant at alpha.
func peekingRates(t *testing.T, seed uint64, sims, days, perDay int, p, alpha float64) (fixed, seq float64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	var nFixed, nSeq int
	for range sims {
		s, err := NewSequential(alpha, 0.02)
		require.NoError(t, err)
		var x1, x2, n int
		var hitF, hitS bool
		for range days {
			x1 += binomial(rng, perDay, p)
			x2 += binomial(rng, perDay, p)
			n += perDay
			r, err := ProportionTest(x1, n, x2, n, alpha)
			require.NoError(t, err)
			hitF = hitF || r.P < alpha
			sr, err := s.Update(x1, n, x2, n)
			require.NoError(t, err)
			hitS = hitS || sr.P < alpha
		}
		if hitF {
			nFixed++
		}
		if hitS {
			nSeq++
		}
	}
	return float64(nFixed) / float64(sims), float64(nSeq) / float64(sims)
}

// TestSequentialPeeking: 1,000 A/A experiments looked at daily for 30 days
// (100 customers per arm per day, 10% conversion). Stopping at the first
// p < 0.05 of the fixed-horizon z-test declares a difference in far more
// than 5% of them; the sequential test stays at or under 5%.
func TestSequentialPeeking(t *testing.T) {
	fixed, seq := peekingRates(t, 14, 1000, 30, 100, 0.1, 0.05)
	t.Logf("false-positive rate, looked at daily for 30 days: fixed z-test %.3f, sequential %.3f", fixed, seq)
	assert.Greater(t, fixed, 0.15)
	assert.LessOrEqual(t, seq, 0.05)
}

// TestSequentialDetects: with a real 10% -> 13% uplift, the sequential test
// finds it within 30 days in most experiments, and its interval covers
// the true effect.
func TestSequentialDetects(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 4))
	found, covered := 0, 0
	const sims = 200
	for range sims {
		s, err := NewSequential(0.05, 0.02)
		require.NoError(t, err)
		var x1, x2, n int
		var r Result
		hit := false
		for range 30 {
			x1 += binomial(rng, 200, 0.10)
			x2 += binomial(rng, 200, 0.13)
			n += 200
			r, err = s.Update(x1, n, x2, n)
			require.NoError(t, err)
			hit = hit || r.P < 0.05
		}
		if hit {
			found++
		}
		if r.CI.Lo <= 0.03 && 0.03 <= r.CI.Hi {
			covered++
		}
	}
	t.Logf("found %d/%d, interval covers the effect %d/%d", found, sims, covered, sims)
	assert.GreaterOrEqual(t, found, sims*8/10)
	assert.GreaterOrEqual(t, covered, sims*95/100)
}

func TestSequentialBadInput(t *testing.T) {
	_, err := NewSequential(0.05, 0)
	assert.ErrorIs(t, err, ErrBadParameter)
	_, err = NewSequential(1, 0.02)
	assert.ErrorIs(t, err, ErrBadParameter)
	s, err := NewSequential(0.05, 0.02)
	require.NoError(t, err)
	r, err := s.Update(0, 0, 0, 0)
	assert.ErrorIs(t, err, ErrNoData)
	assert.Equal(t, 1.0, r.P)
	r, err = s.Update(0, 10, 0, 10)
	assert.ErrorIs(t, err, ErrNoData)
	assert.Equal(t, 1.0, r.P)
}
