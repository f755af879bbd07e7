package postgres_test

import (
	"testing"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/replicatest"
)

// BenchmarkTurn measures turns through guarded Bots on PostgreSQL, one
// pool per replica, against the in-memory store in the same run.
//
//	PARLEY_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5439/parley_test?sslmode=disable go test -run '^$' -bench Turn -benchtime 20000x -count 5
func BenchmarkTurn(b *testing.B) {
	replicatest.BenchmarkReplicas(b, "postgres", 2, func(b *testing.B) func(*testing.B) memory.Store {
		return replicaStores(b, 32, "")
	})
}
