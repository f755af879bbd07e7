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
//	eraser := privacy.NewEraser(append(privacy.StoreSources(store), // every record kind in the store
//		action.PrivacySource(registry), deskMemory, privacy.JobsSource(scheduler),
//		privacy.ObserverSource(recorder))...) // pending approvals + audit, tickets, jobs, analytics
//	data, err := eraser.Export(ctx, "cust-1") // right of access, JSON
//	err = eraser.Erase(ctx, "cust-1")         // right to erasure, every source; *EraseError names failures
//
// # Concurrency
//
// Every type here is safe for concurrent use.
//
// # Errors
//
// Redaction fails only when a vault call fails. [Eraser] runs every
// source even when one fails and returns an [*EraseError] naming each
// failed source; calling Erase again finishes the job (sources are
// idempotent, and the profile, which others need to find the customer,
// goes last).
//
// # What erasure leaves
//
// Deleted records can survive physically in a store's files: SQLite's
// write-ahead log and free pages (memory/sqlite sets secure_delete and
// offers Store.Compact), Redis's AOF and RDB snapshots, PostgreSQL's dead
// tuples, WAL archive and backups. Hosted help desks (Zendesk, Freshdesk)
// are sources themselves: their Erase deletes the customer's tickets and
// requester in the vendor's account through its API, for good; tickets
// filed before they tagged or linked the customer must be found by hand.
// SECURITY.md in the repository lists what the operator does for each.
// Vault lookups of unknown or erased tokens return [memory.ErrNotFound].
//
// # Implementing Source
//
// A package that keeps customer data (analytics identifiers, scheduled
// messages) offers a [Source]: Name, Export (a JSON-encodable value) and
// Erase (idempotent). Data kept under a per-customer key prefix of a
// [memory.Store] needs only [PrefixSource].
package privacy
