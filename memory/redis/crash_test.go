package redis_test

import (
	"testing"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/replicatest"
)

// TestCrash kills a bot process using Redis with SIGKILL at 100 random
// points and checks, from the customer's side, that no acknowledged
// message is lost, answered twice or out of order, and that no side
// effect runs twice.
func TestCrash(t *testing.T) {
	c := testClient(t)
	replicatest.Crash(t, replicatest.CrashConfig{Child: "TestCrashChild", Store: testPrefix(t, c)})
}

func TestCrashChild(t *testing.T) {
	replicatest.CrashChild(t, func(t *testing.T, prefix string) memory.Store {
		return openStore(t, testClient(t), prefix)
	})
}
