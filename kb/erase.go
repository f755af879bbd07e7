package kb

import (
	"cmp"
	"context"
	"slices"
)

type customerKey struct{}

// WithCustomer returns ctx marked with the customer who asks, so that an
// [Answerer] records them with a question it could not answer and
// [Gaps.Erase] can take their asks out of the log (kbbot marks every
// turn's question).
func WithCustomer(ctx context.Context, customerID string) context.Context {
	return context.WithValue(ctx, customerKey{}, customerID)
}

func customerOf(ctx context.Context) string {
	id, _ := ctx.Value(customerKey{}).(string)
	return id
}

// Name names the log in a privacy export ("kb_gaps"); with
// [Gaps.Export] and [Gaps.Erase] it makes a Gaps log a privacy.Source.
func (g *Gaps) Name() string { return "kb_gaps" }

// Export returns the gaps the customer asked, most asked first.
func (g *Gaps) Export(_ context.Context, customerID string) (any, error) {
	g.mu.Lock()
	out := []Gap{}
	for k, who := range g.askers {
		if who[customerID] > 0 {
			out = append(out, *g.m[k])
		}
	}
	g.mu.Unlock()
	slices.SortFunc(out, func(a, b Gap) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Query, b.Query)) })
	return out, nil
}

// Erase takes the customer's asks out of the log: a question only they
// asked is deleted; one others asked too loses their asks from its count,
// and if its Query held their words, it becomes the question's normalised
// form (lower case, no punctuation), which others asked too. Asks
// recorded without a customer (by [Gaps.Record], or read back by
// [Gaps.ReadFrom], which keeps no customers) cannot be attributed.
func (g *Gaps) Erase(_ context.Context, customerID string) error {
	if customerID == "" {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, who := range g.askers {
		n := who[customerID]
		if n == 0 {
			continue
		}
		delete(who, customerID)
		e := g.m[k]
		e.Count -= n
		if e.Count <= 0 {
			g.forgetLocked(k)
			continue
		}
		if g.firstBy[k] == customerID {
			e.Query, g.firstBy[k] = k, ""
		}
	}
	return nil
}
