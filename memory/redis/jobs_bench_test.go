package redis_test

import (
	"testing"

	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/schedule/scheduletest"
)

// BenchmarkJobs schedules 100,000 due jobs in Redis and dispatches them.
// Run with -benchtime=1x.
func BenchmarkJobs(b *testing.B) {
	c := testClient(b)
	scheduletest.Bench(b, func(b *testing.B) schedule.Store { return newJobs(b, c, testPrefix(b, c)) },
		scheduletest.BenchConfig{})
}
