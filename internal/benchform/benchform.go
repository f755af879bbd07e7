// Package benchform is the small form the turn benchmarks of flow and
// analytics run, so that their figures measure the same conversation.
package benchform

import (
	"context"
	"strings"

	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
)

// Flow returns the form "form": ask an order number (one not starting
// "A-" is refused and asked again), say it back, ask again. Every turn
// answers one question, validates it, says something and saves the
// session.
func Flow() *flow.Builder {
	return flow.New("form").Add(
		&flow.Ask{ID: "order", Slot: "order", Prompt: []string{"Order number?"}, Always: true,
			Validate: func(_ context.Context, v string) (string, error) {
				if !strings.HasPrefix(v, "A-") {
					return "", &flow.InputError{Slot: "order", Message: "Order numbers start with A-."}
				}
				return v, nil
			}, Next: "ok"},
		&flow.Say{ID: "ok", Text: []string{"Got {{slots.order}}."}, Next: "order"},
	)
}

// Router mounts an engine running f, a flow named "form", on a router
// that starts it for any turn it does not understand (there is no
// language understanding). The engine allows a node any number of visits,
// for a benchmark's endless conversation.
func Router(f *flow.Builder) (*intent.Router, error) {
	e, err := flow.NewEngine([]*flow.Builder{f}, flow.WithMaxVisits(1<<30))
	if err != nil {
		return nil, err
	}
	r := intent.NewRouter(intent.WithNotUnderstood(e.Starter("form")))
	r.Handle(flow.DefaultOwner, e)
	return r, nil
}
