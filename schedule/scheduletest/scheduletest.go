// Package scheduletest checks that a [schedule.Store] keeps the contract
// the [schedule.Scheduler] relies on: [Run] is its conformance suite, as
// testing/fstest.TestFS is for file systems, and [Replicas] drives
// several schedulers over one store, one of them killed mid-job, and
// checks that every job fired exactly once.
//
// # Overview
//
//	func TestStore(t *testing.T) {
//		scheduletest.Run(t, func(t *testing.T) schedule.Store {
//			return newEmptyStore(t) // isolated, cleaned up with t.Cleanup
//		})
//	}
//
// The suite passes its own times to the store, so it never waits for
// real time and runs as fast as the backend.
//
// # Concurrency
//
// Run's subtests run one after the other; some start goroutines of their
// own and wait for them.
//
// # Errors
//
// Failures are reported through the *testing.T.
package scheduletest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/schedule"
)

// base is the suite's "now": microsecond-aligned, as stores keep times.
var base = time.Date(2031, 3, 14, 9, 26, 53, 589793000, time.UTC)

// Run runs the conformance suite as subtests of t. newStore must return
// an empty store, isolated from every other store it returned, that lives
// until the subtest ends (register cleanup with t.Cleanup).
func Run(t *testing.T, newStore func(t *testing.T) schedule.Store) {
	t.Helper()
	s := &suite{newStore: newStore}
	tests := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"RoundTrip", s.testRoundTrip},
		{"NotBeforeDue", s.testNotBeforeDue},
		{"ScheduleReplaces", s.testScheduleReplaces},
		{"RescheduleLosesClaim", s.testRescheduleLosesClaim},
		{"Cancel", s.testCancel},
		{"OrderAndLimit", s.testOrderAndLimit},
		{"LeaseExpiry", s.testLeaseExpiry},
		{"Extend", s.testExtend},
		{"Complete", s.testComplete},
		{"Retry", s.testRetry},
		{"ConcurrentClaimers", s.testConcurrentClaimers},
		{"Erase", s.testErase},
		{"PayloadIsolation", s.testPayloadIsolation},
		{"Batch", s.testBatch},
		{"OddIDs", s.testOddIDs},
		{"TimeZones", s.testTimeZones},
		{"CancelledContext", s.testCancelledContext},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.fn)
	}
}

type suite struct {
	newStore func(t *testing.T) schedule.Store
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func job(id string, due time.Time) schedule.Job {
	return schedule.Job{ID: id, Kind: "test", Due: due, Payload: []byte("payload of " + id)}
}

func put(t *testing.T, ctx context.Context, st schedule.Store, jobs ...schedule.Job) {
	t.Helper()
	if err := st.Schedule(ctx, jobs...); err != nil {
		t.Fatalf("Schedule: %v", err)
	}
}

func claim(t *testing.T, ctx context.Context, st schedule.Store, now, until time.Time, limit int) []schedule.Claim {
	t.Helper()
	cs, err := st.Claim(ctx, now, until, limit)
	if err != nil {
		t.Fatalf("Claim(%v): %v", now.Sub(base), err)
	}
	return cs
}

func ids(cs []schedule.Claim) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Job.ID
	}
	return out
}

func wantIDs(t *testing.T, what string, cs []schedule.Claim, want ...string) {
	t.Helper()
	got := ids(cs)
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: claimed %q, want %q", what, got, want)
	}
}

func release(t *testing.T, ctx context.Context, st schedule.Store, c schedule.Claim, next time.Time) {
	t.Helper()
	if err := st.Release(ctx, c, next); err != nil {
		t.Fatalf("Release(%q): %v", c.Job.ID, err)
	}
}

func wantLost(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, schedule.ErrLeaseLost) {
		t.Fatalf("%s: got %v, want ErrLeaseLost", what, err)
	}
}

func sameJob(t *testing.T, got, want schedule.Job) {
	t.Helper()
	switch {
	case got.ID != want.ID, got.Kind != want.Kind, got.Key != want.Key, got.Window != want.Window,
		!got.Due.Equal(want.Due), !bytes.Equal(got.Payload, want.Payload), got.Attempt != want.Attempt:
		t.Fatalf("job:\n got %+v\nwant %+v", got, want)
	}
}

func (s *suite) store(t *testing.T) (context.Context, schedule.Store) {
	return ctxFor(t), s.newStore(t)
}

func (s *suite) testRoundTrip(t *testing.T) {
	ctx, st := s.store(t)
	want := schedule.Job{ID: "cart/42/step-1", Kind: "campaign.step", Key: "customer-7",
		Due: base, Window: 90 * time.Minute, Payload: []byte(`{"step":1,"bin":"\u0000\xff"}`)}
	put(t, ctx, st, want)
	until := base.Add(time.Minute)
	cs := claim(t, ctx, st, base, until, 10)
	wantIDs(t, "claim at due", cs, want.ID)
	want.Attempt = 1
	sameJob(t, cs[0].Job, want)
	if cs[0].Token == "" {
		t.Fatal("claim with an empty token")
	}
	if !cs[0].Until.Equal(until) {
		t.Fatalf("Until = %v, want %v", cs[0].Until, until)
	}
	empty := schedule.Job{ID: "empty", Kind: "test", Due: base}
	put(t, ctx, st, empty)
	cs = claim(t, ctx, st, base, until, 10)
	wantIDs(t, "claim of a job without payload or key", cs, "empty")
	if len(cs[0].Job.Payload) != 0 || cs[0].Job.Key != "" {
		t.Fatalf("empty job came back as %+v", cs[0].Job)
	}
}

func (s *suite) testNotBeforeDue(t *testing.T) {
	ctx, st := s.store(t)
	put(t, ctx, st, job("a", base.Add(time.Hour)))
	wantIDs(t, "an hour early", claim(t, ctx, st, base, base.Add(time.Minute), 10))
	wantIDs(t, "a microsecond early", claim(t, ctx, st, base.Add(time.Hour-time.Microsecond), base.Add(2*time.Hour), 10))
	wantIDs(t, "at due", claim(t, ctx, st, base.Add(time.Hour), base.Add(2*time.Hour), 10), "a")
}

func (s *suite) testScheduleReplaces(t *testing.T) {
	ctx, st := s.store(t)
	put(t, ctx, st, job("a", base))
	second := job("a", base.Add(time.Minute))
	second.Payload, second.Key, second.Window = []byte("second"), "k2", time.Second
	put(t, ctx, st, second)
	put(t, ctx, st, second) // the same again: still one job
	wantIDs(t, "at the first due time", claim(t, ctx, st, base, base.Add(time.Hour), 10))
	cs := claim(t, ctx, st, base.Add(time.Minute), base.Add(time.Hour), 10)
	wantIDs(t, "at the second due time", cs, "a")
	second.Attempt = 1
	sameJob(t, cs[0].Job, second)
}

func (s *suite) testRescheduleLosesClaim(t *testing.T) {
	ctx, st := s.store(t)
	put(t, ctx, st, job("a", base))
	cs := claim(t, ctx, st, base, base.Add(time.Hour), 10)
	wantIDs(t, "claim", cs, "a")
	put(t, ctx, st, job("a", base.Add(time.Minute)))
	wantLost(t, "Extend after reschedule", st.Extend(ctx, cs[0], base.Add(2*time.Hour)))
	wantLost(t, "Release after reschedule", st.Release(ctx, cs[0], time.Time{}))
	again := claim(t, ctx, st, base.Add(time.Minute), base.Add(time.Hour), 10)
	wantIDs(t, "the rescheduled job", again, "a")
	if again[0].Job.Attempt != 1 {
		t.Fatalf("rescheduled job at attempt %d, want 1", again[0].Job.Attempt)
	}
}

func (s *suite) testCancel(t *testing.T) {
	ctx, st := s.store(t)
	put(t, ctx, st, job("a", base), job("b", base), job("c", base))
	if err := st.Cancel(ctx, "a"); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if err := st.Cancel(ctx, "a"); !errors.Is(err, schedule.ErrNotFound) {
		t.Fatalf("second Cancel: %v, want ErrNotFound", err)
	}
	if err := st.Cancel(ctx, "never"); !errors.Is(err, schedule.ErrNotFound) {
		t.Fatalf("Cancel of an unknown ID: %v, want ErrNotFound", err)
	}
	cs := claim(t, ctx, st, base, base.Add(time.Hour), 1)
	wantIDs(t, "claim one", cs, "b")
	if err := st.Cancel(ctx, "b"); err != nil {
		t.Fatalf("Cancel of a claimed job: %v", err)
	}
	wantLost(t, "Release of a cancelled job", st.Release(ctx, cs[0], time.Time{}))
	wantIDs(t, "after cancel", claim(t, ctx, st, base.Add(2*time.Hour), base.Add(3*time.Hour), 10), "c")
}

func (s *suite) testOrderAndLimit(t *testing.T) {
	ctx, st := s.store(t)
	// Due times in a scrambled order, scheduled in another.
	offsets := []int{7, 3, 9, 1, 8, 2, 6, 0, 5, 4}
	var jobs []schedule.Job
	for i, o := range offsets {
		jobs = append(jobs, job("j"+strconv.Itoa(o), base.Add(time.Duration(o)*time.Second)))
		if i%3 == 0 {
			put(t, ctx, st, jobs...)
			jobs = nil
		}
	}
	put(t, ctx, st, jobs...)
	until := base.Add(time.Hour)
	wantIDs(t, "limit 3 at +5s", claim(t, ctx, st, base.Add(5*time.Second), until, 3), "j0", "j1", "j2")
	wantIDs(t, "the rest due at +5s", claim(t, ctx, st, base.Add(5*time.Second), until, 10), "j3", "j4", "j5")
	wantIDs(t, "nothing more at +5s", claim(t, ctx, st, base.Add(5*time.Second), until, 10))
	wantIDs(t, "limit 1 at +20s", claim(t, ctx, st, base.Add(20*time.Second), until, 1), "j6")
	wantIDs(t, "the rest at +20s", claim(t, ctx, st, base.Add(20*time.Second), until, 100), "j7", "j8", "j9")
}

func (s *suite) testLeaseExpiry(t *testing.T) {
	ctx, st := s.store(t)
	put(t, ctx, st, job("a", base))
	first := claim(t, ctx, st, base, base.Add(30*time.Second), 10)
	wantIDs(t, "first claim", first, "a")
	wantIDs(t, "while leased", claim(t, ctx, st, base.Add(29*time.Second), base.Add(time.Minute), 10))
	second := claim(t, ctx, st, base.Add(30*time.Second), base.Add(time.Minute), 10)
	wantIDs(t, "after the lease expired", second, "a")
	if second[0].Job.Attempt != 2 {
		t.Fatalf("reclaimed at attempt %d, want 2", second[0].Job.Attempt)
	}
	if second[0].Token == first[0].Token {
		t.Fatal("the second claim has the first one's token")
	}
	wantLost(t, "Extend by the first claimer", st.Extend(ctx, first[0], base.Add(time.Hour)))
	wantLost(t, "Release by the first claimer", st.Release(ctx, first[0], time.Time{}))
	release(t, ctx, st, second[0], time.Time{})
	wantIDs(t, "after completion", claim(t, ctx, st, base.Add(time.Hour), base.Add(2*time.Hour), 10))
}

func (s *suite) testExtend(t *testing.T) {
	ctx, st := s.store(t)
	put(t, ctx, st, job("a", base))
	cs := claim(t, ctx, st, base, base.Add(30*time.Second), 10)
	wantIDs(t, "claim", cs, "a")
	if err := st.Extend(ctx, cs[0], base.Add(time.Minute)); err != nil {
		t.Fatalf("Extend: %v", err)
	}
	wantIDs(t, "after the first lease, extended", claim(t, ctx, st, base.Add(45*time.Second), base.Add(2*time.Minute), 10))
	wantIDs(t, "after the extended lease", claim(t, ctx, st, base.Add(time.Minute), base.Add(2*time.Minute), 10), "a")
}

func (s *suite) testComplete(t *testing.T) {
	ctx, st := s.store(t)
	put(t, ctx, st, job("a", base), job("b", base))
	cs := claim(t, ctx, st, base, base.Add(time.Second), 10)
	wantIDs(t, "claim", cs, "a", "b")
	release(t, ctx, st, cs[0], time.Time{})
	wantLost(t, "second Release", st.Release(ctx, cs[0], time.Time{}))
	if err := st.Cancel(ctx, "a"); !errors.Is(err, schedule.ErrNotFound) {
		t.Fatalf("Cancel of a completed job: %v, want ErrNotFound", err)
	}
	wantIDs(t, "long after", claim(t, ctx, st, base.Add(time.Hour), base.Add(2*time.Hour), 10), "b")
}

func (s *suite) testRetry(t *testing.T) {
	ctx, st := s.store(t)
	a := job("a", base)
	put(t, ctx, st, a)
	cs := claim(t, ctx, st, base, base.Add(30*time.Second), 10)
	wantIDs(t, "claim", cs, "a")
	release(t, ctx, st, cs[0], base.Add(10*time.Second))
	wantLost(t, "Extend after Release", st.Extend(ctx, cs[0], base.Add(time.Hour)))
	wantIDs(t, "before the retry time", claim(t, ctx, st, base.Add(9*time.Second), base.Add(time.Hour), 10))
	cs = claim(t, ctx, st, base.Add(10*time.Second), base.Add(time.Hour), 10)
	wantIDs(t, "at the retry time", cs, "a")
	a.Attempt = 2
	sameJob(t, cs[0].Job, a) // Due unchanged
}

func (s *suite) testConcurrentClaimers(t *testing.T) {
	ctx, st := s.store(t)
	const jobs, claimers = 300, 8
	var all []schedule.Job
	for i := range jobs {
		all = append(all, job(fmt.Sprintf("c%03d", i), base.Add(time.Duration(i%17)*time.Millisecond)))
	}
	put(t, ctx, st, all...)
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, claimers)
	for w := range claimers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				cs, err := st.Claim(ctx, base.Add(time.Second), base.Add(time.Hour), 1+w%5)
				if err != nil {
					errs <- err
					return
				}
				if len(cs) == 0 {
					return
				}
				for _, c := range cs {
					mu.Lock()
					seen[c.Job.ID]++
					mu.Unlock()
					if err := st.Release(ctx, c, time.Time{}); err != nil {
						errs <- fmt.Errorf("release %q: %w", c.Job.ID, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != jobs {
		t.Fatalf("%d jobs claimed, want %d", len(seen), jobs)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("job %q claimed %d times", id, n)
		}
	}
}

func (s *suite) testErase(t *testing.T) {
	ctx, st := s.store(t)
	var jobs []schedule.Job
	for i := range 6 {
		j := job("e"+strconv.Itoa(i), base)
		j.Key = []string{"alice", "bob", "alice@example.com"}[i%3]
		jobs = append(jobs, j)
	}
	put(t, ctx, st, jobs...)
	cs := claim(t, ctx, st, base, base.Add(time.Minute), 1)
	wantIDs(t, "claim one", cs, "e0")
	n, err := st.Erase(ctx, "alice")
	if err != nil || n != 2 {
		t.Fatalf("Erase(alice) = %d, %v; want 2", n, err)
	}
	wantLost(t, "Release of an erased job", st.Release(ctx, cs[0], time.Time{}))
	if n, err := st.Erase(ctx, "alice"); err != nil || n != 0 {
		t.Fatalf("second Erase(alice) = %d, %v; want 0", n, err)
	}
	if n, err := st.Erase(ctx, "nobody"); err != nil || n != 0 {
		t.Fatalf("Erase(nobody) = %d, %v; want 0", n, err)
	}
	put(t, ctx, st, job("keyless", base))
	if n, err := st.Erase(ctx, ""); err != nil || n != 0 {
		t.Fatalf("Erase of the empty key = %d, %v; want 0 (it is no key)", n, err)
	}
	if err := st.Cancel(ctx, "keyless"); err != nil {
		t.Fatalf("Cancel(keyless) after Erase of the empty key: %v", err)
	}
	left := ids(claim(t, ctx, st, base.Add(time.Hour), base.Add(2*time.Hour), 100))
	sort.Strings(left)
	if want := []string{"e1", "e2", "e4", "e5"}; !slices.Equal(left, want) {
		t.Fatalf("after Erase(alice): %q, want %q", left, want)
	}
}

func (s *suite) testPayloadIsolation(t *testing.T) {
	ctx, st := s.store(t)
	j := job("p", base)
	payload := j.Payload
	put(t, ctx, st, j)
	payload[0] = 'X'
	cs := claim(t, ctx, st, base, base.Add(time.Second), 1)
	wantIDs(t, "claim", cs, "p")
	if string(cs[0].Job.Payload) != "payload of p" {
		t.Fatalf("payload %q changed with the caller's slice", cs[0].Job.Payload)
	}
	cs[0].Job.Payload[0] = 'Y'
	cs = claim(t, ctx, st, base.Add(time.Minute), base.Add(2*time.Minute), 1)
	wantIDs(t, "reclaim", cs, "p")
	if string(cs[0].Job.Payload) != "payload of p" {
		t.Fatalf("payload %q changed with a claim's slice", cs[0].Job.Payload)
	}
}

func (s *suite) testBatch(t *testing.T) {
	ctx, st := s.store(t)
	const n = 1000
	jobs := make([]schedule.Job, n)
	for i := range jobs {
		jobs[i] = job(fmt.Sprintf("b%04d", i), base.Add(time.Duration(n-i)*time.Millisecond))
	}
	put(t, ctx, st, jobs...)
	var got []string
	for {
		cs := claim(t, ctx, st, base.Add(time.Hour), base.Add(2*time.Hour), 128)
		if len(cs) == 0 {
			break
		}
		got = append(got, ids(cs)...)
	}
	if len(got) != n || got[0] != fmt.Sprintf("b%04d", n-1) || got[n-1] != "b0000" {
		t.Fatalf("batch claimed %d jobs from %q to %q, want %d from b%04d to b0000",
			len(got), got[0], got[len(got)-1], n, n-1)
	}
}

// OddIDs returns job IDs and keys that stores must keep as they are.
func OddIDs() []string {
	return []string{
		"with space", "slash/and:colon", "percent%_like", "quote'\"`", "ünïcödé-日本語",
		"*?[glob]", "{braces}", "\\back\\slash", "emoji-🙂", string(bytes.Repeat([]byte("long"), 100)),
	}
}

func (s *suite) testOddIDs(t *testing.T) {
	ctx, st := s.store(t)
	odd := OddIDs()
	for i, id := range odd {
		j := job(id, base.Add(time.Duration(i)*time.Second))
		j.Key = id
		put(t, ctx, st, j)
	}
	got := ids(claim(t, ctx, st, base.Add(time.Hour), base.Add(2*time.Hour), 100))
	if !slices.Equal(got, odd) {
		t.Fatalf("odd IDs came back as %q", got)
	}
	for _, id := range odd[:3] {
		if err := st.Cancel(ctx, id); err != nil {
			t.Fatalf("Cancel(%q): %v", id, err)
		}
	}
	for _, id := range odd[3:] {
		if n, err := st.Erase(ctx, id); err != nil || n != 1 {
			t.Fatalf("Erase(%q) = %d, %v; want 1", id, n, err)
		}
	}
	// Patterns in a key match nothing else.
	put(t, ctx, st, schedule.Job{ID: "x", Kind: "test", Key: "a%", Due: base}, schedule.Job{ID: "y", Kind: "test", Key: "ab", Due: base})
	if n, err := st.Erase(ctx, "a%"); err != nil || n != 1 {
		t.Fatalf("Erase(a%%) = %d, %v; want 1", n, err)
	}
}

func (s *suite) testTimeZones(t *testing.T) {
	ctx, st := s.store(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	// The same instant in another zone, and one a microsecond later
	// scheduled first.
	put(t, ctx, st, job("later", base.Add(time.Microsecond).In(ny)))
	put(t, ctx, st, job("first", base.In(ny)))
	cs := claim(t, ctx, st, base, base.Add(time.Minute), 10)
	wantIDs(t, "claim at the instant", cs, "first")
	if !cs[0].Job.Due.Equal(base) {
		t.Fatalf("Due = %v, want %v", cs[0].Job.Due, base)
	}
	wantIDs(t, "a microsecond later", claim(t, ctx, st, base.Add(time.Microsecond), base.Add(time.Minute), 10), "later")
}

func (s *suite) testCancelledContext(t *testing.T) {
	_, st := s.store(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := st.Schedule(ctx, job("a", base)); err == nil {
		t.Fatal("Schedule with a cancelled context succeeded")
	}
	if _, err := st.Claim(ctx, base, base.Add(time.Minute), 1); err == nil {
		t.Fatal("Claim with a cancelled context succeeded")
	}
}
