package shop

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/parleyhq/parley/action"
)

// ErrNoOrder is returned for an unknown order ID.
var ErrNoOrder = errors.New("shop: no such order")

// A RuleError is a business rule refusing a request.
type RuleError struct{ Reason string }

// Error implements the error interface.
func (e *RuleError) Error() string { return "shop: " + e.Reason }

// An Order is a customer's order.
type Order struct {
	ID       string   `json:"id"`
	Customer string   `json:"customer"`
	Status   string   `json:"status"` // "processing", "shipped", "delivered"
	Address  string   `json:"address"`
	Total    float64  `json:"total"`
	Refunded float64  `json:"refunded"`
	Items    []string `json:"items"`
}

// clone returns a copy of o that shares no memory with it.
func (o *Order) clone() Order {
	c := *o
	c.Items = slices.Clone(o.Items)
	return c
}

// A Ticket is a support ticket.
type Ticket struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	Subject  string `json:"subject"`
	Body     string `json:"body"`
}

// A Callback is a scheduled phone call.
type Callback struct {
	Customer string `json:"customer"`
	Phone    string `json:"phone"`
	When     string `json:"when"`
}

// Backend is the fake shop: orders, plans, discount codes, callbacks and
// tickets in memory.
type Backend struct {
	mu        sync.Mutex
	orders    map[string]*Order
	plans     map[string]string
	codes     map[string]int
	callbacks []Callback
	tickets   []Ticket
	refunds   int
	seq       int
}

// NewBackend returns a backend with a few sample orders and customers.
func NewBackend() *Backend {
	return &Backend{
		orders: map[string]*Order{
			"A1001": {ID: "A1001", Customer: "C1", Status: "processing", Address: "1 Main St, Springfield", Total: 42.50, Items: []string{"kettle"}},
			"A1002": {ID: "A1002", Customer: "C1", Status: "delivered", Address: "1 Main St, Springfield", Total: 320, Items: []string{"espresso machine"}},
			"A1003": {ID: "A1003", Customer: "C2", Status: "shipped", Address: "9 Elm Rd, Shelbyville", Total: 18, Items: []string{"filters"}},
		},
		plans: map[string]string{"C1": "plus", "C2": "basic"},
		codes: map[string]int{},
	}
}

// Order returns a copy of an order.
func (b *Backend) Order(id string) (Order, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.orders[id]
	if !ok {
		return Order{}, fmt.Errorf("%w: %s", ErrNoOrder, id)
	}
	return o.clone(), nil
}

// Plan returns a customer's plan.
func (b *Backend) Plan(customer string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.plans[customer]
}

// Refunds returns how many refunds were paid.
func (b *Backend) Refunds() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.refunds
}

// Tickets returns the tickets created.
func (b *Backend) Tickets() []Ticket {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.tickets)
}

// Callbacks returns the callbacks scheduled.
func (b *Backend) Callbacks() []Callback {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.callbacks)
}

// OrderArgs names an order.
type OrderArgs struct {
	OrderID string `json:"order_id" jsonschema:"the order number, such as A1001"`
}

// AddressArgs changes an order's shipping address.
type AddressArgs struct {
	OrderID string `json:"order_id" jsonschema:"the order number"`
	Address string `json:"address" jsonschema:"the full new shipping address"`
}

// RefundArgs refunds part or all of an order.
type RefundArgs struct {
	OrderID string  `json:"order_id" jsonschema:"the order number"`
	Amount  float64 `json:"amount" jsonschema:"amount to refund, in dollars"`
	Reason  string  `json:"reason" jsonschema:"why the customer wants a refund"`
}

// PlanArgs changes a subscription plan.
type PlanArgs struct {
	CustomerID string `json:"customer_id,omitempty" jsonschema:"the customer ID; defaults to the customer in this conversation"`
	Plan       string `json:"plan" jsonschema:"basic, plus or premium"`
}

// DiscountArgs asks for a discount code.
type DiscountArgs struct {
	CustomerID string `json:"customer_id,omitempty" jsonschema:"the customer ID; defaults to the customer in this conversation"`
	Percent    int    `json:"percent" jsonschema:"discount in percent, at most 20"`
}

// DiscountCode is a generated code.
type DiscountCode struct {
	Code    string `json:"code"`
	Percent int    `json:"percent"`
}

// CallbackArgs schedules a callback.
type CallbackArgs struct {
	CustomerID string `json:"customer_id,omitempty" jsonschema:"the customer ID; defaults to the customer in this conversation"`
	Phone      string `json:"phone" jsonschema:"phone number to call"`
	When       string `json:"when" jsonschema:"when to call, as the customer said it"`
}

// TicketArgs creates a ticket.
type TicketArgs struct {
	CustomerID string `json:"customer_id,omitempty" jsonschema:"the customer ID; defaults to the customer in this conversation"`
	Subject    string `json:"subject" jsonschema:"one-line summary"`
	Body       string `json:"body" jsonschema:"details"`
}

// AutoRefundLimit is the largest refund paid without human approval.
const AutoRefundLimit = 50

// MaxRefundPerConversation caps the refunds of one conversation, approved
// ones included; MaxRefundsPerDay caps all refunds of a day.
const (
	MaxRefundPerConversation = 500
	MaxRefundsPerDay         = 5000
)

// MaxDiscount is the largest discount code percentage.
const MaxDiscount = 20

// Register adds the shop's actions to r. Every action acts only for the
// customer of the call ([action.Call.Customer] or [action.WithCustomer]):
// it refuses, with an error matching [action.ErrForbidden], an order of
// another customer, a customer_id argument naming another customer, and
// any call with no customer identified.
func Register(r *action.Registry, b *Backend) error {
	return errors.Join(
		action.Register(r, action.Def[OrderArgs, Order]{
			Name: "lookup_order", Description: "Look up an order's status, items, total and address.",
			Run: b.lookup,
		}),
		action.Register(r, action.Def[AddressArgs, Order]{
			Name: "update_shipping_address", Description: "Change the shipping address of an order that has not shipped.",
			Writes: true, PerConversation: 3,
			Describe: func(a AddressArgs) string {
				return fmt.Sprintf("Shall I change the shipping address of order %s to %q?", a.OrderID, a.Address)
			},
			Run: b.updateAddress,
		}),
		action.Register(r, action.Def[RefundArgs, Order]{
			Name: "refund", Description: "Refund part or all of an order to the original payment method.",
			Amount: func(a RefundArgs) float64 { return a.Amount }, AutoApprove: AutoRefundLimit,
			PerConversation: 2, PerDay: 200, ConversationAmount: MaxRefundPerConversation, DailyAmount: MaxRefundsPerDay,
			Describe: func(a RefundArgs) string {
				return fmt.Sprintf("Shall I refund $%.2f for order %s?", a.Amount, a.OrderID)
			},
			Run: b.refund,
		}),
		action.Register(r, action.Def[PlanArgs, map[string]string]{
			Name: "change_plan", Description: "Change a customer's subscription plan (basic, plus, premium).",
			Writes: true, PerConversation: 2,
			Describe: func(a PlanArgs) string { return fmt.Sprintf("Shall I switch you to the %s plan?", a.Plan) },
			Run:      b.changePlan,
		}),
		action.Register(r, action.Def[DiscountArgs, DiscountCode]{
			Name: "generate_discount_code", Description: "Generate a one-time discount code of up to 20 percent.",
			Writes: true, PerConversation: 1, PerDay: 500,
			Describe: func(a DiscountArgs) string {
				return fmt.Sprintf("Shall I create a %d%% discount code for you?", a.Percent)
			},
			Run: b.discount,
		}),
		action.Register(r, action.Def[CallbackArgs, Callback]{
			Name: "schedule_callback", Description: "Schedule a phone call from an agent.",
			Writes: true, PerConversation: 2,
			Describe: func(a CallbackArgs) string { return fmt.Sprintf("Shall we call you at %s, %s?", a.Phone, a.When) },
			Run:      b.callback,
		}),
		action.Register(r, action.Def[TicketArgs, Ticket]{
			Name: "create_ticket", Description: "Create a support ticket for the team.",
			Writes: true, NoConfirm: true, PerConversation: 3,
			Run: b.ticket,
		}),
	)
}

// customer returns the conversation's customer. It refuses a call with
// no customer identified, and one whose arguments claim another.
func customer(ctx context.Context, claimed string) (string, error) {
	me := action.CustomerFrom(ctx)
	if me == "" {
		return "", fmt.Errorf("%w: no customer is identified in this conversation", action.ErrForbidden)
	}
	if claimed != "" && claimed != me {
		return "", fmt.Errorf("%w: customer %s is not the customer in this conversation", action.ErrForbidden, claimed)
	}
	return me, nil
}

// order returns the order if it belongs to the conversation's customer;
// b.mu is held.
func (b *Backend) order(ctx context.Context, id string) (*Order, error) {
	me, err := customer(ctx, "")
	if err != nil {
		return nil, err
	}
	o, ok := b.orders[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoOrder, id)
	}
	if o.Customer != me {
		return nil, fmt.Errorf("%w: order %s is not one of this customer's orders", action.ErrForbidden, id)
	}
	return o, nil
}

func (b *Backend) lookup(ctx context.Context, a OrderArgs) (Order, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, err := b.order(ctx, a.OrderID)
	if err != nil {
		return Order{}, err
	}
	return o.clone(), nil
}

func (b *Backend) updateAddress(ctx context.Context, a AddressArgs) (Order, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, err := b.order(ctx, a.OrderID)
	if err != nil {
		return Order{}, err
	}
	if o.Status != "processing" {
		return Order{}, &RuleError{Reason: "order " + a.OrderID + " has already " + o.Status}
	}
	if len(a.Address) < 5 {
		return Order{}, &RuleError{Reason: "address too short"}
	}
	o.Address = a.Address
	return o.clone(), nil
}

func (b *Backend) refund(ctx context.Context, a RefundArgs) (Order, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, err := b.order(ctx, a.OrderID)
	if err != nil {
		return Order{}, err
	}
	if a.Amount <= 0 || a.Amount > o.Total-o.Refunded+1e-9 {
		return Order{}, &RuleError{Reason: fmt.Sprintf("refund of %.2f exceeds the %.2f left on order %s", a.Amount, o.Total-o.Refunded, o.ID)}
	}
	o.Refunded += a.Amount
	b.refunds++
	return o.clone(), nil
}

func (b *Backend) changePlan(ctx context.Context, a PlanArgs) (map[string]string, error) {
	me, err := customer(ctx, a.CustomerID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains([]string{"basic", "plus", "premium"}, a.Plan) {
		return nil, &RuleError{Reason: "unknown plan " + a.Plan}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	old, ok := b.plans[me]
	if !ok {
		return nil, &RuleError{Reason: "unknown customer " + me}
	}
	b.plans[me] = a.Plan
	return map[string]string{"from": old, "to": a.Plan}, nil
}

func (b *Backend) discount(ctx context.Context, a DiscountArgs) (DiscountCode, error) {
	if _, err := customer(ctx, a.CustomerID); err != nil {
		return DiscountCode{}, err
	}
	if a.Percent < 1 || a.Percent > MaxDiscount {
		return DiscountCode{}, &RuleError{Reason: fmt.Sprintf("discounts go from 1 to %d percent", MaxDiscount)}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	code := fmt.Sprintf("SAVE%d-%04d", a.Percent, b.seq)
	b.codes[code] = a.Percent
	return DiscountCode{Code: code, Percent: a.Percent}, nil
}

func (b *Backend) callback(ctx context.Context, a CallbackArgs) (Callback, error) {
	me, err := customer(ctx, a.CustomerID)
	if err != nil {
		return Callback{}, err
	}
	if a.Phone == "" || a.When == "" {
		return Callback{}, &RuleError{Reason: "a phone number and a time are needed"}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	c := Callback{Customer: me, Phone: a.Phone, When: a.When}
	b.callbacks = append(b.callbacks, c)
	return c, nil
}

func (b *Backend) ticket(ctx context.Context, a TicketArgs) (Ticket, error) {
	me, err := customer(ctx, a.CustomerID)
	if err != nil {
		return Ticket{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	t := Ticket{ID: fmt.Sprintf("T%04d", b.seq), Customer: me, Subject: a.Subject, Body: a.Body}
	b.tickets = append(b.tickets, t)
	return t, nil
}
