package replicatest_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/replicatest"
)

func TestMapReplicas(t *testing.T) {
	tests := []struct {
		name string
		give replicatest.Config
	}{
		{name: "two replicas", give: replicatest.Config{Replicas: 2, Conversations: 200, HandlerDelay: 2e6}},
		{name: "three replicas, one killed", give: replicatest.Config{Replicas: 3, Conversations: 100, KillReplica: true, LeaseTTL: 200e6}},
		{name: "outage", give: replicatest.Config{Replicas: 2, Conversations: 100, Outage: func(context.Context) error { return nil }}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shared := memory.NewMap()
			res := replicatest.Run(t, func(*testing.T) memory.Store { return shared }, tt.give)
			if res.Turns != tt.give.Conversations*20 {
				t.Errorf("Result.Turns = %d", res.Turns)
			}
			if tt.give.KillReplica && res.Retried == 0 {
				t.Errorf("a replica was killed but no delivery failed")
			}
			t.Logf("%+v", res)
		})
	}
}

// The whole-file example's helper passes, so the example shows a run
// that works.
func TestExampleHelperPasses(t *testing.T) { testReplicas(t) }
