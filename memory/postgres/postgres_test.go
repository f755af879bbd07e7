package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/action/actiontest"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/internal/storetest"
	"github.com/parleyhq/parley/memory/memorytest"
	"github.com/parleyhq/parley/memory/postgres"
	"github.com/parleyhq/parley/privacy/privacytest"
)

// testPool connects to PARLEY_TEST_POSTGRES_URL or skips the test.
func testPool(t testing.TB) *pgxpool.Pool { return connect(t, 0, "") }

// connect is testPool with a pool of at most maxConns connections (0:
// pgxpool's default) whose sessions carry application name app (empty:
// the server's default), closed at cleanup.
func connect(t testing.TB, maxConns int32, app string) *pgxpool.Pool {
	t.Helper()
	url := memorytest.ServerURL(t, "PARLEY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/parley_test?sslmode=disable")
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("PARLEY_TEST_POSTGRES_URL: %v", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	if app != "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = app
	}
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("PARLEY_TEST_POSTGRES_URL: %v", err)
	}
	t.Cleanup(p.Close)
	if err := p.Ping(context.Background()); err != nil {
		t.Fatalf("PARLEY_TEST_POSTGRES_URL=%s: %v", url, err)
	}
	return p
}

// testSchema creates a fresh schema and drops it at cleanup.
func testSchema(t testing.TB, p *pgxpool.Pool) string {
	t.Helper()
	name := memorytest.Namespace(t, "parleytest_")
	ctx := context.Background()
	if _, err := p.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := p.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	return name
}

func newStore(t testing.TB, p *pgxpool.Pool) *postgres.Store {
	t.Helper()
	return openStore(t, p, testSchema(t, p))
}

// openStore returns the migrated store over p on the table in schema.
func openStore(t testing.TB, p *pgxpool.Pool, schema string) *postgres.Store {
	t.Helper()
	s, err := postgres.New(p, postgres.Config{Schema: schema})
	return storetest.Migrated(t, s, err)
}

func TestConformance(t *testing.T) {
	p := testPool(t)
	memorytest.Run(t, func(t *testing.T) memory.Store { return newStore(t, p) })
}

func TestErasure(t *testing.T) {
	privacytest.RunErasure(t, newStore(t, testPool(t)))
}

// TestActionBudgets: an action registry's budget counters in this store
// survive a restart and are shared by replicas.
func TestActionBudgets(t *testing.T) {
	p := testPool(t)
	actiontest.RunBudgets(t, func(t *testing.T) memory.Store { return newStore(t, p) })
}
