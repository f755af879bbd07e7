package schedule_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parleyhq/parley/schedule"
)

func Example() {
	// Inside testing/synctest, hours pass in no time; in production this
	// is the same code with real time.
	synctest.Test(&testing.T{}, func(*testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		s := schedule.New(schedule.NewMemory())
		s.Handle("renewal.reminder", schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
			fmt.Printf("%s: remind %s (attempt %d)\n", j.ID, j.Payload, j.Attempt)
			return nil
		}))
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()

		expiry := time.Now().Add(10 * 24 * time.Hour)
		for _, day := range []int{-7, -3, 1} {
			err := s.Schedule(ctx, schedule.Job{
				ID:      fmt.Sprintf("renewal/cust-42/day%+d", day),
				Kind:    "renewal.reminder",
				Key:     "cust-42",
				Due:     expiry.AddDate(0, 0, day),
				Payload: []byte("Ana"),
			})
			if err != nil {
				fmt.Println(err)
			}
		}
		time.Sleep(12 * 24 * time.Hour)
		stop()
		fmt.Println(<-done)
	})
	// Output:
	// renewal/cust-42/day-7: remind Ana (attempt 1)
	// renewal/cust-42/day-3: remind Ana (attempt 1)
	// renewal/cust-42/day+1: remind Ana (attempt 1)
	// context canceled
}
