package redis_test

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory/redis"
)

// Several replicas of a bot share conversations through Redis; the
// ReplicaGuard keeps each conversation's turns from overlapping.
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
	bot := parley.NewBot(handler, parley.WithStore(store))
	replica := parley.NewReplicaGuard(bot, store, parley.WithLeaseTTL(30*time.Second))
	_ = replica // pass it to the channel adapters instead of bot
}
