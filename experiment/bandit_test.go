package experiment

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBanditBadInput(t *testing.T) {
	_, err := NewBandit([]string{"a"})
	assert.ErrorContains(t, err, "at least 2 variants")
	_, err = NewBandit([]string{"a", "a", "b"}, WithFloor(0.5), WithMinExposures(-1))
	assert.ErrorContains(t, err, `"a" twice`)
	assert.ErrorContains(t, err, "floor 0.5 outside [0, 1/3]")
	assert.ErrorContains(t, err, "minimum exposures -1")

	b, err := NewBandit([]string{"a", "b"}, WithSource(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	assert.ErrorContains(t, b.Add("c", 1, 0), `no variant "c"`)
	assert.ErrorIs(t, b.Add("a", 1, 2), ErrBadParameter)
	assert.ErrorIs(t, b.Add("a", -1, 0), ErrBadParameter)
	require.NoError(t, b.Add("a", 2, 1))
	require.NoError(t, b.Add("a", 0, 1), "a late conversion")
	assert.ErrorIs(t, b.Add("a", 0, 1), ErrBadParameter)
}

// run simulates exposures one at a time against the true rates and returns
// the exposures per variant, those of the last half, and the conversions.
func runBandit(t *testing.T, b *Bandit, names []string, rates []float64, rng *rand.Rand, n int) (all, late []int, conv int) {
	all, late = make([]int, len(names)), make([]int, len(names))
	for i := range n {
		v := b.Choose()
		k := slices.Index(names, v)
		c := 0
		if rng.Float64() < rates[k] {
			c = 1
		}
		conv += c
		require.NoError(t, b.Add(v, 1, c))
		all[k]++
		if i >= n/2 {
			late[k]++
		}
	}
	return all, late, conv
}

// TestBanditLearns: three variants converting at 5%, 10% and 15%. The best
// gets most of the traffic, the worst keeps at least its floor, and the
// bandit converts more customers than an even split would on average.
func TestBanditLearns(t *testing.T) {
	names, rates := []string{"a", "b", "c"}, []float64{0.05, 0.10, 0.15}
	const n = 20_000
	b, err := NewBandit(names, WithSource(rand.NewPCG(14, 20)))
	require.NoError(t, err)
	all, late, conv := runBandit(t, b, names, rates, rand.New(rand.NewPCG(14, 21)), n)
	t.Logf("exposures %v, last half %v, conversions %d (an even split expects %d)", all, late, conv, n/10)
	assert.Greater(t, float64(late[2])/(n/2), 0.80, "the best variant dominates")
	assert.GreaterOrEqual(t, float64(late[0])/(n/2), 0.8*DefaultFloor, "the floor holds")
	assert.Greater(t, conv, n/10+n/50) // at least 2 points better than 10%

	s := b.Shares(10_000)
	assert.Greater(t, s[2], 0.85)
	assert.InDelta(t, DefaultFloor, s[0], 0.01)
}

// TestBanditWaitsForMinimum: until every variant has its minimum exposures
// the split stays even, however good one looks.
func TestBanditWaitsForMinimum(t *testing.T) {
	b, err := NewBandit([]string{"a", "b"}, WithMinExposures(500), WithSource(rand.NewPCG(14, 22)))
	require.NoError(t, err)
	require.NoError(t, b.Add("a", 500, 0))
	require.NoError(t, b.Add("b", 499, 499))
	s := b.Shares(20_000)
	assert.InDelta(t, 0.5, s[0], 0.015)
	require.NoError(t, b.Add("b", 1, 1))
	s = b.Shares(20_000)
	assert.InDelta(t, DefaultFloor, s[0], 0.01, "reallocated once b reached 500 too")
}

func TestBanditDeterministic(t *testing.T) {
	seq := func() []string {
		b, err := NewBandit([]string{"a", "b", "c"}, WithMinExposures(5), WithSource(rand.NewPCG(7, 7)))
		require.NoError(t, err)
		var out []string
		for i := range 200 {
			v := b.Choose()
			require.NoError(t, b.Add(v, 1, i%3&1))
			out = append(out, v)
		}
		return out
	}
	assert.Equal(t, seq(), seq())
}

// TestBetaSample checks the sampler's mean and variance against
// Beta(3, 7): mean 0.3, variance 3*7/(10^2*11) = 0.019091.
func TestBetaSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 23))
	xs := make([]float64, 200_000)
	for i := range xs {
		xs[i] = betaSample(rng, 3, 7)
	}
	s := Summarize(xs)
	assert.InDelta(t, 0.3, s.Mean, 0.002)
	assert.InDelta(t, 0.019091, s.Var, 0.0005)
}

func TestReportAdaptiveSplit(t *testing.T) {
	e := twoMessages(t, WithAdaptiveSplit())
	rng := rand.New(rand.NewPCG(14, 24))
	rep := e.Report(append(records(rng, "cart-tone", "control", 300, 0.1, 0), records(rng, "cart-tone", "friendly", 3000, 0.2, 0)...))
	assert.Equal(t, "the split is adaptive: no fixed ratio to check", rep.SRMProblem)
	assert.False(t, rep.SRM.Mismatch)
	assert.Contains(t, rep.Verdict, "friendly beats control")
	v, ok := e.Variant("friendly")
	assert.True(t, ok)
	assert.Equal(t, "Still thinking it over? Your cart is saved.", v.Value)
	_, ok = e.Variant("nope")
	assert.False(t, ok)
}
