package redis_test

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/memory/redis"
	"github.com/parleyhq/parley/schedule"
)

func ExampleNewJobs() {
	ctx := context.Background()
	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()
	jobs, err := redis.NewJobs(client, redis.JobsConfig{Prefix: "shop:"})
	if err != nil {
		fmt.Println(err)
		return
	}
	sched := schedule.New(jobs) // on every replica, over the same Redis
	sched.Handle("cart.reminder", schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
		return nil // enqueue a turn keyed by j.FireID()
	}))
	go sched.Run(ctx) //nolint:errcheck // returns when ctx ends
}
