package proactive

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Business events the engine knows without being told. Applications add
// their own with [WithEventTypes]; a campaign's trigger, hold, goal and
// exit events are known too.
const (
	CartAbandoned        = "cart_abandoned"
	OrderPlaced          = "order_placed"
	OrderShipped         = "order_shipped"
	OrderDelayed         = "order_delayed"
	PaymentFailed        = "payment_failed"
	SubscriptionExpiring = "subscription_expiring"
	Inactivity           = "inactivity"
	ProductRestocked     = "product_restocked"
	NegativeFeedback     = "negative_feedback"
)

// Behaviour signals from the web widget (its track frames, see
// [Engine.Track]), delivered as events like any other.
const (
	PageViewed    = "page_viewed"
	TimeOnPage    = "time_on_page"
	ProductViewed = "product_viewed"
)

// builtinEvents lists the event types every engine accepts.
var builtinEvents = []string{CartAbandoned, OrderPlaced, OrderShipped, OrderDelayed, PaymentFailed,
	SubscriptionExpiring, Inactivity, ProductRestocked, NegativeFeedback, PageViewed, TimeOnPage, ProductViewed}

// An Event is something that happened to a customer, reported by the
// application (an order shipped, a plan about to expire) or by the web
// widget (a product page viewed). Events start campaigns ([Campaign.Trigger]),
// end holds, count as conversions and end runs.
type Event struct {
	// ID identifies the event for de-duplication: an event delivered
	// twice with one ID is taken once. Empty means an ID derived from the
	// type, customer, time and attributes.
	ID string `json:"id,omitempty"`
	// Type names what happened: one of the constants of this package or a
	// type given to [WithEventTypes]. Required.
	Type string `json:"type"`
	// CustomerID is the application's ID of the customer (a profile in
	// [customer.Profiles]). Required.
	CustomerID string `json:"customer"`
	// Time is when it happened; zero means when the engine receives it.
	Time time.Time `json:"time,omitzero"`
	// Attributes are the event's details, which templates read as
	// {{event.NAME}} ("order_id", "cart_url", "expires_at"). A campaign
	// may anchor its steps to a time attribute (RFC 3339), see
	// [Campaign.Anchor].
	Attributes map[string]string `json:"attributes,omitempty"`
}

// key returns the event's de-duplication key.
func (e Event) key() string {
	if e.ID != "" {
		return e.ID
	}
	h := sha256.New()
	for _, s := range []string{e.Type, e.CustomerID, strconv.FormatInt(e.Time.UnixNano(), 10)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, k := range sortedKeys(e.Attributes) {
		h.Write([]byte(k + "=" + e.Attributes[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Errors of [Engine.Ingest], the event endpoint and [Engine.Track]; the
// endpoint maps each to an HTTP status.
var (
	// ErrUnknownEvent is returned for an event whose type the engine does
	// not know (see [WithEventTypes]).
	ErrUnknownEvent = errors.New("proactive: unknown event type")
	// ErrUnknownCustomer is returned for an event about a customer with
	// no profile.
	ErrUnknownCustomer = errors.New("proactive: unknown customer")
	// ErrDuplicateEvent is returned for an event whose ID was already
	// taken: it changed nothing, and a sender may treat it as success.
	ErrDuplicateEvent = errors.New("proactive: duplicate event")
	// ErrBadTimeZone is wrapped, with the zone's name, for a customer
	// time zone that is not an IANA zone name: quiet hours cannot be kept
	// without one.
	ErrBadTimeZone = errors.New("proactive: not an IANA time zone")
)

// An EventError reports an event that was refused before anything was
// recorded. It wraps [ErrUnknownEvent], [ErrUnknownCustomer], a
// [ErrBadTimeZone] or a description of the missing field.
type EventError struct {
	Type       string
	CustomerID string
	Err        error
}

// Error implements the error interface.
func (e *EventError) Error() string {
	return fmt.Sprintf("proactive: event %q for customer %q: %v", e.Type, e.CustomerID, e.Err)
}

// Unwrap returns the cause.
func (e *EventError) Unwrap() error { return e.Err }

// loadZone resolves a customer's time zone; empty means def.
func loadZone(name string, def *time.Location) (*time.Location, error) {
	if name == "" {
		return def, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrBadTimeZone, name, err)
	}
	return loc, nil
}
