// Package memorytest is the conformance suite for [memory.Store]
// implementations, in the spirit of testing/fstest.TestFS and
// testing/slogtest.Run: every backend (the in-memory Map, Redis,
// PostgreSQL, SQLite, or your own) must pass [Run].
//
// # Overview
//
//	func TestStore(t *testing.T) {
//		memorytest.Run(t, func(t *testing.T) memory.Store {
//			// Return an empty store; isolate it from other tests, for
//			// example with a fresh key prefix or schema.
//			return mystore.New(client, mystore.Config{Prefix: t.Name() + "/"})
//		})
//	}
//
// The suite covers create/read/update/delete, version preconditions
// ([memory.Absent], [memory.AnyVersion], [memory.ErrConflict]), expiry,
// concurrent read-modify-write writers with no lost update, values of
// several megabytes, conditional deletion, [memory.Store.Keys] ordering and
// prefixes with pattern metacharacters, keys with odd characters,
// [*memory.KeyError] for bad keys and cancelled contexts, and the optional
// [memory.Versioner] capability when the store has it.
//
// Expiry is checked with short real TTLs and polling (never with a timing
// assertion), so the suite works against real servers, whose clocks a
// test cannot move; [WithExpiryWait] sets the TTL and the patience.
//
// # Concurrency
//
// Run calls newStore once per subtest and runs the subtests one after
// another; some subtests use the store from many goroutines at once.
//
// # Errors
//
// Failures are reported through the *testing.T; Run returns nothing.
package memorytest
