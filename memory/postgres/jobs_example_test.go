package postgres_test

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/memory/postgres"
	"github.com/parleyhq/parley/schedule"
)

func ExampleNewJobs() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://bot@127.0.0.1:5432/parley")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	jobs, err := postgres.NewJobs(pool, postgres.JobsConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := jobs.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	sched := schedule.New(jobs) // on every replica, over the same table
	sched.Handle("cart.reminder", schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
		return nil // enqueue a turn keyed by j.FireID()
	}))
	go sched.Run(ctx) //nolint:errcheck // returns when ctx ends
}
