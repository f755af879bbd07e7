// Package customer remembers customers across conversations and channels:
// [Profiles] (what the customer told us and what we know of them, with
// their consent decisions and the channel [Identity] values linked to
// them) and a cross-channel [History] kept for a retention period. Both
// are typed fronts over a [memory.Store]. Subpackages: crm (a read-only
// lookup in the application's own customer system) and carryover (continue
// a conversation on another channel).
//
// # Overview
//
//	store := memory.NewMap() // or a Redis, PostgreSQL or SQLite store
//	profiles := customer.NewProfiles(store)
//	history := customer.NewHistory(store) // 30-day retention
//
//	if err := profiles.Link(ctx, "cus_42", customer.Identity{Channel: "whatsapp", ID: "+15550100"}); err != nil {
//		return err // a *LinkError if the number belongs to someone else
//	}
//	p, err := profiles.Update(ctx, "cus_42", func(p *customer.Profile) error {
//		p.RecordConsent(customer.Consent{Purpose: "memory", Granted: true, Time: time.Now()})
//		return nil
//	})
//
// # Concurrency
//
// [Profiles] and [History] are safe for concurrent use. A [Profile] value
// is not: one goroutine owns it between Load and Save; two writers are
// detected by the store's version check ([memory.ErrConflict]), and
// [Profiles.Update] retries for you.
//
// # Errors
//
// [memory.ErrNotFound] for an unknown customer or identity; a [*LinkError]
// for an identity linked to another customer; a [*memory.CorruptError]
// naming the key for a record that cannot be decoded (the rest keeps
// working); a [*memory.ValueTooLargeError] for an oversized profile.
package customer
