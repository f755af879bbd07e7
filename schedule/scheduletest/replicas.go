package scheduletest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/schedule"
)

// ReplicasConfig configures [Replicas]. The zero value runs three
// replicas over 300 jobs and kills none.
type ReplicasConfig struct {
	// Replicas is how many schedulers share the store (default 3).
	Replicas int
	// Jobs is how many jobs are scheduled (default 300), due over the
	// first second.
	Jobs int
	// Kill kills the first replica in the middle of a job: after the job
	// took effect and before it was recorded, every call it makes to the
	// store fails from then on (it stops renewing its leases) and its
	// handlers never return. The first replica then runs alone until it
	// dies, so that it always holds jobs when it does.
	Kill bool
	// Lease is the schedulers' lease (default 3s): how long a killed
	// replica's job waits before another replica fires it. Only the
	// killed replica's jobs may fire twice, so the lease must outlast the
	// store's slowest claim and release under the test's load.
	Lease time.Duration
}

// ReplicasResult is what [Replicas] observed.
type ReplicasResult struct {
	// Calls counts handler calls: more than the jobs when a killed
	// replica's job fired again on another replica.
	Calls int
	// Effects counts effects taken, de-duplicated by [schedule.Job.FireID]
	// as a Bot's per-message claim does; it equals the number of jobs.
	Effects int
	Elapsed time.Duration
}

// Replicas schedules jobs through one replica, runs cfg.Replicas
// schedulers, each over its own store from newStore (its own connection
// to the same data), optionally kills one mid-job, and checks that every
// job took effect exactly once and that the store is left empty. It
// waits in real time: lease expiries take cfg.Lease.
func Replicas(t *testing.T, newStore func(t *testing.T) schedule.Store, cfg ReplicasConfig) ReplicasResult {
	t.Helper()
	if cfg.Replicas < 2 {
		cfg.Replicas = 3
	}
	if cfg.Jobs <= 0 {
		cfg.Jobs = 300
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 3 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var mu sync.Mutex
	effects := map[string]int{}
	fired := map[string]bool{}
	calls := 0
	all := make(chan struct{})
	effect := func(j *schedule.Job) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		effects[j.FireID()]++
	}
	observe := func(_ context.Context, e schedule.Event) {
		if e.Kind != schedule.EventFired {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		fired[e.Job.ID] = true
		if len(fired) == cfg.Jobs {
			close(all)
		}
	}

	var killed *killable
	start := time.Now()
	runCtx, stopRuns := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var scheds []*schedule.Scheduler
	for i := range cfg.Replicas {
		var st schedule.Store = newStore(t)
		var h schedule.HandlerFunc = func(ctx context.Context, j *schedule.Job) error {
			effect(j)
			return nil
		}
		if i == 0 && cfg.Kill {
			killed = &killable{Store: st, died: make(chan struct{})}
			st = killed
			h = func(ctx context.Context, j *schedule.Job) error {
				effect(j)
				if killed.handled(j) {
					<-ctx.Done() // a dead process: never returns on its own
					return ctx.Err()
				}
				return nil
			}
		}
		s := schedule.New(st, schedule.WithLease(cfg.Lease), schedule.WithPoll(20*time.Millisecond),
			schedule.WithWorkers(8), schedule.WithObserver(observe))
		s.Handle("replica", h)
		scheds = append(scheds, s)
	}
	jobs := make([]schedule.Job, cfg.Jobs)
	for i := range jobs {
		jobs[i] = schedule.Job{ID: fmt.Sprintf("replica-%05d", i), Kind: "replica",
			Due: start.Add(time.Duration(i) * time.Second / time.Duration(cfg.Jobs))}
	}
	// The killed replica's store refuses everything once it is dead:
	// schedule through it before anything runs.
	if err := scheds[0].Schedule(ctx, jobs...); err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	run := func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := scheds[i].Run(runCtx); !errors.Is(err, context.Canceled) {
				t.Errorf("replica %d: Run: %v", i, err)
			}
		}()
	}
	run(0)
	if killed != nil {
		// The others start once the first died mid-dispatch, holding jobs.
		select {
		case <-killed.died:
		case <-ctx.Done():
			t.Fatal("the replica to kill fired no job")
		}
	}
	for i := 1; i < len(scheds); i++ {
		run(i)
	}
	select {
	case <-all:
	case <-ctx.Done():
	}
	stopRuns()
	wg.Wait()
	// Every job was recorded as fired: the store is empty.
	check := newStore(t)
	cs, err := check.Claim(ctx, time.Now().Add(24*time.Hour), time.Now().Add(48*time.Hour), 1)
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	if len(cs) > 0 {
		t.Errorf("job %q left in the store", cs[0].Job.ID)
	}
	mu.Lock()
	defer mu.Unlock()
	res := ReplicasResult{Calls: calls, Effects: len(effects), Elapsed: time.Since(start)}
	if res.Effects != cfg.Jobs {
		t.Errorf("%d of %d jobs took effect", res.Effects, cfg.Jobs)
	}
	for id, n := range effects {
		if n > 1 && (killed == nil || !killed.jobs[id]) {
			t.Errorf("job %s fired %d times, not after the kill of the replica that held it", id, n)
		}
	}
	if cfg.Kill && len(killed.jobs) == 0 {
		t.Error("the killed replica fired no job")
	}
	return res
}

// killable is a store connection that dies with its replica.
type killable struct {
	schedule.Store
	mu   sync.Mutex
	dead bool
	died chan struct{}   // closed when it dies
	jobs map[string]bool // FireIDs it fired: they may fire again elsewhere
}

var errKilled = errors.New("scheduletest: replica killed")

// handled records that the replica fired j, killing it on the first
// call, which it reports.
func (k *killable) handled(j *schedule.Job) (kill bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.jobs == nil {
		k.jobs = map[string]bool{}
	}
	k.jobs[j.FireID()] = true
	if k.dead {
		return false
	}
	k.dead = true
	close(k.died)
	return true
}

func (k *killable) isDead() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.dead
}

func (k *killable) Claim(ctx context.Context, now, until time.Time, limit int) ([]schedule.Claim, error) {
	if k.isDead() {
		return nil, errKilled
	}
	return k.Store.Claim(ctx, now, until, limit)
}

func (k *killable) Extend(ctx context.Context, c schedule.Claim, until time.Time) error {
	if k.isDead() {
		return errKilled
	}
	return k.Store.Extend(ctx, c, until)
}

func (k *killable) Release(ctx context.Context, c schedule.Claim, next time.Time) error {
	if k.isDead() {
		return errKilled
	}
	return k.Store.Release(ctx, c, next)
}
