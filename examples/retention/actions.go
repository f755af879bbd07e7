package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/flow"
)

// The shop's actions, registered in an action.Registry: the flows call
// them (and an LLM could, through the registry's tools), and the registry
// enforces the guardrails in code: argument schemas, confirmation before
// anything changes, refunds over autoRefundLimit wait for a person on the
// agents' desk, budgets per conversation and per day, idempotency, and an
// audit log of every call.
const (
	actLookupOrder = "lookup_order"
	actAddress     = "update_shipping_address"
	actRefund      = "refund"
	actChangePlan  = "change_plan"
	actDiscount    = "generate_discount_code"
	actCallback    = "schedule_callback"
	actTicket      = "create_ticket"
)

// autoRefundLimit is the largest refund paid without a person's approval.
const autoRefundLimit = 50

// plans are the subscription plans a customer can be moved to.
var plans = []string{"Monthly Basic", "Monthly Plus", "Annual Plus", "Monthly Plus (50% off for 3 months)", "Cancelled at period end"}

type orderArgs struct {
	OrderID string `json:"order_id" jsonschema:"the order number, such as A-1001"`
}

// orderView is what lookup_order tells the caller about an order.
type orderView struct {
	ID       string  `json:"id"`
	Item     string  `json:"item"`
	Status   string  `json:"status"`
	Tracking string  `json:"tracking,omitempty"`
	Address  string  `json:"address"`
	Paid     float64 `json:"paid_usd"`
	Refunded float64 `json:"refunded_usd"`
}

type addressArgs struct {
	OrderID string `json:"order_id" jsonschema:"the order number"`
	Address string `json:"address" jsonschema:"the full new delivery address"`
}

type refundArgs struct {
	OrderID string  `json:"order_id" jsonschema:"the order number"`
	Amount  float64 `json:"amount" jsonschema:"amount to refund, in US dollars"`
	Reason  string  `json:"reason,omitempty" jsonschema:"why the customer wants a refund"`
}

type planArgs struct {
	Plan string `json:"plan" jsonschema:"the new plan: Monthly Basic, Monthly Plus, Annual Plus, Monthly Plus (50% off for 3 months) or Cancelled at period end"`
}

type discountArgs struct {
	Percent int    `json:"percent" jsonschema:"discount in percent, 5 to 20"`
	Reason  string `json:"reason,omitempty" jsonschema:"why the code is given"`
}

type callbackArgs struct {
	Phone string `json:"phone" jsonschema:"the phone number to call"`
	When  string `json:"when" jsonschema:"when to call, as the customer said it"`
}

type ticketArgs struct {
	Subject string `json:"subject" jsonschema:"one-line summary"`
	Body    string `json:"body" jsonschema:"what the team should do"`
}

// errNotYours refuses an action on another customer's order; callers
// tell the customer the order was not found, revealing nothing.
var errNotYours = fmt.Errorf("%w on this account", errNoOrder)

// customerKey carries the customer an action runs for. It comes from the
// signed-in conversation, never from the arguments, so a model or a
// crafted message cannot act on someone else's account.
type customerKey struct{}

func withCustomer(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, customerKey{}, id)
}

func customerOf(ctx context.Context) string {
	id, _ := ctx.Value(customerKey{}).(string)
	return id
}

// ownOrder returns order id if it belongs to the customer in ctx.
func (s *shop) ownOrder(ctx context.Context, id string) (order, error) {
	o, err := s.Order(ctx, id)
	if err != nil {
		return order{}, err
	}
	if o.Customer != customerOf(ctx) {
		return order{}, errNotYours
	}
	return o, nil
}

// newActions registers the shop's actions. With writes false the
// registry starts read-only: lookups work, changes are refused.
func newActions(s *shop, writes bool, opts ...action.Option) (*action.Registry, error) {
	r := action.NewRegistry(append([]action.Option{action.WithWrites(writes)}, opts...)...)
	err := errors.Join(
		action.Register(r, action.Def[orderArgs, orderView]{
			Name: actLookupOrder, Description: "Look up one of the customer's orders: item, status, tracking, address, amounts.",
			PerConversation: 20,
			Run: func(ctx context.Context, a orderArgs) (orderView, error) {
				o, err := s.ownOrder(ctx, a.OrderID)
				if err != nil {
					return orderView{}, err
				}
				return orderView{ID: o.ID, Item: o.Item, Status: o.Status, Tracking: o.Tracking, Address: o.Address, Paid: o.PaidUSD, Refunded: o.Refunded}, nil
			},
		}),
		action.Register(r, action.Def[addressArgs, orderView]{
			Name: actAddress, Description: "Change the delivery address of an order that has not shipped yet.",
			Writes: true, PerConversation: 3,
			Describe: func(a addressArgs) string {
				return fmt.Sprintf("Shall I change the delivery address of %s to %q?", a.OrderID, a.Address)
			},
			Run: func(ctx context.Context, a addressArgs) (orderView, error) {
				if _, err := s.ownOrder(ctx, a.OrderID); err != nil {
					return orderView{}, err
				}
				if len(strings.TrimSpace(a.Address)) < 8 {
					return orderView{}, errors.New("shop: address too short")
				}
				o, err := s.SetAddress(ctx, a.OrderID, strings.TrimSpace(a.Address))
				if err != nil {
					return orderView{}, err
				}
				return orderView{ID: o.ID, Item: o.Item, Status: o.Status, Address: o.Address, Paid: o.PaidUSD, Refunded: o.Refunded}, nil
			},
		}),
		action.Register(r, action.Def[refundArgs, orderView]{
			Name: actRefund, Description: "Refund part or all of an order to the original payment method.",
			Amount: func(a refundArgs) float64 { return a.Amount }, AutoApprove: autoRefundLimit,
			PerConversation: 2, PerDay: 200, ConversationAmount: 500, DailyAmount: 5000,
			Describe: func(a refundArgs) string {
				return fmt.Sprintf("To confirm: refund $%.2f on order %s to your original payment method?", a.Amount, a.OrderID)
			},
			Run: func(ctx context.Context, a refundArgs) (orderView, error) {
				if _, err := s.ownOrder(ctx, a.OrderID); err != nil {
					return orderView{}, err
				}
				// The shop's own idempotency key: the registry already runs
				// a call once, and the shop refunds once per key too.
				key := "refund/" + customerOf(ctx) + "/" + a.OrderID + "/" + fmt.Sprintf("%.2f", a.Amount)
				if err := s.Refund(ctx, key, a.OrderID, a.Amount); err != nil {
					return orderView{}, err
				}
				o, err := s.Order(ctx, a.OrderID)
				return orderView{ID: o.ID, Item: o.Item, Status: o.Status, Paid: o.PaidUSD, Refunded: o.Refunded}, err
			},
		}),
		action.Register(r, action.Def[planArgs, map[string]string]{
			Name: actChangePlan, Description: "Change the customer's subscription plan.",
			Writes: true, PerConversation: 2,
			Describe: func(a planArgs) string { return fmt.Sprintf("Shall I switch your plan to %s?", a.Plan) },
			Run: func(ctx context.Context, a planArgs) (map[string]string, error) {
				if !slices.Contains(plans, a.Plan) {
					return nil, fmt.Errorf("shop: unknown plan %q", a.Plan)
				}
				if err := s.Renew(ctx, customerOf(ctx), a.Plan); err != nil {
					return nil, err
				}
				return map[string]string{"plan": a.Plan}, nil
			},
		}),
		action.Register(r, action.Def[discountArgs, discountCode]{
			Name: actDiscount, Description: "Give the customer a one-time discount code of 5 to 20 percent.",
			// A code given to the customer changes none of their data and
			// moves no money until they use it: no confirmation, but one
			// per conversation and a daily cap.
			Writes: true, NoConfirm: true, PerConversation: 1, PerDay: 500,
			Run: func(ctx context.Context, a discountArgs) (discountCode, error) {
				if a.Percent < 5 || a.Percent > 20 {
					return discountCode{}, fmt.Errorf("shop: discounts go from 5 to 20 percent, not %d", a.Percent)
				}
				return s.Discount(ctx, customerOf(ctx), a.Percent)
			},
		}),
		action.Register(r, action.Def[callbackArgs, callback]{
			Name: actCallback, Description: "Book a phone call from a person on the team.",
			Writes: true, PerConversation: 2,
			Describe: func(a callbackArgs) string { return fmt.Sprintf("Shall we call you on %s, %s?", a.Phone, a.When) },
			Run: func(ctx context.Context, a callbackArgs) (callback, error) {
				return s.ScheduleCallback(ctx, callback{Customer: customerOf(ctx), Phone: a.Phone, When: a.When})
			},
		}),
		action.Register(r, action.Def[ticketArgs, supportTicket]{
			Name: actTicket, Description: "File a case for the support team to follow up by email.",
			Writes: true, NoConfirm: true, PerConversation: 3,
			Run: func(ctx context.Context, a ticketArgs) (supportTicket, error) {
				return s.CreateTicket(ctx, supportTicket{Customer: customerOf(ctx), Subject: a.Subject, Body: a.Body})
			},
		}),
	)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// actions runs registry calls for the flows and keeps the approval
// requests the agents' desk is deciding.
type actions struct {
	reg     *action.Registry
	handoff parley.HandOffer

	mu      sync.Mutex
	pending map[string]approval // approval ID -> request
}

// approval is an over-limit call waiting for a person.
type approval struct {
	action.ApprovalRequest
	Customer string
}

func newActionRunner(reg *action.Registry, h parley.HandOffer) *actions {
	return &actions{reg: reg, handoff: h, pending: map[string]approval{}}
}

// call runs action name with args for the turn's customer. confirmed says
// the customer has just agreed to this exact call. Over-limit calls go to
// the agents' desk as a hand-off carrying the approval ID.
func (a *actions) call(ctx context.Context, s *flow.Scope, name string, args any, confirmed bool) (action.Result, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return action.Result{}, err
	}
	t := s.Turn
	desk := action.HandOffApprover(a.handoff, parley.ReplyFunc(s.Reply), t)
	approver := action.ApproverFunc(func(ctx context.Context, req action.ApprovalRequest) error {
		a.mu.Lock()
		a.pending[req.ID] = approval{ApprovalRequest: req, Customer: t.CustomerID}
		a.mu.Unlock()
		if err := desk.RequestApproval(ctx, req); err != nil {
			a.mu.Lock()
			delete(a.pending, req.ID)
			a.mu.Unlock()
			return err
		}
		return nil
	})
	return a.reg.Call(withCustomer(ctx, t.CustomerID), action.Call{
		Action: name, Args: raw, Conversation: t.ConversationID, Confirmed: confirmed, Approver: approver,
	})
}

// awaiting returns the approval requests not yet decided, oldest first.
func (a *actions) awaiting() []approval {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]approval, 0, len(a.pending))
	for _, p := range a.pending {
		out = append(out, p)
	}
	slices.SortFunc(out, func(x, y approval) int { return strings.Compare(x.ID, y.ID) })
	return out
}

// decide approves or rejects a pending call on behalf of agent.
func (a *actions) decide(ctx context.Context, id, agent string, approve bool) (approval, action.Result, error) {
	a.mu.Lock()
	p, ok := a.pending[id]
	delete(a.pending, id)
	a.mu.Unlock()
	if !ok {
		return approval{}, action.Result{}, fmt.Errorf("%w: no pending call %q", action.ErrRejected, id)
	}
	if !approve {
		return p, action.Result{}, a.reg.Reject(ctx, id, agent)
	}
	res, err := a.reg.Approve(withCustomer(ctx, p.Customer), id, agent)
	return p, res, err
}

// refusal words a registry refusal for the customer, or returns "" for
// an error that is not one.
func refusal(err error) string {
	switch {
	case errors.Is(err, action.ErrWritesDisabled):
		return "I can't make changes to accounts right now, so I've left everything as it was."
	case errors.Is(err, action.ErrBudget):
		return "I've done as much of that as I'm allowed to in one chat."
	case errors.Is(err, errNoOrder):
		return "I couldn't find that order on your account."
	case errors.Is(err, errTooLate):
		return "That order has already left our warehouse, so its address can't be changed any more."
	}
	return ""
}
