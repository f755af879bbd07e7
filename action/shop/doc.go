// Package shop is an in-memory fake shop backend with the example
// actions of a support and retention bot (look up an order, update the
// shipping address, refund, change the subscription plan, generate a
// discount code, schedule a callback, create a ticket), registered on an
// [action.Registry] with realistic guardrails. Examples and tests use it;
// a real deployment registers the same kinds of actions against its own
// systems.
//
// # Overview
//
//	b := shop.NewBackend()
//	reg := action.NewRegistry(action.WithWrites(true), action.WithApprover(desk))
//	if err := shop.Register(reg, b); err != nil { ... }
//	res, err := reg.Call(ctx, action.Call{Action: "lookup_order", Args: json.RawMessage(`{"order_id":"A1001"}`)})
//
// # Concurrency
//
// A Backend is safe for concurrent use.
//
// # Errors
//
// Actions return [ErrNoOrder] for an unknown order and [*RuleError] when
// a business rule refuses the request.
package shop
