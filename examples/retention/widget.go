package main

import (
	"context"
	"fmt"
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
	l.SignedIn = fmt.Sprintf(signedInTexts[""], p["name"])
	return l
}

// signedInTexts say who the demo visitor is signed in as, by language
// ("": English; %s is the name): the widget's labels (widgetLabels,
// widgetTranslations) and the demo page's parley.signedIn (simulate.go),
// which gives the widget every language so that the line follows the
// conversation's.
var signedInTexts = map[string]string{"": "Signed in as %s (demo)", "es": "Sesión iniciada como %s (demo)"}
