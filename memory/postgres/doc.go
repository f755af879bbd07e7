// Package postgres is a [memory.Store] on PostgreSQL (pgx v5), for bots
// that run as several replicas sharing their conversations.
//
// # Overview
//
//	pool, err := pgxpool.New(ctx, "postgres://bot@db/parley")
//	if err != nil {
//		return err
//	}
//	defer pool.Close()
//	store, err := postgres.New(pool, postgres.Config{Table: "bot_memory"})
//	if err != nil {
//		return err
//	}
//	if err := store.Migrate(ctx); err != nil { // CREATE TABLE IF NOT EXISTS
//		return err
//	}
//	// The leases keep each conversation's turns from overlapping across
//	// replicas.
//	bot := parley.NewBot(handler, parley.WithStore(store),
//		parley.WithLocker(memory.NewLocker(store), 30*time.Second))
//
// Each write is one statement (INSERT ... ON CONFLICT or UPDATE ...
// WHERE version = $n), atomic under PostgreSQL's default READ COMMITTED
// isolation. Expired rows are invisible at once; call [Store.Sweep] from
// time to time to reclaim their space.
//
// # Concurrency
//
// A [Store] is safe for concurrent use by many goroutines and processes.
//
// # Errors
//
// No row becomes [memory.ErrNotFound]; a failed precondition
// [memory.ErrConflict]; a missing table an error that says to call
// Migrate; a cancelled context its own error. Other errors are wrapped with
// the operation and the key.
package postgres
