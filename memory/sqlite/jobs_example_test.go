package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/parleyhq/parley/memory/sqlite"
	"github.com/parleyhq/parley/schedule"
)

func ExampleNewJobs() {
	dir, err := os.MkdirTemp("", "parley-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(filepath.Join(dir, "jobs.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	jobs, err := sqlite.NewJobs(db, sqlite.JobsConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	if err := jobs.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	sched := schedule.New(jobs, schedule.WithPoll(10*time.Millisecond))
	fired := make(chan string)
	sched.Handle("cart.reminder", schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
		fired <- j.ID + " for " + string(j.Payload)
		return nil
	}))
	err = sched.Schedule(ctx, schedule.Job{ID: "cart/42", Kind: "cart.reminder", Key: "cust-7",
		Due: time.Now().Add(20 * time.Millisecond), Payload: []byte("Ana")})
	if err != nil {
		fmt.Println(err)
		return
	}
	go sched.Run(ctx) //nolint:errcheck // returns ctx's error when the example ends
	fmt.Println(<-fired)
	// Output:
	// cart/42 for Ana
}
