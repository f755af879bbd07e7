// Package memory stores conversation state: a small key-value [Store]
// interface with versions and TTLs, an in-memory implementation ([Map]), a
// typed [Sessions] front that keeps each conversation's flow state and a
// bounded window of its history, typed session state declared once by the
// package that owns it ([StateKey]), and leases that replicas sharing a
// store respect ([Locker], [NewLocker]). Subpackages: customer (what Parley
// remembers about customers across conversations: profiles, identities,
// consent, history; with customer/crm and customer/carryover), memorytest
// (the Store conformance suite), and the nested modules redis, postgres
// and sqlite.
//
// memory is the bottom layer of Parley: it imports nothing else of ours and
// can be used without a bot.
//
// # Overview
//
//	store := memory.NewMap()
//	sessions := memory.NewSessions(store)
//
//	s, err := sessions.Load(ctx, "conv-42")
//	if errors.Is(err, memory.ErrNotFound) {
//		s = sessions.New("conv-42")
//	} else if err != nil {
//		return err
//	}
//	s.Append(memory.Entry{Role: memory.RoleUser, Text: "where is my order?"})
//	if err := flowStateKey.Set(s, myFlowState); err != nil { // a StateKey[T]
//		return err
//	}
//	if err := sessions.Save(ctx, s); errors.Is(err, memory.ErrConflict) {
//		// Another replica saved first: reload and retry the turn.
//	}
//
// # Concurrency
//
// A [Store] is safe for concurrent use; so are [Map] and [Sessions]. A
// [Session] value is not: one goroutine owns it between Load and Save. Two
// writers that load the same session and both save are detected by the
// version check: the second Save returns [ErrConflict] and nothing is lost.
//
// # Errors
//
// Stores return [ErrNotFound] for a missing or expired key and [ErrConflict]
// when a conditional write finds another version. A record that cannot be
// decoded is reported as a [*CorruptError] naming the key; the rest of the
// store keeps working.
//
// # Implementing Store
//
// A Store holds opaque byte values under string keys. Every write carries a
// precondition ([Put] with IfVersion): the store compares the current version
// and writes atomically, as a compare-and-swap. Versions start at 1 and grow
// by one on every successful write. Adapters for Redis, PostgreSQL and SQLite
// live in nested modules and must pass memory/memorytest.Run.
package memory
