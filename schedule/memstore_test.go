package schedule_test

import (
	"testing"

	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/schedule/scheduletest"
)

func TestMemoryConformance(t *testing.T) {
	scheduletest.Run(t, func(t *testing.T) schedule.Store { return schedule.NewMemory() })
}
