package experiment_test

import (
	"fmt"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/experiment"
)

func ExampleCheckGoals() {
	// Records come from analytics (Aggregator.Records(analytics.Week(now))):
	// here 10 renewal reminders sent, 5 of them clicked.
	var records []analytics.Record
	for i := range 10 {
		id := fmt.Sprint("customer-", i)
		records = append(records, analytics.Record{Conversation: id, Customer: id,
			Campaign: analytics.CampaignOutcome{Campaign: "renewal", Sent: true, Clicked: i < 5}})
	}
	goals, err := experiment.CheckGoals(records, experiment.PlaybookGoals("abandoned_cart", "renewal"), 0.05)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range goals {
		fmt.Println(g.Verdict)
	}
	// Output:
	// cart recovery rate: no customers reached by the abandoned_cart campaign yet.
	// renewal click rate of the renewal campaign: 50.0% [23.7%, 76.3%] over 10 customers: above the 40.0% target, but not clearly yet (the interval includes it).
}
