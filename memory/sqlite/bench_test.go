package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/replicatest"
)

// BenchmarkTurn measures turns through a guarded Bot on a SQLite file
// against the in-memory store in the same run.
//
//	go test -run '^$' -bench Turn -benchtime 10000x -count 5
func BenchmarkTurn(b *testing.B) {
	replicatest.BenchmarkReplicas(b, "sqlite", 1, func(b *testing.B) func(*testing.B) memory.Store {
		path := filepath.Join(b.TempDir(), "memory.db")
		return func(b *testing.B) memory.Store { return openStore(b, path) }
	})
}
