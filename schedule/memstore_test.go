package schedule_test

import (
	"testing"

	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/schedule/scheduletest"
)

func TestMemoryConformance(t *testing.T) {
	scheduletest.Run(t, func(t *testing.T) schedule.Store { return schedule.NewMemory() })
}

func TestMemoryReplicasOneKilled(t *testing.T) {
	shared := schedule.NewMemory()
	res := scheduletest.Replicas(t, func(t *testing.T) schedule.Store { return shared },
		scheduletest.ReplicasConfig{Kill: true})
	t.Logf("%d calls, %d effects in %v", res.Calls, res.Effects, res.Elapsed)
}
