package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/flow"
)

// The shop's actions, registered in an action.Registry: the flows call
// them (and an LLM could, through the registry's tools), and the registry
// enforces the guardrails in code: argument schemas, confirmation before
// anything changes, refunds over autoRefundLimit wait for a teammate's OK
// on the approvals page while the customer chats on, budgets per
// conversation and per day, idempotency, and an audit log of every call.
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
	ID   string `json:"id"`
	Item string `json:"item"`
	// Names are the item's name in other languages (order.Names).
	Names    map[string]string `json:"names,omitempty"`
	Status   string            `json:"status"`
	Tracking string            `json:"tracking,omitempty"`
	Address  string            `json:"address"`
	Paid     float64           `json:"paid_usd"`
	Refunded float64           `json:"refunded_usd"`
	// RefundedOn is the day the latest refund was sent (2006-01-02).
	RefundedOn string `json:"refunded_on,omitempty"`
	// Carrier brings a shipped order; Due is the day it should arrive
	// (2006-01-02).
	Carrier string `json:"carrier,omitempty"`
	Due     string `json:"due,omitempty"`
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
	// Campaign is the proactive campaign giving the code; empty for a
	// code given in a chat. A customer gets one code per campaign.
	Campaign string `json:"campaign,omitempty" jsonschema:"the campaign giving the code, if any"`
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

// Refusals of the shop's actions' checks.
var (
	errTooMuch      = errors.New("shop: more than is left to refund")
	errShortAddress = errors.New("shop: address too short")
)

// minAddress is the shortest delivery address accepted, in bytes.
const minAddress = 8

// newKey returns a fresh idempotency key for the shop.
func newKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// ownOrder returns order id if it belongs to the customer in ctx.
func (s *shop) ownOrder(ctx context.Context, id string) (order, error) {
	o, err := s.Order(ctx, id)
	if err != nil {
		return order{}, err
	}
	if o.Customer != action.CustomerFrom(ctx) {
		return order{}, errNotYours
	}
	return o, nil
}

// newActions registers the shop's actions. With writes false the
// registry starts read-only: lookups work, changes are refused.
func newActions(s *shop, writes bool, opts ...action.Option) (*action.Registry, error) {
	r := action.NewRegistry(append([]action.Option{action.WithWrites(writes), action.WithApprover(action.ApproverFunc(waitOnApprovalsPage))}, opts...)...)
	err := errors.Join(
		action.Register(r, action.Def[orderArgs, orderView]{
			Name: actLookupOrder, Description: "Look up one of the customer's orders: item, status, tracking, address, amounts.",
			PerConversation: 20,
			Run: func(ctx context.Context, a orderArgs) (orderView, error) {
				o, err := s.ownOrder(ctx, a.OrderID)
				if err != nil {
					return orderView{}, err
				}
				v := orderView{ID: o.ID, Item: o.Item, Names: o.Names, Status: o.Status, Tracking: o.Tracking, Address: o.Address, Paid: o.PaidUSD, Refunded: o.Refunded, Carrier: o.Carrier}
				if !o.Due.IsZero() {
					v.Due = o.Due.Format(time.DateOnly)
				}
				if !o.RefundedAt.IsZero() {
					v.RefundedOn = o.RefundedAt.Format(time.DateOnly)
				}
				return v, nil
			},
		}),
		action.Register(r, action.Def[addressArgs, orderView]{
			Name: actAddress, Description: "Change the delivery address of an order that has not shipped yet.",
			Writes: true, PerConversation: 3,
			Check: func(ctx context.Context, a addressArgs) error {
				o, err := s.ownOrder(ctx, a.OrderID)
				if err != nil {
					return err
				}
				if o.Status != "processing" {
					return fmt.Errorf("%w: order %s has already %s", errTooLate, o.ID, o.Status)
				}
				if len(strings.TrimSpace(a.Address)) < minAddress {
					return errShortAddress
				}
				return nil
			},
			Describe: func(a addressArgs) string {
				// Quoted as typed (%q would escape a quote inside it),
				// and worded as es.yaml translates it.
				return fmt.Sprintf("Shall I change the delivery address of %s to \"%s\"?", a.OrderID, a.Address)
			},
			Run: func(ctx context.Context, a addressArgs) (orderView, error) {
				o, err := s.SetAddress(ctx, a.OrderID, strings.TrimSpace(a.Address))
				if err != nil {
					return orderView{}, err
				}
				return orderView{ID: o.ID, Item: o.Item, Names: o.Names, Status: o.Status, Address: o.Address, Paid: o.PaidUSD, Refunded: o.Refunded}, nil
			},
		}),
		action.Register(r, action.Def[refundArgs, orderView]{
			Name: actRefund, Description: "Refund part or all of an order to the original payment method.",
			Amount: func(a refundArgs) float64 { return a.Amount }, AutoApprove: autoRefundLimit,
			// What was already refunded on the order counts towards the
			// automatic limit: two refunds of $49 need a person too.
			Prior: func(ctx context.Context, a refundArgs) (float64, error) {
				o, err := s.ownOrder(ctx, a.OrderID)
				return o.Refunded, err
			},
			// Refused before the customer is asked anything, and before a
			// person is asked to approve.
			Check: func(ctx context.Context, a refundArgs) error {
				o, err := s.ownOrder(ctx, a.OrderID)
				if err != nil {
					return err
				}
				if left := o.PaidUSD - o.Refunded; a.Amount > left+1e-9 {
					return fmt.Errorf("%w: only $%.2f is left to refund on %s", errTooMuch, left, o.ID)
				}
				return nil
			},
			// Per-customer budgets beside the shop's: one customer (or a
			// script signed in as them) cannot spend the day's refunds
			// for everyone.
			PerConversation: 2, PerDay: 200, ConversationAmount: 500, DailyAmount: 5000,
			PerCustomerDay: 5, CustomerDailyAmount: 500,
			Describe: func(a refundArgs) string {
				return fmt.Sprintf("To confirm: refund $%.2f on order %s to your original payment method?", a.Amount, a.OrderID)
			},
			Run: func(ctx context.Context, a refundArgs) (orderView, error) {
				// The registry runs a request once; each run is a new
				// refund for the shop.
				limit := float64(autoRefundLimit)
				if action.ApprovedBy(ctx) != "" {
					limit = 0 // a person approved it
				}
				if err := s.Refund(ctx, newKey(), a.OrderID, a.Amount, limit); err != nil {
					return orderView{}, err
				}
				o, err := s.Order(ctx, a.OrderID)
				return orderView{ID: o.ID, Item: o.Item, Names: o.Names, Status: o.Status, Paid: o.PaidUSD, Refunded: o.Refunded}, err
			},
		}),
		action.Register(r, action.Def[planArgs, map[string]string]{
			Name: actChangePlan, Description: "Change the customer's subscription plan.",
			// Three: cancelling, then restoring, then a switch (plans.go).
			Writes: true, PerConversation: 3,
			Describe: func(a planArgs) string { return fmt.Sprintf("Shall I switch your plan to %s?", a.Plan) },
			Run: func(ctx context.Context, a planArgs) (map[string]string, error) {
				if !slices.Contains(plans, a.Plan) {
					return nil, fmt.Errorf("shop: unknown plan %q", a.Plan)
				}
				if err := s.Renew(ctx, action.CustomerFrom(ctx), a.Plan); err != nil {
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
			// One code per customer per campaign (or per customer from
			// chats) in the registry's window, however many chats they open.
			Writes: true, NoConfirm: true, PerConversation: 1, PerDay: 500,
			PerCustomer: 1, Scope: func(a discountArgs) string { return a.Campaign },
			Run: func(ctx context.Context, a discountArgs) (discountCode, error) {
				if a.Percent < 5 || a.Percent > 20 {
					return discountCode{}, fmt.Errorf("shop: discounts go from 5 to 20 percent, not %d", a.Percent)
				}
				return s.Discount(ctx, action.CustomerFrom(ctx), a.Percent)
			},
		}),
		action.Register(r, action.Def[callbackArgs, callback]{
			Name: actCallback, Description: "Book a phone call from a person on the team.",
			Writes: true, PerConversation: 2, PerCustomerDay: 3,
			Describe: func(a callbackArgs) string { return fmt.Sprintf("Shall we call you on %s, %s?", a.Phone, a.When) },
			Run: func(ctx context.Context, a callbackArgs) (callback, error) {
				return s.ScheduleCallback(ctx, callback{Customer: action.CustomerFrom(ctx), Phone: a.Phone, When: a.When})
			},
		}),
		action.Register(r, cancelOrderDef(s)),
		action.Register(r, action.Def[ticketArgs, supportTicket]{
			Name: actTicket, Description: "File a case for the support team to follow up by email.",
			Writes: true, NoConfirm: true, PerConversation: 3, PerCustomerDay: 5,
			Run: func(ctx context.Context, a ticketArgs) (supportTicket, error) {
				return s.CreateTicket(ctx, supportTicket{Customer: action.CustomerFrom(ctx), Subject: a.Subject, Body: a.Body})
			},
		}),
	)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// waitOnApprovalsPage is the registry's approver: an over-limit call
// waits in the registry's approval store, which the approvals page lists,
// and nothing else happens. It is not a hand-off: the customer keeps
// chatting with the bot, and the decision reaches them as its own message
// (approvalDecisions) without disturbing whoever owns the conversation.
func waitOnApprovalsPage(context.Context, action.ApprovalRequest) error { return nil }

// actions runs registry calls for the flows, on behalf of the turn's
// signed-in customer (never a customer named in the arguments).
type actions struct {
	reg *action.Registry
}

func newActionRunner(reg *action.Registry) *actions {
	return &actions{reg: reg}
}

// call runs action name with args for the turn's customer. confirmed says
// the customer has just agreed to this exact call. Over-limit calls wait
// for a teammate on the approvals page.
func (a *actions) call(ctx context.Context, s *flow.Scope, name string, args any, confirmed bool) (action.Result, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return action.Result{}, err
	}
	t := s.Turn
	return a.reg.Call(ctx, action.Call{
		Action: name, Args: raw, Conversation: t.ConversationID, Customer: t.CustomerID, Confirmed: confirmed,
	})
}

// callKeyed runs action name, confirmed, under idempotency key key
// rather than the one the registry derives from the arguments.
func (a *actions) callKeyed(ctx context.Context, s *flow.Scope, name string, args any, key string) (action.Result, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return action.Result{}, err
	}
	t := s.Turn
	return a.reg.Call(ctx, action.Call{
		Action: name, Args: raw, Conversation: t.ConversationID, Customer: t.CustomerID, Confirmed: true, IdempotencyKey: key,
	})
}

// awaiting returns the calls waiting for a person's approval.
func (a *actions) awaiting(ctx context.Context) ([]action.Approval, error) {
	return a.reg.Pending(ctx)
}

// decide approves or rejects approval id on behalf of agent. It returns
// the request decided, for telling the customer. A customer cannot
// decide their own request.
func (a *actions) decide(ctx context.Context, id, agent string, approve bool) (action.ApprovalRequest, action.Result, error) {
	var req action.ApprovalRequest
	pending, err := a.reg.Pending(ctx)
	if err != nil {
		return req, action.Result{}, err
	}
	for _, p := range pending {
		if p.Request.ID == id {
			req = p.Request
		}
	}
	if req.Customer != "" && strings.EqualFold(desk.NormalizeName(req.Customer), desk.NormalizeName(agent)) {
		return action.ApprovalRequest{}, action.Result{}, fmt.Errorf("%w: a customer cannot approve their own request", errSelfApproval)
	}
	if !approve {
		return req, action.Result{}, a.reg.Reject(ctx, id, agent)
	}
	res, err := a.reg.Approve(ctx, id, agent)
	return req, res, err
}

// refusal words a registry refusal for the customer, or returns "" for
// an error that is not one.
func refusal(err error) string {
	switch {
	case errors.Is(err, action.ErrWritesDisabled):
		return "I can't make changes to accounts right now, so I've left everything as it was."
	case errors.Is(err, action.ErrBudget):
		return "I've reached the limit on how many of those I can do for now, so I haven't done it."
	case errors.Is(err, errNoOrder), errors.Is(err, action.ErrForbidden):
		return "I couldn't find that order on your account."
	case errors.Is(err, errTooLate):
		return "That order has already left our warehouse, so its address can't be changed any more."
	case errors.Is(err, errCannotCancel):
		return "That order has already left our warehouse, so it can't be cancelled any more."
	case errors.Is(err, errShortAddress):
		return "That address looks incomplete, so I haven't changed anything."
	case errors.Is(err, errNeedsApproval):
		return "Another refund on that order went through just now, so this one needs a teammate's OK: please ask again and I'll pass it on."
	case errors.Is(err, errTooMuch):
		return "That's more than is left to refund on that order, so I haven't refunded anything."
	}
	return ""
}
