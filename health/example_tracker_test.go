package health_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/health"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
)

// A Tracker keeps the customer's profile up to date: [health.Middleware] does so
// with every message; Refresh does it when the application's signals
// change, here a week with a single login.
func ExampleNewTracker() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	profiles := customer.NewProfiles(memory.NewMap())
	if err := profiles.Save(ctx, &customer.Profile{CustomerID: "ada", LastOrderDate: now.AddDate(0, 0, -50)}); err != nil {
		fmt.Println(err)
		return
	}
	tr := health.NewTracker(profiles,
		health.WithSignals(func(_ context.Context, _ *customer.Profile, s *health.Signals) error {
			s.LoginsPerWeek, s.FeatureUsage = 1, 0.5 // from the application's own data
			return nil
		}),
		health.OnRisk(0.4, nil))

	a, crossed, err := tr.Refresh(ctx, "ada", now)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("risk %.2f, newly at risk: %v\n", a.Risk, crossed)

	// The assessment is on the profile, for flows and the staff pages.
	p, err := profiles.Load(ctx, "ada")
	if err != nil {
		fmt.Println(err)
		return
	}
	stored, _ := health.Stored(p)
	fmt.Println(stored.Reasons)
	fmt.Println(p.Segments)
	// Output:
	// risk 0.50, newly at risk: true
	// [no order for 50 days logs in 1.0 times a week (fewer than 2)]
	// [at-risk]
}
