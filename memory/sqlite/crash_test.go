package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/replicatest"
)

// TestCrash kills a bot process using this store with SIGKILL at 100
// random points and checks, from the customer's side, that no
// acknowledged message is lost, answered twice or out of order, and that
// no side effect runs twice.
func TestCrash(t *testing.T) {
	replicatest.Crash(t, replicatest.CrashConfig{Child: "TestCrashChild", Store: filepath.Join(t.TempDir(), "crash.db")})
}

func TestCrashChild(t *testing.T) {
	replicatest.CrashChild(t, func(t *testing.T, path string) memory.Store { return openStore(t, path) })
}
