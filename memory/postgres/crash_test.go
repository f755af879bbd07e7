package postgres_test

import (
	"testing"

	"github.com/parleyhq/parley/memory"
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
		return openStore(t, testPool(t), schema)
	})
}
