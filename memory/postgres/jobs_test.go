package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/memory/internal/storetest"
	"github.com/parleyhq/parley/memory/postgres"
	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/schedule/scheduletest"
)

func newJobs(t testing.TB, p *pgxpool.Pool, schema string) *postgres.Jobs {
	t.Helper()
	s, err := postgres.NewJobs(p, postgres.JobsConfig{Schema: schema})
	return storetest.Migrated(t, s, err)
}

func TestJobsConformance(t *testing.T) {
	p := testPool(t)
	scheduletest.Run(t, func(t *testing.T) schedule.Store { return newJobs(t, p, testSchema(t, p)) })
}

// TestJobsReplicasOneKilled runs three schedulers, each over its own
// pool, one killed mid-job: every job takes effect exactly once.
func TestJobsReplicasOneKilled(t *testing.T) {
	p := testPool(t)
	schema := testSchema(t, p)
	res := scheduletest.Replicas(t, func(t *testing.T) schedule.Store { return newJobs(t, testPool(t), schema) },
		scheduletest.ReplicasConfig{Replicas: 3, Kill: true})
	t.Logf("%d calls, %d effects in %v", res.Calls, res.Effects, res.Elapsed)
}

func TestNewJobsNilPool(t *testing.T) {
	if _, err := postgres.NewJobs(nil, postgres.JobsConfig{}); err == nil {
		t.Fatal("NewJobs(nil) succeeded")
	}
}
