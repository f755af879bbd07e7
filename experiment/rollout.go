package experiment

import (
	"context"
	"fmt"
	"sync"

	"github.com/parleyhq/parley"
)

// A Rollout serves the versions of one flow to new conversations, for
// [flow.WithVersion]: while its experiment runs, each customer starts the
// flow version of their variant (the variants' Values are version names)
// and the exposure is recorded as the flow starts; once a variant is
// promoted, every new conversation starts its version and no more
// exposures are recorded. Conversations already in the flow keep the
// version they started with, before and after a promotion: the flow engine
// pins them, as long as it still has that version.
//
// A Rollout is safe for concurrent use.
//
// [flow.WithVersion]: https://pkg.go.dev/github.com/parleyhq/parley/flow#WithVersion
type Rollout struct {
	flow string
	exp  *Experiment[string]

	mu       sync.RWMutex
	promoted *Variant[string]
}

// NewRollout returns the rollout of the named flow's versions by exp.
func NewRollout(flow string, exp *Experiment[string]) *Rollout {
	return &Rollout{flow: flow, exp: exp}
}

// Version returns the version of flow that t's customer starts, the
// signature [flow.WithVersion] takes: the promoted variant's, else the
// customer's variant's (the control's for the holdout, who get what they
// would have got without the experiment), recording the exposure. For
// another flow it returns "", the newest version.
//
// [flow.WithVersion]: https://pkg.go.dev/github.com/parleyhq/parley/flow#WithVersion
func (r *Rollout) Version(ctx context.Context, t *parley.Turn, flow string) string {
	if flow != r.flow {
		return ""
	}
	r.mu.RLock()
	p := r.promoted
	r.mu.RUnlock()
	if p != nil {
		return p.Value
	}
	id := t.CustomerID
	if id == "" {
		id = t.ConversationID
	}
	v, ok := r.exp.Assign(id)
	r.exp.Expose(ctx, t, v)
	if !ok {
		return r.exp.variants[0].Value
	}
	return v.Value
}

// Promote sends every new conversation of the flow to the named variant's
// version from now on, usually [Report.Winner]. It returns an error for a
// name that is not one of the experiment's variants (an empty Winner: the
// report found none).
func (r *Rollout) Promote(variant string) error {
	v, ok := r.exp.Variant(variant)
	if !ok {
		if variant == "" {
			return fmt.Errorf("experiment %q: no variant to promote (the report has no winner)", r.exp.name)
		}
		return fmt.Errorf("experiment %q: no variant %q to promote", r.exp.name, variant)
	}
	r.mu.Lock()
	r.promoted = &v
	r.mu.Unlock()
	return nil
}

// Promoted returns the promoted variant's name, and false while the
// experiment still runs.
func (r *Rollout) Promoted() (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.promoted == nil {
		return "", false
	}
	return r.promoted.Name, true
}
