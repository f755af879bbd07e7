// Package desk is an in-memory help-desk for hand-offs, [Memory], with
// the agents' web console over it, [Console]: enough to run Parley's
// hand-offs without a help-desk product, and what tests use.
//
// # Overview
//
// The escalation package submits tickets to the desk and relays the
// customer's messages; the agents' side ([Memory.Assign], [Memory.Reply],
// [Memory.Resolve]) comes back to the conversation as lifecycle turns
// through the [escalation.Deliverer] the desk was given:
//
//	agents := desk.NewMemory(deliver, desk.WithAgents(5)) // five agents on duty
//	esc, err := escalation.New(agents)
//	...
//	mux.Handle("/console/", http.StripPrefix("/console", desk.NewConsole(agents)))
//
// Agents see the queue, most urgent first, and for each ticket what the
// customer wants in their own words, their mood as measured, the
// transcript and a suggested first reply.
//
// # Concurrency
//
// A Memory desk and its Console are safe for concurrent use. The desk
// starts no goroutines; it delivers lifecycle turns on the caller's
// goroutine.
//
// # Errors
//
// The desk returns [escalation.ErrUnknownTicket], [escalation.ErrClosedTicket]
// and, while [Memory.SetFault] makes it fail, [escalation.ErrDeskUnavailable].
// The console maps them to 404, 409 and 502.
package desk
