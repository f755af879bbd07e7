package postgres_test

import (
	"testing"

	"github.com/parleyhq/parley/memory/internal/storetest"
	"github.com/parleyhq/parley/memory/postgres"
)

func TestEventSink(t *testing.T) {
	p := testPool(t)
	s, err := postgres.NewEventSink(p, postgres.EventConfig{Schema: testSchema(t, p)})
	storetest.RunEventSink(t, storetest.Migrated(t, s, err))
	storetest.Migrated(t, s, nil) // a second Migrate changes nothing
	if _, err := postgres.NewEventSink(nil, postgres.EventConfig{}); err == nil {
		t.Error("NewEventSink(nil) succeeded")
	}
}
