package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleyhq/parley/memory/internal/storetest"
	"github.com/parleyhq/parley/memory/sqlite"
	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/schedule/scheduletest"
)

// openJobs opens (creating) the job store in the SQLite file at path
// over its own connection pool, closed at cleanup.
func openJobs(t testing.TB, path string) *sqlite.Jobs {
	t.Helper()
	s, err := sqlite.NewJobs(openDB(t, path), sqlite.JobsConfig{})
	return storetest.Migrated(t, s, err)
}

func TestJobsConformance(t *testing.T) {
	scheduletest.Run(t, func(t *testing.T) schedule.Store {
		return openJobs(t, filepath.Join(t.TempDir(), "jobs.db"))
	})
}

func TestJobsReplicasOneKilled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jobs.db")
	res := scheduletest.Replicas(t, func(t *testing.T) schedule.Store { return openJobs(t, path) },
		scheduletest.ReplicasConfig{Kill: true})
	t.Logf("%d calls, %d effects in %v", res.Calls, res.Effects, res.Elapsed)
}

func TestJobsWithoutMigrate(t *testing.T) {
	s, err := sqlite.NewJobs(openDB(t, filepath.Join(t.TempDir(), "jobs.db")), sqlite.JobsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(context.Background(), time.Now(), time.Now().Add(time.Second), 1); err == nil {
		t.Fatal("Claim without Migrate succeeded")
	}
	if _, err := sqlite.NewJobs(nil, sqlite.JobsConfig{}); err == nil {
		t.Fatal("NewJobs(nil) succeeded")
	}
}
