// Package privacy keeps customers' personal data under control: PII
// redaction with reversible tokenisation ([Redactor], [Vault]), consent
// gating of long-term memory ([RequireConsent], [Remember]), and the
// rights of access and erasure over every store that holds customer data
// ([Eraser], [Source]).
//
// It is a package of its own, not part of memory, because it sits above
// the runtime: its middleware wraps [parley.Handler]s and reads turn
// annotations, which the bottom-layer memory package must not import.
//
// # Overview
//
//	store := redisStore // any memory.Store
//	profiles := customer.NewProfiles(store)
//	history := customer.NewHistory(store) // 30-day retention
//	vault := privacy.NewStoreVault(store)
//	redactor := privacy.NewRedactor(privacy.WithVault(vault),
//		privacy.WithMode(privacy.KindEmail, privacy.Tokenize)) // the app needs emails back
//	consent := privacy.RequireConsent(profiles,
//		parley.Text("I can remember our chats to help you faster next time. OK? (yes/no)"))
//	bot := parley.NewBot(parley.Chain(handler, consent, privacy.Remember(history, redactor)),
//		parley.WithStore(store))
//	front := parley.Chain(bot, privacy.RedactInbound(redactor)) // channels call front
//
//	eraser := privacy.NewEraser(privacy.ProfileSource(profiles), privacy.HistorySource(history),
//		privacy.SessionSource(bot.Sessions()), vault)
//	data, err := eraser.Export(ctx, "cust-1") // right of access, JSON
//	err = eraser.Erase(ctx, "cust-1")         // right to erasure, every source
//
// # Concurrency
//
// Every type here is safe for concurrent use.
//
// # Errors
//
// Redaction fails only when a vault call fails. [Eraser] runs every
// source even when one fails and returns the failures joined, each naming
// its source. Vault lookups of unknown or erased tokens return
// [memory.ErrNotFound].
//
// # Implementing Source
//
// A package that keeps customer data (analytics identifiers, scheduled
// messages) offers a [Source]: Name, Export (a JSON-encodable value) and
// Erase (idempotent). Data kept under a per-customer key prefix of a
// [memory.Store] needs only [PrefixSource].
package privacy
