package health_test

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/health"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/parleytest"
)

// The tracker's middleware goes after the sentiment middleware, whose
// mood it reads (here a stand-in that finds every message negative), and
// updates the customer's profile with every message.
func ExampleMiddleware() {
	ctx := context.Background()
	profiles := customer.NewProfiles(memory.NewMap())
	tr := health.NewTracker(profiles, health.WithSignals(func(_ context.Context, _ *customer.Profile, s *health.Signals) error {
		s.LoginsPerWeek, s.FeatureUsage = 4, 0.6 // from the application's own data
		return nil
	}))
	upset := func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			return next.HandleTurn(ctx, w, parley.With(t, nlu.MoodKey, nlu.Mood{Compound: -0.7, Score: 0.15, Label: "negative", Confidence: 0.9}))
		})
	}
	router := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
		return w.Reply(ctx, parley.Text("I'm sorry about that. Let's sort it out."))
	})
	h := parley.Chain(router, upset, health.Middleware(tr))

	for _, text := range []string{"the lamp broke again", "third time it broke", "still broken, this is useless"} {
		if err := h.HandleTurn(ctx, parleytest.NewRecorder(), parleytest.NewTurn(text, parleytest.WithCustomer("ada"))); err != nil {
			fmt.Println(err)
			return
		}
	}
	p, err := profiles.Load(ctx, "ada")
	if err != nil {
		fmt.Println(err)
		return
	}
	a, ok := health.Stored(p)
	fmt.Printf("assessed %v: risk %.2f %v\n", ok, a.Risk, a.Reasons)
	// Output: assessed true: risk 0.30 [100% of recent messages negative]
}
