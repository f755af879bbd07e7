package redis_test

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/redis"
)

// Several replicas of a bot share conversations through Redis; the
// conversation leases keep each conversation's turns from overlapping.
func ExampleNew() {
	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()
	store, err := redis.New(client, redis.Config{Prefix: "shop-bot:"})
	if err != nil {
		fmt.Println(err)
		return
	}
	handler := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Hello!"))
	})
	bot := parley.NewBot(handler, parley.WithStore(store),
		parley.WithLocker(memory.NewLocker(store), 30*time.Second))
	defer bot.Shutdown(context.Background())
}
