package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// errNoOrder is returned by the shop for an unknown order number.
var errNoOrder = errors.New("shop: no such order")

// order is one order in the fake shop.
type order struct {
	ID       string
	Customer string
	Item     string
	// Names are the item's name in other languages, by base language
	// ("es"), as it reads inside a sentence; Item is the English
	// (itemname.go).
	Names    map[string]string
	Status   string
	Tracking string
	PaidUSD  float64
	Placed   time.Time
	Refunded float64
	// RefundedAt is when the latest refund on the order was sent.
	RefundedAt time.Time
	Address    string
	// Carrier brings a shipped order; Due is the day it should arrive.
	Carrier string
	Due     time.Time
}

// customer is one profile in the fake CRM.
type customer struct {
	ID, Name, FirstName, Email, Tier, Plan, RenewalDate, LastOrderDate string
	TimeZone                                                           string // IANA name: call-back times are offered in it
	Phone                                                              string // on file: a call-back does not ask for it
	// PrevPlan is the plan before a cancellation, restored if the
	// customer changes their mind (plans.go).
	PrevPlan string
	// OfferUntil is the day the half-price months end (2006-01-02).
	OfferUntil string
}

// shop is the example's stand-in for a real backend: orders, refunds and
// subscriptions, in memory. Safe for concurrent use. Set down to simulate
// an outage.
type shop struct {
	mu        sync.Mutex
	orders    map[string]*order
	customers map[string]customer
	refunds   map[string]float64 // idempotency key -> amount
	codes     []discountCode
	callbacks []callback
	tickets   []supportTicket
	seq       int
	down      bool
	day       time.Time // the day the demo data is dated from
}

// discountCode is a one-time code generated for a customer.
type discountCode struct {
	Code     string `json:"code"`
	Customer string `json:"customer"`
	Percent  int    `json:"percent"`
}

// callback is a phone call an agent will make.
type callback struct {
	Customer string `json:"customer"`
	Phone    string `json:"phone"`
	When     string `json:"when"`
}

// supportTicket is a case for the support team to follow up by email.
type supportTicket struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	Subject  string `json:"subject"`
	Body     string `json:"body"`
}

// newShop returns the demo shop with its data dated relative to today,
// so the demo never shows a renewal date in the past: Ada's plan renews
// in a week (the renewal reminder), Ben's in three weeks; Ada has an
// order that has not left the warehouse (the address change).
func newShop(today time.Time) *shop {
	y, m, d := today.Date()
	today = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	ago := func(days int) time.Time { return today.AddDate(0, 0, -days) }
	date := func(t time.Time) string { return t.Format(time.DateOnly) }
	s := &shop{
		orders: map[string]*order{
			"A-1001": {ID: "A-1001", Customer: "cus_ada", Item: "Blue linen shirt", Names: map[string]string{"es": "camisa de lino azul"}, Status: "shipped", Tracking: "1Z999AA10123456784", PaidUSD: 39.00, Placed: ago(9), Address: "12 St James's Square, London",
				Carrier: "UPS", Due: today.AddDate(0, 0, 2)},
			"A-1002": {ID: "A-1002", Customer: "cus_ada", Item: "Walnut desk lamp", Names: map[string]string{"es": "lámpara de escritorio de nogal"}, Status: "delivered", PaidUSD: 129.00, Placed: ago(25), Address: "12 St James's Square, London"},
			"A-1003": {ID: "A-1003", Customer: "cus_ben", Item: "Running socks (3 pairs)", Names: map[string]string{"es": "pack de calcetines de running (3 pares)"}, Status: "processing", PaidUSD: 18.50, Placed: ago(4), Address: "4 Harbour Road, Leith", Due: today.AddDate(0, 0, 3)},
			// Ada's newest order has not left the warehouse, so the demo
			// customer can try the address change.
			"A-1010": {ID: "A-1010", Customer: "cus_ada", Item: "Wool throw blanket", Names: map[string]string{"es": "manta de lana"}, Status: "processing", PaidUSD: 64.00, Placed: ago(1), Address: "12 St James's Square, London", Due: today.AddDate(0, 0, 5)},
		},
		customers: map[string]customer{
			"cus_ada": {ID: "cus_ada", Name: "Ada Lovelace", FirstName: "Ada", Email: "ada@example.com", Tier: "gold", Plan: "Monthly Plus", RenewalDate: date(today.AddDate(0, 0, 7)), LastOrderDate: date(ago(1)),
				TimeZone: "Europe/London"},
			"cus_ben": {ID: "cus_ben", Name: "Ben Okafor", FirstName: "Ben", Email: "ben@example.com", Tier: "standard", Plan: "Monthly Basic", RenewalDate: date(today.AddDate(0, 0, 21)), LastOrderDate: date(ago(4)),
				TimeZone: "America/New_York", Phone: "+1 212 555 0147"},
		},
		refunds: map[string]float64{},
		day:     today,
	}
	return s
}

func (s *shop) setDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

func (s *shop) check() error {
	if s.down {
		return errors.New("shop: backend unavailable")
	}
	return nil
}

// Order returns a copy of an order.
func (s *shop) Order(_ context.Context, id string) (order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return order{}, err
	}
	o, ok := s.orders[strings.ToUpper(id)]
	if !ok {
		return order{}, fmt.Errorf("%w: %s", errNoOrder, id)
	}
	return *o, nil
}

// Refund refunds amount on an order once per idempotency key: a retried
// call returns the first result and never refunds twice.
//
// With autoLimit > 0 the refund is refused (errNeedsApproval) if it would
// take the order's refunded total over autoLimit: the automatic limit
// holds even when two refunds race.
func (s *shop) Refund(_ context.Context, key, id string, amount, autoLimit float64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	if _, done := s.refunds[key]; done {
		return nil
	}
	o, ok := s.orders[id]
	if !ok {
		return fmt.Errorf("%w: %s", errNoOrder, id)
	}
	if amount <= 0 || o.Refunded+amount > o.PaidUSD {
		return fmt.Errorf("shop: refund of %.2f exceeds the %.2f left on %s", amount, o.PaidUSD-o.Refunded, id)
	}
	if autoLimit > 0 && o.Refunded+amount > autoLimit+1e-9 {
		return fmt.Errorf("%w: %.2f more on %s would pass %.2f", errNeedsApproval, amount, id, autoLimit)
	}
	o.Refunded += amount
	o.RefundedAt = time.Now()
	s.refunds[key] = amount
	return nil
}

// sentRefund is a refund the shop sent: its order and the amount refunded
// on it so far, and when the latest part was sent.
type sentRefund struct {
	Order  string
	Amount float64
	At     time.Time
}

// recentRefunds returns the orders of customerID with a refund sent
// since since, newest first.
func (s *shop) recentRefunds(customerID string, since time.Time) []sentRefund {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []sentRefund
	for _, o := range s.orders {
		if o.Customer == customerID && o.Refunded > 0 && !o.RefundedAt.Before(since) {
			out = append(out, sentRefund{Order: o.ID, Amount: o.Refunded, At: o.RefundedAt})
		}
	}
	slices.SortFunc(out, func(a, b sentRefund) int { return b.At.Compare(a.At) })
	return out
}

// Renew records a plan change.
func (s *shop) Renew(_ context.Context, customerID, plan string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	c, ok := s.customers[customerID]
	if !ok {
		return fmt.Errorf("shop: no customer %q", customerID)
	}
	switch plan {
	case cancelledPlan:
		if c.Plan != cancelledPlan {
			c.PrevPlan = c.Plan
		}
	case halfPricePlan:
		c.OfferUntil = offerEnd(c.RenewalDate, s.day)
	}
	c.Plan = plan
	s.customers[customerID] = c
	return nil
}

// Profile implements flow.Profiles over the fake CRM.
func (s *shop) Profile(_ context.Context, id string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return nil, err
	}
	c, ok := s.customers[id]
	if !ok {
		return nil, nil
	}
	p := map[string]string{
		"id": c.ID, "name": c.Name, "first_name": c.FirstName, "email": c.Email, "tier": c.Tier,
		"plan": c.Plan, "renewal_date": c.RenewalDate, "last_order_date": c.LastOrderDate,
		"timezone": c.TimeZone,
	}
	if c.Phone != "" {
		p["phone"] = c.Phone
	}
	return p, nil
}

// SetAddress changes the delivery address of an order that has not
// shipped.
func (s *shop) SetAddress(_ context.Context, id, address string) (order, error) {
	return s.changeUnshipped(id, errTooLate, func(o *order) { o.Address = address })
}

// changeUnshipped applies change to order id if it has not shipped, and
// returns the order changed; late wraps the refusal of one that has.
func (s *shop) changeUnshipped(id string, late error, change func(o *order)) (order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return order{}, err
	}
	o, ok := s.orders[strings.ToUpper(id)]
	if !ok {
		return order{}, fmt.Errorf("%w: %s", errNoOrder, id)
	}
	if o.Status != "processing" {
		return order{}, fmt.Errorf("%w: order %s is %s", late, o.ID, o.Status)
	}
	change(o)
	return *o, nil
}

// errNeedsApproval refuses an automatic refund that would pass the
// automatic limit on its order.
var errNeedsApproval = errors.New("shop: needs a person's approval")

// errTooLate refuses a change to an order that has left the warehouse.
var errTooLate = errors.New("shop: too late to change")

// Discount generates a one-time discount code.
func (s *shop) Discount(_ context.Context, customerID string, percent int) (discountCode, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return discountCode{}, err
	}
	s.seq++
	c := discountCode{Code: fmt.Sprintf("STAY%d-%04d", percent, s.seq), Customer: customerID, Percent: percent}
	s.codes = append(s.codes, c)
	return c, nil
}

// ScheduleCallback books a call from an agent.
func (s *shop) ScheduleCallback(_ context.Context, c callback) (callback, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return callback{}, err
	}
	s.callbacks = append(s.callbacks, c)
	return c, nil
}

// CreateTicket files a case for the support team. Tickets live in the
// support system, which stays up when the order system is down.
func (s *shop) CreateTicket(_ context.Context, t supportTicket) (supportTicket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	t.ID = fmt.Sprintf("T-%04d", s.seq)
	s.tickets = append(s.tickets, t)
	return t, nil
}

// refunded returns how much has been refunded on an order.
func (s *shop) refunded(id string) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[id]; ok {
		return o.Refunded
	}
	return 0
}

// expireOn moves a customer's plan renewal to at (the campaign
// simulator's "make the plan expire") and returns the plan's name.
func (s *shop) expireOn(customerID string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[customerID]
	if !ok {
		return "plan"
	}
	c.RenewalDate = at.Format(time.DateOnly)
	s.customers[customerID] = c
	return c.Plan
}
