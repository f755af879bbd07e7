package scheduletest_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/schedule/scheduletest"
)

// testStore is how a store's package runs the conformance suite, and the
// replicas check with one scheduler killed mid-job (schedule's own tests
// run exactly this over schedule.NewMemory; a database store returns a
// fresh, isolated store for each subtest):
//
//	func TestStore(t *testing.T) { testStore(t) }
func testStore(t *testing.T) {
	scheduletest.Run(t, func(t *testing.T) schedule.Store { return schedule.NewMemory() })
	shared := schedule.NewMemory()
	res := scheduletest.Replicas(t, func(t *testing.T) schedule.Store { return shared },
		scheduletest.ReplicasConfig{Kill: true})
	t.Logf("%+v", res)
}

// The IDs the suite checks serve a store's own tests too: each must come
// back from a claim exactly as it was scheduled.
func Example() {
	ctx := context.Background()
	st := schedule.NewMemory()
	due := time.Date(2031, 3, 14, 9, 0, 0, 0, time.UTC)
	var want []string
	for i, id := range scheduletest.OddIDs() {
		if err := st.Schedule(ctx, schedule.Job{ID: id, Kind: "test", Key: id, Due: due.Add(time.Duration(i) * time.Second)}); err != nil {
			fmt.Println(err)
			return
		}
		want = append(want, id)
	}
	claims, err := st.Claim(ctx, due.Add(time.Hour), due.Add(2*time.Hour), 100)
	if err != nil {
		fmt.Println(err)
		return
	}
	var got []string
	for _, c := range claims {
		got = append(got, c.Job.ID)
	}
	fmt.Println(len(got), "jobs claimed; IDs kept as they are:", slices.Equal(got, want))
	// Output: 10 jobs claimed; IDs kept as they are: true
}
