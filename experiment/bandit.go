package experiment

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// Defaults of a Bandit.
const (
	DefaultFloor        = 0.05
	DefaultMinExposures = 100
)

// A Bandit allocates traffic between variants by Thompson sampling on
// Beta-Bernoulli posteriors, so that a self-optimising campaign sends more
// of what converts while it learns: each choice samples every variant's
// conversion rate from Beta(1 + conversions, 1 + exposures - conversions)
// and takes the highest.
//
// Two guards keep it honest. Until every variant has the minimum number of
// exposures (WithMinExposures, default 100) traffic is split evenly, so an
// early lucky streak decides nothing. After that every variant keeps at
// least the exploration floor (WithFloor, default 5% each), so a variant
// that was unlucky early can still recover.
//
// Choices are not sticky: use a Bandit where each send may differ (each
// campaign message), or store a customer's first choice. An experiment
// whose traffic a Bandit allocates is built with [WithAdaptiveSplit], as its
// split has no fixed ratio to check.
//
// A Bandit is safe for concurrent use.
type Bandit struct {
	mu        sync.Mutex
	names     []string
	exposed   []int
	converted []int
	floor     float64
	min       int
	rng       *rand.Rand
}

// A BanditOption configures a Bandit.
type BanditOption func(*Bandit)

// WithFloor sets the share of traffic every variant keeps however badly it
// does (default DefaultFloor); with k variants, floor * k must be at most 1.
func WithFloor(f float64) BanditOption { return func(b *Bandit) { b.floor = f } }

// WithMinExposures sets how many exposures every variant needs before
// traffic is reallocated (default DefaultMinExposures).
func WithMinExposures(n int) BanditOption { return func(b *Bandit) { b.min = n } }

// WithSource sets the random source of the sampling, for reproducible
// tests and simulations (default: a randomly seeded source).
func WithSource(src rand.Source) BanditOption { return func(b *Bandit) { b.rng = rand.New(src) } }

// NewBandit returns a Bandit over the named variants. It returns an error
// for fewer than two or duplicate names, a negative minimum, or a floor
// outside [0, 1/len(variants)].
func NewBandit(variants []string, opts ...BanditOption) (*Bandit, error) {
	b := &Bandit{names: slices.Clone(variants), floor: DefaultFloor, min: DefaultMinExposures,
		exposed: make([]int, len(variants)), converted: make([]int, len(variants))}
	for _, o := range opts {
		o(b)
	}
	if b.rng == nil {
		b.rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	var errs []error
	if len(variants) < 2 {
		errs = append(errs, fmt.Errorf("experiment: bandit needs at least 2 variants, got %d", len(variants)))
	}
	for i, n := range variants {
		if slices.Index(variants, n) != i {
			errs = append(errs, fmt.Errorf("experiment: bandit variant %q twice", n))
		}
	}
	if b.min < 0 {
		errs = append(errs, fmt.Errorf("experiment: bandit minimum exposures %d is negative", b.min))
	}
	if !(b.floor >= 0 && b.floor*float64(len(variants)) <= 1) {
		errs = append(errs, fmt.Errorf("experiment: bandit floor %v outside [0, 1/%d]", b.floor, len(variants)))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return b, nil
}

// Add records exposures of a variant and the conversions among them
// (conversions that arrive later may be added with exposed 0, as long as
// the variant's conversions never exceed its exposures).
func (b *Bandit) Add(variant string, exposed, converted int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := slices.Index(b.names, variant)
	if i < 0 {
		return fmt.Errorf("experiment: bandit has no variant %q", variant)
	}
	if exposed < 0 || converted < 0 || b.converted[i]+converted > b.exposed[i]+exposed {
		return fmt.Errorf("experiment: bandit variant %q: %d exposures, %d conversions: %w",
			variant, b.exposed[i]+exposed, b.converted[i]+converted, ErrBadParameter)
	}
	b.exposed[i] += exposed
	b.converted[i] += converted
	return nil
}

// Choose returns the variant for the next exposure.
func (b *Bandit) Choose() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.names[b.choose()]
}

func (b *Bandit) choose() int {
	k := len(b.names)
	if slices.Min(b.exposed) < b.min || b.rng.Float64() < b.floor*float64(k) {
		return b.rng.IntN(k)
	}
	best, bestX := 0, -1.0
	for i := range b.names {
		x := betaSample(b.rng, 1+float64(b.converted[i]), 1+float64(b.exposed[i]-b.converted[i]))
		if x > bestX {
			best, bestX = i, x
		}
	}
	return best
}

// Shares estimates, from draws simulated choices, the share of traffic each
// variant (in the order given to NewBandit) gets now. It uses the Bandit's
// random source.
func (b *Bandit) Shares(draws int) []float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := make([]float64, len(b.names))
	if draws < 1 {
		return s
	}
	for range draws {
		s[b.choose()]++
	}
	for i := range s {
		s[i] /= float64(draws)
	}
	return s
}

// betaSample draws from Beta(a, b), a, b >= 1, as X/(X+Y) of two gamma
// draws.
func betaSample(rng *rand.Rand, a, b float64) float64 {
	x, y := gammaSample(rng, a), gammaSample(rng, b)
	return x / (x + y)
}

// gammaSample draws from Gamma(a, 1), a >= 1, by Marsaglia and Tsang's
// method ("A simple method for generating gamma variables", 2000).
func gammaSample(rng *rand.Rand, a float64) float64 {
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}
