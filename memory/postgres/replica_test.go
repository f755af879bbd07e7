package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/replicatest"
)

// replicaStores returns a newStore for replicatest: every call opens a new
// pool on the same table.
func replicaStores(t *testing.T) func(*testing.T) memory.Store {
	schema := testSchema(t, testPool(t))
	return func(t *testing.T) memory.Store {
		return openStore(t, connect(t, 24), schema)
	}
}

func TestReplicas(t *testing.T) {
	admin := testPool(t)
	// terminate drops every other connection to the database, as a
	// server restart or a failover does.
	terminate := func(ctx context.Context) error {
		_, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "+
			"WHERE datname = current_database() AND pid <> pg_backend_pid()")
		if err != nil {
			return fmt.Errorf("terminate backends: %w", err)
		}
		return nil
	}
	tests := []struct {
		name string
		give replicatest.Config
	}{
		{name: "three replicas", give: replicatest.Config{Replicas: 3}},
		{name: "replica killed mid-turn", give: replicatest.Config{Replicas: 3, Conversations: 300, KillReplica: true, LeaseTTL: 2 * time.Second}},
		{name: "connections dropped", give: replicatest.Config{Replicas: 2, Conversations: 300, Outage: terminate}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := replicatest.Run(t, replicaStores(t), tt.give)
			t.Logf("%+v (%.0f turns/s)", res, float64(res.Turns)/res.Elapsed.Seconds())
		})
	}
}
