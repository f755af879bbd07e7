package hubspot_test

import (
	"fmt"

	"github.com/parleyhq/parley/memory/customer/crm"
	"github.com/parleyhq/parley/memory/customer/crm/hubspot"
)

func Example() {
	// Parley's customer IDs are the contacts' e-mail addresses here.
	c, err := hubspot.New(hubspot.Config{Token: "pat-na1-..."})
	if err != nil {
		fmt.Println(err)
		return
	}
	var lookup crm.Lookup = c // for the bot's order and profile lookups
	_ = lookup
	// After a conversation: c.LogOutcome(ctx, "ada@example.com", "Refund agreed.", time.Now())
	fmt.Println("ready")
	// Output: ready
}
