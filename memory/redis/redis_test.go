package redis_test

import (
	"context"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/action/actiontest"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/internal/storetest"
	"github.com/parleyhq/parley/memory/memorytest"
	"github.com/parleyhq/parley/memory/redis"
	"github.com/parleyhq/parley/privacy/privacytest"
)

// testClient connects to PARLEY_TEST_REDIS_URL or skips the test.
func testClient(t testing.TB) *goredis.Client {
	t.Helper()
	url := memorytest.ServerURL(t, "PARLEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
	opts, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatalf("PARLEY_TEST_REDIS_URL: %v", err)
	}
	c := goredis.NewClient(opts)
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close client: %v", err)
		}
	})
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("PARLEY_TEST_REDIS_URL=%s: %v", url, err)
	}
	return c
}

// testPrefix returns a fresh key prefix and deletes its keys at cleanup.
func testPrefix(t testing.TB, c *goredis.Client) string {
	t.Helper()
	p := memorytest.Namespace(t, "parleytest:") + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, p+"*", 1000).Iterator()
		for iter.Next(ctx) {
			if err := c.Unlink(ctx, iter.Val()).Err(); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
		if err := iter.Err(); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return p
}

func newStore(t *testing.T) *redis.Store {
	c := testClient(t)
	return openStore(t, c, testPrefix(t, c))
}

// openStore returns the store over c on the keys under prefix.
func openStore(t testing.TB, c goredis.UniversalClient, prefix string) *redis.Store {
	t.Helper()
	s, err := redis.New(c, redis.Config{Prefix: prefix})
	return storetest.Must(t, s, err)
}

func TestConformance(t *testing.T) {
	testClient(t)
	memorytest.Run(t, func(t *testing.T) memory.Store { return newStore(t) })
}

func TestErasure(t *testing.T) {
	privacytest.RunErasure(t, newStore(t))
}

// TestActionBudgets: an action registry's budget counters in this store
// survive a restart and are shared by replicas.
func TestActionBudgets(t *testing.T) {
	actiontest.RunBudgets(t, func(t *testing.T) memory.Store { return newStore(t) })
}
