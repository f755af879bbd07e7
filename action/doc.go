// Package action runs guarded actions: named Go functions with JSON-schema
// arguments inferred from Go structs, callable from flows and by an LLM
// through tool calling, with every guardrail enforced in code rather than
// in a prompt.
//
// # Overview
//
//	reg := action.NewRegistry(action.WithWrites(true), action.WithApprover(desk))
//	err := action.Register(reg, action.Def[RefundArgs, Order]{
//		Name:        "refund",
//		Description: "Refund part or all of an order.",
//		Amount:      func(a RefundArgs) float64 { return a.Amount },
//		AutoApprove: 50, // above $50 a human approves
//		PerConversation: 2,
//		Run:         backend.Refund,
//	})
//	res, err := reg.Call(ctx, action.Call{Action: "refund", Args: args,
//		Conversation: t.ConversationID, Customer: t.CustomerID})
//	switch res.Status {
//	case action.NeedsConfirmation: // ask res.Prompt, then call again with Confirmed
//	case action.PendingApproval:   // tell the user a specialist will review it
//	}
//	// Or let a model call the tools: (&action.Loop{Model: m, Registry: reg}).Run(ctx, req)
//
// The guardrails: arguments are validated against the schema (and
// decoded strictly); writing actions run only while writes are switched
// on ([WithWrites], [Registry.SetWrites]) and after the user confirms;
// money-moving actions over their automatic limit go to an [Approver] (for
// example the escalation desk, through [HandOffApprover]) and run only on
// [Registry.Approve]; per-conversation, per-day and per-customer budgets
// cap calls and the money moved; idempotency keys make a retried call
// return its first result instead of running twice (remembered for a
// window, default 24 hours); every call is written to an [AuditLog].
// Results and budget counters live in process memory unless [WithStore]
// keeps them in a [memory.Store], where they survive a restart and are
// shared by replicas (each budget granted once between them).
//
// # Customers
//
// A call runs for one customer: [Call.Customer], or the customer put in
// the context with [WithCustomer] (which [Loop.Run] passes on to its
// calls). It is the identity the application authenticated, never one a
// model or user names, and the action reads it with [CustomerFrom] to
// refuse other customers' data with an error wrapping [ErrForbidden],
// which the registry audits as a refusal. It is kept with a pending
// approval, so an approved call runs for the same customer.
//
// # Approvals
//
// A call over its automatic limit is kept in an [ApprovalStore] (in
// memory by default; [NewStoreApprovals] keeps it in a [memory.Store] so
// that it survives restarts, set with [WithApprovals]) and sent once to
// the [Approver]; repeats of the same pending request (same conversation,
// action and arguments) get the same approval ID and no new request. The
// human's decision comes back by that ID:
//
//	// The desk's ticket carries the request (see HandOffApprover).
//	req, err := action.ApprovalRequestFromData(ticket.Data)
//	// ... an agent reads req.Action, req.Args, req.Amount and decides:
//	res, err := reg.Approve(ctx, req.ID, agentName) // runs the call, audited with the approver
//	err = reg.Reject(ctx, req.ID, agentName)        // drops it, audited
//
// [Registry.Pending] lists what is waiting, for a console.
//
// The demo shop in examples/shop (import path
// github.com/parleyhq/parley/examples/shop) registers example actions
// against a fake backend; the Examples of this package use it.
//
// # Concurrency
//
// A Registry is safe for concurrent use. Concurrent calls with the same
// idempotency key share one run of the action: if it succeeds they all
// get its result (the duplicates marked Replayed), and if it fails they
// all get its error. A failed call is not remembered, so a later retry
// with the same key runs the action again; only a success is replayed.
//
// # Errors
//
// Refusals, after which nothing ran: [ErrUnknownAction], [*ArgsError],
// [*CheckError] (the action's own Check refused the call),
// [ErrWritesDisabled], [ErrBudget], [ErrNoApprover], [ErrRejected] (with
// [ErrNoApproval] for an approval that is not pending). A
// failing [AuditLog] is reported too. [Loop.Run] adds
// [ErrInvalidToolCalls] and [ErrTooManySteps]. Errors from the action
// itself are returned as they are.
package action
