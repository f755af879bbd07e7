package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/postgres"
	"github.com/parleyhq/parley/memory/replicatest"
)

// BenchmarkTurn measures turns through guarded Bots on PostgreSQL, one
// pool per replica, against the in-memory store in the same run.
//
//	PARLEY_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5439/parley_test?sslmode=disable go test -run '^$' -bench Turn -benchtime 20000x -count 5
func BenchmarkTurn(b *testing.B) {
	admin := testPool(b)
	replicatest.BenchmarkReplicas(b, "postgres", 2, func(b *testing.B, n int) []memory.Store {
		schema := testSchema(b, admin)
		stores := make([]memory.Store, n)
		for i := range stores {
			cfg, err := pgxpool.ParseConfig(os.Getenv("PARLEY_TEST_POSTGRES_URL"))
			if err != nil {
				b.Fatal(err)
			}
			cfg.MaxConns = 32
			p, err := pgxpool.NewWithConfig(context.Background(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(p.Close)
			s, err := postgres.New(p, postgres.Config{Schema: schema})
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Migrate(context.Background()); err != nil {
				b.Fatal(err)
			}
			stores[i] = s
		}
		return stores
	})
}
