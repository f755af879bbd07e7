package redis_test

import (
	"os"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/memory/redis"
	"github.com/parleyhq/parley/memory/replicatest"
)

// TestCrash kills a bot process using Redis with SIGKILL at 100 random
// points and checks, from the customer's side, that no acknowledged
// message is lost, answered twice or out of order, and that no side
// effect runs twice.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 100+ processes")
	}
	c := testClient(t)
	replicatest.Crash(t, replicatest.CrashConfig{Child: "TestCrashChild", Env: []string{"PARLEY_CRASH_PREFIX=" + testPrefix(t, c)}})
}

func TestCrashChild(t *testing.T) {
	prefix := os.Getenv("PARLEY_CRASH_PREFIX")
	if prefix == "" {
		t.Skip("run by TestCrash in a child process")
	}
	opts, err := goredis.ParseURL(os.Getenv("PARLEY_TEST_REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := redis.New(goredis.NewClient(opts), redis.Config{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	replicatest.CrashChild(t, s)
}
