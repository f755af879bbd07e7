package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/schedule/scheduletest"
)

// BenchmarkJobs schedules 100,000 due jobs in a SQLite file and
// dispatches them. Run with -benchtime=1x.
func BenchmarkJobs(b *testing.B) {
	scheduletest.Bench(b, func(b *testing.B) schedule.Store {
		return openJobs(b, filepath.Join(b.TempDir(), "jobs.db"))
	}, scheduletest.BenchConfig{})
}
