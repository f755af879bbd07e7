// Package shop is an in-memory fake shop backend with the example
// actions of a support and retention bot (look up an order, update the
// shipping address, refund, change the subscription plan, generate a
// discount code, schedule a callback, create a ticket), registered on an
// [action.Registry] with realistic guardrails. It is demo code, not part
// of the SDK: package action's Examples and tests use it;
// a real deployment registers the same kinds of actions against its own
// systems.
//
// # Overview
//
//	b := shop.NewBackend()
//	reg := action.NewRegistry(action.WithWrites(true), action.WithApprover(desk))
//	if err := shop.Register(reg, b); err != nil { ... }
//	// The customer is the one the application authenticated, never one
//	// the model or the user names.
//	res, err := reg.Call(ctx, action.Call{Action: "lookup_order", Customer: t.CustomerID,
//		Args: json.RawMessage(`{"order_id":"A1001"}`)})
//
// # Ownership
//
// Every action acts only for the call's customer ([action.Call.Customer],
// or [action.WithCustomer] on the context, which [action.Loop] passes
// on): an order of another customer, a customer_id argument naming
// another customer, or a call with no customer identified is refused with
// an error matching [action.ErrForbidden], and no data is returned. The
// registry audits the refusal. customer_id arguments are optional and
// default to the call's customer.
//
// # Concurrency
//
// A Backend is safe for concurrent use.
//
// # Errors
//
// Actions return [ErrNoOrder] for an unknown order, an error matching
// [action.ErrForbidden] for another customer's data, and [*RuleError] when
// a business rule refuses the request.
package shop
