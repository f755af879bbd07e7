package redis_test

import (
	"os"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/redis"
	"github.com/parleyhq/parley/memory/replicatest"
)

// TestCrash kills a bot process using Redis with SIGKILL at 100 random
// points and checks, from the customer's side, that no acknowledged
// message is lost, answered twice or out of order, and that no side
// effect runs twice.
func TestCrash(t *testing.T) {
	c := testClient(t)
	replicatest.Crash(t, replicatest.CrashConfig{Child: "TestCrashChild", Store: testPrefix(t, c)})
}

func TestCrashChild(t *testing.T) {
	replicatest.CrashChild(t, func(t *testing.T, prefix string) memory.Store {
		opts, err := goredis.ParseURL(os.Getenv("PARLEY_TEST_REDIS_URL"))
		if err != nil {
			t.Fatal(err)
		}
		s, err := redis.New(goredis.NewClient(opts), redis.Config{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
