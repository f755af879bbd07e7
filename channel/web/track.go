package web

import (
	"slices"

	"github.com/parleyhq/parley/channel"
)

// defaultTrackEvents are the page events the widget documents and a page
// may send with parley.track when [Config.TrackEvents] is nil: a page or
// product viewed, time on a page without activity (the widget's own
// "page.idle"), and the cart changing.
var defaultTrackEvents = []string{"page_view", "product_view", "page.idle", "add_to_cart", "remove_from_cart", "cart_view", "checkout_start"}

// trackAllowed reports whether a page may send the event name.
func (h *Chat) trackAllowed(name string) bool {
	return !channel.InternalSignal(name) && slices.Contains(h.cfg.TrackEvents, name)
}
