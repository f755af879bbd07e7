package redis_test

import (
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/redis"
	"github.com/parleyhq/parley/memory/replicatest"
)

// BenchmarkTurn measures turns through guarded Bots on Redis, one client
// per replica, against the in-memory store in the same run.
//
//	PARLEY_TEST_REDIS_URL=redis://127.0.0.1:6399/0 go test -run '^$' -bench Turn -benchtime 20000x -count 5
func BenchmarkTurn(b *testing.B) {
	c := testClient(b)
	replicatest.BenchmarkReplicas(b, "redis", 2, func(b *testing.B, n int) []memory.Store {
		prefix := testPrefix(b, c)
		stores := make([]memory.Store, n)
		for i := range stores {
			o := *c.Options()
			o.PoolSize = 64
			rc := goredis.NewClient(&o)
			b.Cleanup(func() {
				if err := rc.Close(); err != nil {
					b.Error(err)
				}
			})
			s, err := redis.New(rc, redis.Config{Prefix: prefix})
			if err != nil {
				b.Fatal(err)
			}
			stores[i] = s
		}
		return stores
	})
}
