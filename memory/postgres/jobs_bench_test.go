package postgres_test

import (
	"testing"

	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/schedule/scheduletest"
)

// BenchmarkJobs schedules 100,000 due jobs in PostgreSQL and dispatches
// them. Run with -benchtime=1x.
func BenchmarkJobs(b *testing.B) {
	p := testPool(b)
	scheduletest.Bench(b, func(b *testing.B) schedule.Store { return newJobs(b, p, testSchema(b, p)) },
		scheduletest.BenchConfig{})
}
