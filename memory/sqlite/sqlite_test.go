package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/action/actiontest"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/internal/storetest"
	"github.com/parleyhq/parley/memory/memorytest"
	"github.com/parleyhq/parley/memory/sqlite"
	"github.com/parleyhq/parley/privacy/privacytest"
)

func newStore(t testing.TB) *sqlite.Store {
	t.Helper()
	return openStore(t, filepath.Join(t.TempDir(), "memory.db"))
}

// openDB opens (creating) the SQLite file at path over its own
// connection pool, closed at cleanup.
func openDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db
}

// openStore opens (creating) the store in the SQLite file at path and
// closes it at cleanup.
func openStore(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.New(openDB(t, path), sqlite.Config{})
	return storetest.Migrated(t, s, err)
}

func TestConformance(t *testing.T) {
	memorytest.Run(t, func(t *testing.T) memory.Store { return newStore(t) })
}

func TestErasure(t *testing.T) {
	privacytest.RunErasure(t, newStore(t))
}

// TestActionBudgets: an action registry's budget counters in this store
// survive a restart and are shared by replicas.
func TestActionBudgets(t *testing.T) {
	actiontest.RunBudgets(t, func(t *testing.T) memory.Store { return newStore(t) })
}
