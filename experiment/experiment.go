package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
)

// Holdout is the variant name of the customers an experiment's holdout
// keeps out of every variant: they get what they would have got without
// the experiment, and their exposures are recorded under this name so the
// report can compare them.
const Holdout = "holdout"

// A Variant is one arm of an experiment: a message, an offer, a campaign
// step or a whole flow version, as the Value the application shows.
type Variant[T any] struct {
	// Name identifies the variant in events and reports ("control",
	// "friendly"); names are unique within an experiment and not
	// [Holdout].
	Name string
	// Weight is the variant's share of the traffic outside the holdout,
	// relative to the others' (1, 1 is a 50/50 split). Zero counts as 1.
	Weight float64
	// Value is what customers assigned to the variant see.
	Value T
}

// An Experiment assigns customers to variants, records exposures and
// reports the results. The first variant is the control, the one every
// other is compared with. An Experiment is immutable and safe for
// concurrent use.
type Experiment[T any] struct {
	name       string
	variants   []Variant[T]
	cum        []float64
	holdout    float64
	alpha      float64
	primary    Metric
	guardrails []Metric
	adaptive   bool
	tau        float64
}

// An Option configures an Experiment.
type Option func(*options)

type options struct {
	holdout    float64
	alpha      float64
	primary    Metric
	guardrails []Metric
	hasPrimary bool
	adaptive   bool
	tau        float64
}

// WithHoldout keeps the fraction f (0 <= f < 1) of customers out of every
// variant (default 0).
func WithHoldout(f float64) Option { return func(o *options) { o.holdout = f } }

// WithAlpha sets the significance level of the report's tests (default
// 0.05).
func WithAlpha(a float64) Option { return func(o *options) { o.alpha = a } }

// WithPrimary sets the metric the experiment is decided on (default
// [Conversion]).
func WithPrimary(m Metric) Option { return func(o *options) { o.primary, o.hasPrimary = m, true } }

// WithGuardrails sets the metrics a winner must not make significantly
// worse (default [Escalation], [Satisfaction] and [OptOut]).
func WithGuardrails(ms ...Metric) Option { return func(o *options) { o.guardrails = ms } }

// WithTau sets the mixture's standard deviation of the report's sequential
// test ([Comparison.Sequential], [NewSequential]): near the absolute effect
// worth finding (default 0.02, two points).
func WithTau(tau float64) Option { return func(o *options) { o.tau = tau } }

// WithAdaptiveSplit marks an experiment whose traffic a [Bandit]
// allocates: its report skips the sample-ratio-mismatch check, which needs a
// fixed split.
func WithAdaptiveSplit() Option { return func(o *options) { o.adaptive = true } }

// New returns the experiment name over variants, the first of which is the
// control. It returns an error, naming every problem, for an empty name,
// fewer than two variants, a duplicate, empty or reserved variant name, a
// negative weight, a holdout outside [0, 1), alpha outside (0, 1) or a
// tau (WithTau) that is not positive.
func New[T any](name string, variants []Variant[T], opts ...Option) (*Experiment[T], error) {
	o := options{alpha: 0.05, tau: 0.02, guardrails: []Metric{Escalation(), Satisfaction(), OptOut()}}
	for _, opt := range opts {
		opt(&o)
	}
	if !o.hasPrimary {
		o.primary = Conversion()
	}
	var errs []error
	if name == "" {
		errs = append(errs, errors.New("experiment: no name"))
	}
	if len(variants) < 2 {
		errs = append(errs, fmt.Errorf("experiment %q: %d variants, need at least 2", name, len(variants)))
	}
	if !(o.holdout >= 0 && o.holdout < 1) {
		errs = append(errs, fmt.Errorf("experiment %q: holdout %v outside [0, 1)", name, o.holdout))
	}
	if checkAlpha(o.alpha) != nil {
		errs = append(errs, fmt.Errorf("experiment %q: alpha %v outside (0, 1)", name, o.alpha))
	}
	if !(o.tau > 0) || math.IsInf(o.tau, 0) {
		errs = append(errs, fmt.Errorf("experiment %q: tau %v is not positive", name, o.tau))
	}
	for _, m := range append([]Metric{o.primary}, o.guardrails...) {
		if m.Name == "" || m.Value == nil {
			errs = append(errs, fmt.Errorf("experiment %q: a metric needs a Name and a Value", name))
		}
	}
	seen := map[string]bool{}
	vs := make([]Variant[T], len(variants))
	cum := make([]float64, len(variants))
	var total float64
	for i, v := range variants {
		switch {
		case v.Name == "" || v.Name == Holdout:
			errs = append(errs, fmt.Errorf("experiment %q: variant %d has name %q", name, i, v.Name))
		case seen[v.Name]:
			errs = append(errs, fmt.Errorf("experiment %q: variant %q twice", name, v.Name))
		}
		seen[v.Name] = true
		if !(v.Weight >= 0) || math.IsInf(v.Weight, 0) {
			errs = append(errs, fmt.Errorf("experiment %q: variant %q has weight %v", name, v.Name, v.Weight))
		}
		if v.Weight == 0 {
			v.Weight = 1
		}
		vs[i] = v
		total += v.Weight
		cum[i] = total
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i := range cum {
		cum[i] /= total
	}
	return &Experiment[T]{name: name, variants: vs, cum: cum, holdout: o.holdout, alpha: o.alpha,
		primary: o.primary, guardrails: o.guardrails, adaptive: o.adaptive, tau: o.tau}, nil
}

// Name returns the experiment's name.
func (e *Experiment[T]) Name() string { return e.name }

// Variant returns the variant called name, for the names a [Bandit]
// chooses or an earlier exposure recorded.
func (e *Experiment[T]) Variant(name string) (Variant[T], bool) {
	for _, v := range e.variants {
		if v.Name == name {
			return v, true
		}
	}
	return Variant[T]{}, false
}

// unit maps the experiment, a salt and a customer to [0, 1), uniformly
// and the same way in every process.
func (e *Experiment[T]) unit(salt, customer string) float64 {
	h := sha256.Sum256([]byte(e.name + "\x00" + salt + "\x00" + customer))
	return float64(binary.BigEndian.Uint64(h[:8])>>11) / (1 << 53)
}

// Assign returns the variant of customer, and false for a customer in the
// holdout (whose Variant has Name [Holdout] and a zero Value). Pass the
// unified customer ID (parley.Turn.CustomerID, the same on every channel)
// so that a customer who moves from web chat to WhatsApp keeps the
// variant. Assignment is a hash of the experiment's name and the customer:
// sticky without storage, the same on every replica, and independent
// between experiments; the holdout is drawn separately, so changing its size
// does not move customers between variants.
func (e *Experiment[T]) Assign(customer string) (Variant[T], bool) {
	if e.holdout > 0 && e.unit("holdout", customer) < e.holdout {
		return Variant[T]{Name: Holdout}, false
	}
	u := e.unit("variant", customer)
	for i, c := range e.cum {
		if u < c {
			return e.variants[i], true
		}
	}
	return e.variants[len(e.variants)-1], true
}

// Expose records that the turn's customer was shown v (or, for the
// holdout, reached the point where a variant would have been shown), as an
// analytics.EventAssigned event with Attrs "experiment" and "variant" that
// analytics folds into Record.Experiment and Record.Variant. Call it when
// the variant is actually sent, not when it is assigned: a customer who
// never reaches the message is no evidence either way.
func (e *Experiment[T]) Expose(ctx context.Context, t *parley.Turn, v Variant[T]) {
	t.Emit(ctx, parley.Event{Kind: analytics.EventAssigned,
		Attrs: map[string]string{"experiment": e.name, "variant": v.Name}})
}
