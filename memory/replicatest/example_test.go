package replicatest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/replicatest"
)

// testReplicas is how a store's package runs the suite (its tests call it
// from a TestReplicas): three Bots share one backend, one of them dies a
// third of the way through, and every conversation's history must come
// out whole. A networked store returns a new client per replica, each
// reaching the same fresh namespace; memory.Map has no clients, so the
// replicas share one.
func testReplicas(t *testing.T) {
	shared := memory.NewMap()
	res := replicatest.Run(t, func(*testing.T) memory.Store { return shared },
		replicatest.Config{Replicas: 3, Conversations: 50, KillReplica: true, LeaseTTL: 200e6})
	t.Logf("%d turns, %d deliveries, %d retried, in %v", res.Turns, res.Deliveries, res.Retried, res.Elapsed)
}

// What Run asks of newStore: every store it returns reaches the same
// backend, so what one replica writes another reads.
func Example() {
	shared := memory.NewMap()
	newStore := func(*testing.T) memory.Store { return shared }
	ctx := context.Background()
	first, second := newStore(nil), newStore(nil)
	if _, err := first.Set(ctx, memory.Put{Key: "session/web:ada", Value: []byte(`{"turns":1}`), IfVersion: memory.Absent}); err != nil {
		fmt.Println(err)
		return
	}
	r, err := second.Get(ctx, "session/web:ada")
	fmt.Println(string(r.Value), err)
	// Output: {"turns":1} <nil>
}
