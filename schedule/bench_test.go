package schedule_test

import (
	"testing"

	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/schedule/scheduletest"
)

// BenchmarkMemory schedules 1,000,000 due jobs in memory and dispatches
// them. Run with -benchtime=1x -cpu 1,2.
func BenchmarkMemory(b *testing.B) {
	scheduletest.Bench(b, func(*testing.B) schedule.Store { return schedule.NewMemory() },
		scheduletest.BenchConfig{Jobs: 1_000_000, Workers: 64})
}
