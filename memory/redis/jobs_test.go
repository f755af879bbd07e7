package redis_test

import (
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/memory/internal/storetest"
	"github.com/parleyhq/parley/memory/redis"
	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/schedule/scheduletest"
)

func newJobs(t testing.TB, c *goredis.Client, prefix string) *redis.Jobs {
	t.Helper()
	s, err := redis.NewJobs(c, redis.JobsConfig{Prefix: prefix})
	return storetest.Must(t, s, err)
}

func TestJobsConformance(t *testing.T) {
	c := testClient(t)
	scheduletest.Run(t, func(t *testing.T) schedule.Store { return newJobs(t, c, testPrefix(t, c)) })
}

// TestJobsReplicasOneKilled runs three schedulers, each over its own
// client, one killed mid-job: every job takes effect exactly once.
func TestJobsReplicasOneKilled(t *testing.T) {
	opts := envOptions(t)
	prefix := testPrefix(t, testClient(t))
	res := scheduletest.Replicas(t, func(t *testing.T) schedule.Store {
		c := goredis.NewClient(opts)
		t.Cleanup(func() {
			if err := c.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return newJobs(t, c, prefix)
	}, scheduletest.ReplicasConfig{Replicas: 3, Kill: true})
	t.Logf("%d calls, %d effects in %v", res.Calls, res.Effects, res.Elapsed)
}

func TestNewJobsNilClient(t *testing.T) {
	if _, err := redis.NewJobs(nil, redis.JobsConfig{}); err == nil {
		t.Fatal("NewJobs(nil) succeeded")
	}
}
