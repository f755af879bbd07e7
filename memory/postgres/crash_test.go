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

// TestCrash kills a bot process using PostgreSQL with SIGKILL at 100
// random points and checks, from the customer's side, that no
// acknowledged message is lost, answered twice or out of order, and that
// no side effect runs twice.
func TestCrash(t *testing.T) {
	p := testPool(t)
	schema := testSchema(t, p)
	openStore(t, p, schema) // the table the children share
	replicatest.Crash(t, replicatest.CrashConfig{Child: "TestCrashChild", Store: schema})
}

func TestCrashChild(t *testing.T) {
	replicatest.CrashChild(t, func(t *testing.T, schema string) memory.Store {
		p, err := pgxpool.New(context.Background(), os.Getenv("PARLEY_TEST_POSTGRES_URL"))
		if err != nil {
			t.Fatal(err)
		}
		s, err := postgres.New(p, postgres.Config{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
