// Package redis is a [memory.Store] on Redis (go-redis v9), for bots that
// run as several replicas sharing their conversations.
//
// # Overview
//
//	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379"})
//	defer client.Close()
//	store, err := redis.New(client, redis.Config{Prefix: "shop-bot:"})
//	if err != nil {
//		return err
//	}
//	// The leases keep each conversation's turns from overlapping across
//	// replicas.
//	bot := parley.NewBot(handler, parley.WithStore(store),
//		parley.WithLocker(memory.NewLocker(store), 30*time.Second))
//
// Records are hashes under Config.Prefix+key holding the version and the
// value; conditional writes are Lua scripts, atomic on the server; expiry
// is Redis' own (PEXPIRE). Keys uses SCAN, so listing is proportional to
// the size of the database: keep one database (or prefix) per application.
//
// # Concurrency
//
// A [Store] is safe for concurrent use by many goroutines and many
// processes; the version check makes concurrent read-modify-write safe
// across replicas.
//
// # Errors
//
// redis.Nil becomes [memory.ErrNotFound]; a failed precondition
// [memory.ErrConflict]; a key that holds something other than a record (a
// string written by another program, a hash without a version) a
// [*memory.CorruptError] naming the key; a cancelled context its own error.
// Connection errors are wrapped with the operation and the key.
package redis
