package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/memory/replicatest"
	"github.com/parleyhq/parley/memory/sqlite"
)

// TestCrash kills a bot process using this store with SIGKILL at 100
// random points and checks, from the customer's side, that no
// acknowledged message is lost, answered twice or out of order, and that
// no side effect runs twice.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 100+ processes")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	replicatest.Crash(t, replicatest.CrashConfig{Child: "TestCrashChild", Env: []string{"PARLEY_CRASH_DB=" + path}})
}

func TestCrashChild(t *testing.T) {
	path := os.Getenv("PARLEY_CRASH_DB")
	if path == "" {
		t.Skip("run by TestCrash in a child process")
	}
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.New(db, sqlite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	replicatest.CrashChild(t, s)
}
