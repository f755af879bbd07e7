package experiment_test

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/experiment"
)

func ExampleNew() {
	exp, err := experiment.New("cart-tone", []experiment.Variant[string]{
		{Name: "control", Value: "You left something in your cart."},
		{Name: "friendly", Value: "Still thinking it over? Your cart is saved for you."},
	}, experiment.WithHoldout(0.1))
	if err != nil {
		fmt.Println(err)
		return
	}
	// In the campaign step's handler: pick the customer's variant, show it,
	// and record the exposure when it is actually sent.
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		v, ok := exp.Assign(t.CustomerID)
		exp.Expose(ctx, t, v)
		if !ok {
			return nil // the holdout gets no message
		}
		return w.Reply(ctx, parley.Text(v.Value))
	})
	_ = h
	fmt.Println(exp.Name())
	// Output: cart-tone
}

func ExampleExperiment_Assign() {
	exp, err := experiment.New("renewal-offer", []experiment.Variant[int]{
		{Name: "10-off", Value: 10, Weight: 1},
		{Name: "15-off", Value: 15, Weight: 1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The same customer gets the same variant on every channel and replica.
	a, _ := exp.Assign("customer-42")
	b, _ := exp.Assign("customer-42")
	fmt.Println(a.Name == b.Name)
	// Output: true
}

func ExampleExperiment_Report() {
	exp, err := experiment.New("cart-tone", []experiment.Variant[string]{{Name: "control"}, {Name: "friendly"}},
		experiment.WithGuardrails(experiment.Escalation()))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Records come from analytics (Aggregator.Records(analytics.Week(now))).
	var records []analytics.Record
	add := func(variant string, customers, converted int) {
		for i := range customers {
			records = append(records, analytics.Record{
				Conversation: fmt.Sprint(variant, i), Customer: fmt.Sprint(variant, i),
				Experiment: "cart-tone", Variant: variant,
				Campaign: analytics.CampaignOutcome{Converted: i < converted},
			})
		}
	}
	add("control", 1000, 200)
	add("friendly", 1000, 260)
	rep := exp.Report(records)
	for _, a := range rep.Arms {
		fmt.Printf("%s: %d customers, %.1f%% converted\n", a.Variant, a.Customers, 100*a.Metrics[0].Mean)
	}
	fmt.Println(rep.Verdict)
	// Output:
	// control: 1000 customers, 20.0% converted
	// friendly: 1000 customers, 26.0% converted
	// friendly beats control on conversion rate: +6.0 points [+2.3, +9.7], adjusted p = 0.0014. No guardrail is significantly worse: promote it.
}

func ExampleBandit() {
	b, err := experiment.NewBandit([]string{"10-off", "free-shipping"},
		experiment.WithMinExposures(100), experiment.WithFloor(0.05))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Feed it what analytics saw so far (Aggregator.Campaigns gives
	// sends and conversions per variant)...
	if err := b.Add("10-off", 400, 40); err != nil {
		fmt.Println(err)
		return
	}
	if err := b.Add("free-shipping", 400, 80); err != nil {
		fmt.Println(err)
		return
	}
	// ...and ask it which variant the next message uses.
	next := b.Choose()
	fmt.Println(next == "10-off" || next == "free-shipping")
	s := b.Shares(10_000)
	fmt.Println(s[1] > 0.9)
	// Output:
	// true
	// true
}
