package main

import (
	"context"
	"time"

	"github.com/parleyhq/parley/channel/web"
)

// widgetLabels are the widget's own texts for the demo visitor: a
// greeting when the panel opens, and who they are signed in as (every
// anonymous visitor of the demo is the -customer).
func widgetLabels(ctx context.Context, customer string) web.Labels {
	l := web.Labels{Greeting: "Hi! I'm the ShopCo assistant. Ask me about an order, a return or refund, your plan, or shipping. You can talk to a person any time."}
	p, err := newShop(time.Now()).Profile(ctx, customer)
	if err != nil || p["name"] == "" {
		return l
	}
	l.Greeting = "Hi " + p["first_name"] + "! I'm the ShopCo assistant. Ask me about an order, a return or refund, your plan, or shipping. You can talk to a person any time."
	l.SignedIn = "Signed in as " + p["name"] + " (demo: switch customers on the page)"
	return l
}
