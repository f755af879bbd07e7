// Package sqlite is a [memory.Store] on SQLite (modernc.org/sqlite, pure
// Go, no cgo), for a single-machine bot whose conversations must survive a
// restart, or a few processes sharing one file.
//
// # Overview
//
//	db, err := sqlite.Open("/var/lib/bot/memory.db")
//	if err != nil {
//		return err
//	}
//	defer db.Close()
//	store, err := sqlite.New(db, sqlite.Config{})
//	if err != nil {
//		return err
//	}
//	if err := store.Migrate(ctx); err != nil {
//		return err
//	}
//	bot := parley.NewBot(handler, parley.WithStore(store))
//
// [Open] sets write-ahead logging and a busy timeout; a *sql.DB opened
// another way works too, but concurrent writers may then fail with
// SQLITE_BUSY.
//
// # Concurrency
//
// A [Store] is safe for concurrent use. Expiry is decided by the local
// clock ([time.Now]; tests move it with testing/synctest), so processes
// sharing a file should have synchronised clocks.
//
// # Errors
//
// No row becomes [memory.ErrNotFound]; a failed precondition
// [memory.ErrConflict]; a value column that is not a BLOB a
// [*memory.CorruptError] naming the key; a missing table an error that says
// to call Migrate. Other errors are wrapped with the operation and key.
package sqlite
