package main

import (
	"context"
	"time"

	"github.com/parleyhq/parley/channel/web"
)

// widgetLabels are the widget's own texts for the demo visitor: a
// greeting when the panel opens, and who they are signed in as (every
// anonymous visitor of the demo is the -customer until they pick another
// on the demo page, which then says so with parley.signedIn). The
// greeting names nobody: the page may have picked another customer.
func widgetLabels(ctx context.Context, customer string) web.Labels {
	l := web.Labels{Greeting: "Hi! I'm the ShopCo assistant. Ask me about an order, a return or refund, your plan, or shipping. You can talk to a person any time."}
	p, err := newShop(time.Now()).Profile(ctx, customer)
	if err != nil || p["name"] == "" {
		return l
	}
	l.SignedIn = "Signed in as " + p["name"] + " (demo)"
	return l
}
