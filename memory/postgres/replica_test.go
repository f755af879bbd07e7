package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/memorytest"
	"github.com/parleyhq/parley/memory/replicatest"
)

// replicaStores returns a newStore for replicatest: every call opens a new
// pool of at most maxConns connections on the same table. The pools'
// sessions carry the application name app, so that terminate can find
// them.
func replicaStores[T testing.TB](t T, maxConns int32, app string) func(T) memory.Store {
	schema := testSchema(t, testPool(t))
	return func(t T) memory.Store {
		return openStore(t, connect(t, maxConns, app), schema)
	}
}

// terminate returns an outage that drops every connection whose session
// carries application name app, as a server restart or a failover does
// for those clients. Only this test's own connections are named app
// (a fresh random name), so tests of other packages sharing the server
// keep theirs.
func terminate(admin *pgxpool.Pool, app string) func(context.Context) error {
	return func(ctx context.Context) error {
		// With a timeout, pg_terminate_backend returns once the backend
		// has exited (PostgreSQL 14 and later), so the outage is over
		// when this returns.
		_, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "+
			"WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()", app)
		if err != nil {
			return fmt.Errorf("terminate backends: %w", err)
		}
		return nil
	}
}

// TestTerminateOwnOnly checks that the outage of TestReplicas drops the
// connections it names and no other: a connection of another test on the
// same server survives.
func TestTerminateOwnOnly(t *testing.T) {
	ctx := context.Background()
	app := memorytest.Namespace(t, "parleytest_replicas_")
	own, other := connect(t, 1, app), connect(t, 1, "")
	ownConn, err := own.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer ownConn.Release()
	otherConn, err := other.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer otherConn.Release()

	if err := terminate(testPool(t), app)(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ownConn.Exec(ctx, "SELECT 1"); err == nil {
		t.Error("own connection: still open after terminate, want it dropped")
	}
	if _, err := otherConn.Exec(ctx, "SELECT 1"); err != nil {
		t.Errorf("other connection: %v after terminate, want it untouched", err)
	}
}

func TestReplicas(t *testing.T) {
	app := memorytest.Namespace(t, "parleytest_replicas_")
	outage := terminate(testPool(t), app)
	tests := []struct {
		name string
		give replicatest.Config
	}{
		{name: "three replicas", give: replicatest.Config{Replicas: 3}},
		{name: "replica killed mid-turn", give: replicatest.Config{Replicas: 3, Conversations: 300, KillReplica: true, LeaseTTL: 2 * time.Second}},
		{name: "connections dropped", give: replicatest.Config{Replicas: 2, Conversations: 300, Outage: outage}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := replicatest.Run(t, replicaStores(t, 24, app), tt.give)
			t.Logf("%+v (%.0f turns/s)", res, float64(res.Turns)/res.Elapsed.Seconds())
		})
	}
}
