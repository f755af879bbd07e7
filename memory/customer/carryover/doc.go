// Package carryover continues a customer's conversation across channels:
// start on the web, continue on WhatsApp where you left off. Its
// middleware, on the first turn of a new conversation, finds the
// customer's most recent conversation in the cross-channel
// [customer.History] and copies that conversation's state (flow position,
// filled slots) and recent history into the new session.
//
// # Overview
//
//	history := customer.NewHistory(store)
//	carry := carryover.Middleware(bot.Sessions(), history,
//		carryover.WithMaxAge(24*time.Hour),
//		carryover.WithAllow(privacy.Allowed)) // only for customers who consented to memory
//	handler = parley.Chain(flows, consent, carry, privacy.Remember(history, redactor))
//
// Channel adapters must set [parley.Turn.CustomerID] (resolve channel
// identities with [customer.Profiles.Resolve]) for a customer to be
// recognised on the new channel.
//
// # Concurrency
//
// The middleware is safe for concurrent use.
//
// # Errors
//
// A failure to read the history or the earlier session fails the turn
// (the Bot sends its fallback reply); an earlier session that no longer
// exists is not an error: the conversation simply starts afresh.
package carryover
