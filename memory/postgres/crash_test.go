package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/memory/postgres"
	"github.com/parleyhq/parley/memory/replicatest"
)

// TestCrash kills a bot process using PostgreSQL with SIGKILL at 100
// random points and checks, from the customer's side, that no
// acknowledged message is lost, answered twice or out of order, and that
// no side effect runs twice.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 100+ processes")
	}
	p := testPool(t)
	schema := testSchema(t, p)
	s, err := postgres.New(p, postgres.Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	replicatest.Crash(t, replicatest.CrashConfig{Child: "TestCrashChild", Env: []string{"PARLEY_CRASH_SCHEMA=" + schema}})
}

func TestCrashChild(t *testing.T) {
	schema := os.Getenv("PARLEY_CRASH_SCHEMA")
	if schema == "" {
		t.Skip("run by TestCrash in a child process")
	}
	p, err := pgxpool.New(context.Background(), os.Getenv("PARLEY_TEST_POSTGRES_URL"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := postgres.New(p, postgres.Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	replicatest.CrashChild(t, s)
}
