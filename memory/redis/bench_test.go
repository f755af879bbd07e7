package redis_test

import (
	"testing"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/replicatest"
)

// BenchmarkTurn measures turns through guarded Bots on Redis, one client
// per replica, against the in-memory store in the same run.
//
//	PARLEY_TEST_REDIS_URL=redis://127.0.0.1:6399/0 go test -run '^$' -bench Turn -benchtime 20000x -count 5
func BenchmarkTurn(b *testing.B) {
	opts := envOptions(b)
	replicatest.BenchmarkReplicas(b, "redis", 2, func(b *testing.B) func(*testing.B) memory.Store {
		return replicaStores(b, opts)
	})
}
