// Package desk is an in-memory help-desk for hand-offs, [Memory], with
// the agents' workspace over it, [Console]: enough to run Parley's
// hand-offs without a help-desk product, and what tests use. Teams on a
// hosted help desk use package escalation/desk/zendesk or
// escalation/desk/freshdesk instead, which implement the same
// escalation.Desk over Zendesk's and Freshdesk's APIs.
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
//	mux.Handle("/console/", http.StripPrefix("/console", desk.NewConsole(agents,
//		desk.WithAgentName(signedInAgent), desk.WithApprovals(approvals))))
//
// The workspace is one page with embedded assets, updated live over
// Server-Sent Events. Agents see the queue, most urgent and longest
// waiting first; for the open conversation the customer card, their
// mood over time (in words: "Upset: acknowledge the trouble before
// anything else", not a percentage), the facts gathered, the reason for
// the hand-off in words checked against what the customer wrote, the
// transcript and a suggested first reply; they reply (the customer sees
// their name), insert canned replies, write internal notes
// ([Memory.Note]), transfer ([Memory.Transfer]), resolve with a reason,
// and decide the approvals that belong to the conversation, from the
// keyboard if they like (press ? on the page).
//
// One customer is one case: a signed-in customer who asks for a person
// from a second device (another conversation) while their case is open
// joins it ([Case.Joined]), so the queue has one row for them, marked
// "on 2 devices", and what agents write reaches both conversations.
//
// # Concurrency
//
// A Memory desk and its Console are safe for concurrent use. The desk
// starts no goroutines; it delivers lifecycle turns on the caller's
// goroutine. [Memory.Changes] wakes those waiting for the next change;
// each open workspace page holds one event stream, which ends with its
// request.
//
// # Errors
//
// The desk returns [escalation.ErrUnknownTicket], [escalation.ErrClosedTicket]
// and, while [Memory.SetFault] makes it fail, [escalation.ErrDeskUnavailable].
// The console's JSON API maps them to 404, 409 and 502.
package desk
