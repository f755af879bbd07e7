package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/memory/internal/storetest"
	"github.com/parleyhq/parley/memory/sqlite"
)

func TestEventSink(t *testing.T) {
	s, err := sqlite.NewEventSink(openDB(t, filepath.Join(t.TempDir(), "events.db")), sqlite.EventConfig{})
	storetest.RunEventSink(t, storetest.Migrated(t, s, err))
	storetest.Migrated(t, s, nil) // a second Migrate changes nothing
	if _, err := sqlite.NewEventSink(nil, sqlite.EventConfig{}); err == nil {
		t.Error("NewEventSink(nil) succeeded")
	}
}
