package redis_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/redis"
	"github.com/parleyhq/parley/memory/replicatest"
)

// replicaStores returns a newStore for replicatest: every call opens a new
// client on the same prefix.
func replicaStores[T testing.TB](t T, opts *goredis.Options) func(T) memory.Store {
	prefix := testPrefix(t, testClient(t))
	return func(t T) memory.Store {
		o := *opts
		o.PoolSize = 64
		c := goredis.NewClient(&o)
		t.Cleanup(func() {
			if err := c.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return openStore(t, c, prefix)
	}
}

func envOptions(t testing.TB) *goredis.Options {
	testClient(t) // skips without PARLEY_TEST_REDIS_URL
	opts, err := goredis.ParseURL(os.Getenv("PARLEY_TEST_REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

func TestReplicas(t *testing.T) {
	opts := envOptions(t)
	tests := []struct {
		name string
		give replicatest.Config
	}{
		{name: "three replicas", give: replicatest.Config{Replicas: 3}},
		{name: "replica killed mid-turn", give: replicatest.Config{Replicas: 3, Conversations: 300, KillReplica: true, LeaseTTL: 500 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := replicatest.Run(t, replicaStores(t, opts), tt.give)
			t.Logf("%+v (%.0f turns/s)", res, float64(res.Turns)/res.Elapsed.Seconds())
		})
	}
}

// TestReplicasRedisRestart runs its own redis-server with an append-only
// file and restarts it in the middle of the run.
func TestReplicasRedisRestart(t *testing.T) {
	envOptions(t)
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not in PATH: skipping the restart test")
	}
	dir := t.TempDir()
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", dir,
			"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--logfile", filepath.Join(dir, "redis.log"))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		c := goredis.NewClient(&goredis.Options{Addr: addr})
		defer c.Close()
		for i := 0; ; i++ {
			if c.Ping(context.Background()).Err() == nil {
				return cmd
			}
			if i > 200 {
				t.Fatalf("redis-server on %s did not start", addr)
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	cmd := start()
	t.Cleanup(func() {
		if cmd.Process != nil {
			if err := cmd.Process.Kill(); err != nil {
				t.Logf("kill redis-server: %v", err)
			}
			_ = cmd.Wait() // killed: the exit status is expected to be an error
		}
	})
	opts := &goredis.Options{Addr: addr, MaxRetries: -1}
	outage := func(ctx context.Context) error {
		c := goredis.NewClient(&goredis.Options{Addr: addr})
		defer c.Close()
		// SHUTDOWN closes the connection instead of replying: its error
		// matters only if the server did not stop.
		shutErr := c.Shutdown(ctx).Err()
		if err := cmd.Wait(); err != nil {
			return errors.Join(shutErr, fmt.Errorf("redis-server exit: %w", err))
		}
		time.Sleep(300 * time.Millisecond) // down for a while
		cmd = start()
		return nil
	}
	res := replicatest.Run(t, func(t *testing.T) memory.Store {
		c := goredis.NewClient(opts)
		t.Cleanup(func() { _ = c.Close() }) // the server may be gone: close errors are expected
		s, err := redis.New(c, redis.Config{Prefix: "restart:"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, replicatest.Config{Replicas: 2, Conversations: 300, LeaseTTL: time.Second, Outage: outage})
	if res.Retried == 0 {
		t.Errorf("no delivery failed during the restart: the outage did not happen")
	}
	t.Logf("%+v", res)
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
