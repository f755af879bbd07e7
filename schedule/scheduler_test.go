package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/schedule"
)

// fires records the handler calls of a test.
type fires struct {
	mu    sync.Mutex
	at    map[string][]time.Time
	order []string
}

func newFires() *fires { return &fires{at: map[string][]time.Time{}} }

func (f *fires) handler(fail func(j *schedule.Job) error) schedule.Handler {
	return schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
		f.mu.Lock()
		f.at[j.ID] = append(f.at[j.ID], time.Now())
		f.order = append(f.order, j.ID)
		f.mu.Unlock()
		if fail != nil {
			return fail(j)
		}
		return nil
	})
}

func (f *fires) times(id string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.at[id]...)
}

// events records a Scheduler's events.
type events struct {
	mu  sync.Mutex
	all []schedule.Event
}

func (e *events) observe(_ context.Context, ev schedule.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) kinds(id string) []schedule.EventKind {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []schedule.EventKind
	for _, ev := range e.all {
		if ev.Job.ID == id {
			out = append(out, ev.Kind)
		}
	}
	return out
}

// start runs s until the test's bubble ends it.
func start(t *testing.T, s *schedule.Scheduler) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return func() {
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
	}
}

// running returns a scheduler over a new memory store, built with opts,
// whose handler for kind records its fires in the returned fires (and
// then fails as fail says, if fail is not nil). It runs until the test
// ends.
func running(t *testing.T, kind string, fail func(j *schedule.Job) error, opts ...schedule.Option) (*schedule.Scheduler, *fires) {
	t.Helper()
	f := newFires()
	s := schedule.New(schedule.NewMemory(), opts...)
	s.Handle(kind, f.handler(fail))
	t.Cleanup(start(t, s))
	return s, f
}

func TestFiresAtDueTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f := running(t, "remind", nil)
		t0 := time.Now()
		ctx := context.Background()
		require.NoError(t, s.Schedule(ctx,
			schedule.Job{ID: "b", Kind: "remind", Due: t0.Add(2 * time.Hour)},
			schedule.Job{ID: "a", Kind: "remind", Due: t0.Add(90 * time.Minute)}))
		time.Sleep(3 * time.Hour)
		assert.Equal(t, []time.Time{t0.Add(90 * time.Minute)}, f.times("a"), "fires at its due time, once")
		assert.Equal(t, []time.Time{t0.Add(2 * time.Hour)}, f.times("b"))
		assert.Equal(t, []string{"a", "b"}, f.order)
	})
}

func TestRetriesWithBackoffThenFires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ev := &events{}
		s, f := running(t, "send", func(j *schedule.Job) error {
			if j.Attempt < 3 {
				return errors.New("channel down")
			}
			return nil
		}, schedule.WithRetry(5, time.Second), schedule.WithObserver(ev.observe))
		t0 := time.Now()
		require.NoError(t, s.Schedule(context.Background(), schedule.Job{ID: "a", Kind: "send", Due: t0.Add(time.Minute)}))
		time.Sleep(time.Hour)
		due := t0.Add(time.Minute)
		// Back-off 1s, then 2s.
		assert.Equal(t, []time.Time{due, due.Add(time.Second), due.Add(3 * time.Second)}, f.times("a"))
		assert.Equal(t, []schedule.EventKind{schedule.EventRetry, schedule.EventRetry, schedule.EventFired}, ev.kinds("a"))
	})
}

func TestDropsAfterLastAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ev := &events{}
		boom := errors.New("template missing")
		s, f := running(t, "send", func(*schedule.Job) error { return boom },
			schedule.WithRetry(3, time.Second), schedule.WithObserver(ev.observe))
		require.NoError(t, s.Schedule(context.Background(), schedule.Job{ID: "a", Kind: "send", Due: time.Now()}))
		time.Sleep(time.Hour)
		assert.Len(t, f.times("a"), 3)
		assert.Equal(t, []schedule.EventKind{schedule.EventRetry, schedule.EventRetry, schedule.EventDropped}, ev.kinds("a"))
		ev.mu.Lock()
		assert.ErrorIs(t, ev.all[len(ev.all)-1].Err, boom)
		ev.mu.Unlock()
	})
}

func TestPanickingHandlerIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ev := &events{}
		s, _ := running(t, "send", func(j *schedule.Job) error {
			if j.Attempt == 1 {
				panic("nil map")
			}
			return nil
		}, schedule.WithObserver(ev.observe))
		require.NoError(t, s.Schedule(context.Background(), schedule.Job{ID: "a", Kind: "send", Due: time.Now()}))
		time.Sleep(time.Minute)
		assert.Equal(t, []schedule.EventKind{schedule.EventRetry, schedule.EventFired}, ev.kinds("a"))
	})
}

func TestCatchUpAfterDowntime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := schedule.NewMemory()
		ctx := context.Background()
		t0 := time.Now()
		// Scheduled before the downtime, by a scheduler that then stopped.
		f := newFires()
		ev := &events{}
		s := schedule.New(store, schedule.WithObserver(ev.observe))
		s.Handle("send", f.handler(nil))
		require.NoError(t, s.Schedule(ctx,
			schedule.Job{ID: "cart", Kind: "send", Due: t0.Add(time.Hour), Window: 30 * time.Minute},
			schedule.Job{ID: "renewal", Kind: "send", Due: t0.Add(time.Hour), Window: 6 * time.Hour},
			schedule.Job{ID: "receipt", Kind: "send", Due: t0.Add(time.Hour)},
			schedule.Job{ID: "later", Kind: "send", Due: t0.Add(5 * time.Hour), Window: time.Minute}))
		time.Sleep(3 * time.Hour) // nobody runs: the process is down
		stop := start(t, s)
		time.Sleep(3 * time.Hour)
		stop()
		assert.Empty(t, f.times("cart"), "2h late with a 30m window: skipped")
		assert.Equal(t, []schedule.EventKind{schedule.EventSkipped}, ev.kinds("cart"))
		assert.Equal(t, []time.Time{t0.Add(3 * time.Hour)}, f.times("renewal"), "within its window: sent late")
		assert.Equal(t, []time.Time{t0.Add(3 * time.Hour)}, f.times("receipt"), "no window: sent however late")
		assert.Equal(t, []time.Time{t0.Add(5 * time.Hour)}, f.times("later"), "due after the downtime: on time")
		require.Equal(t, []schedule.EventKind{schedule.EventFired}, ev.kinds("renewal"))
		ev.mu.Lock()
		defer ev.mu.Unlock()
		i := slices.IndexFunc(ev.all, func(e schedule.Event) bool { return e.Job.ID == "renewal" })
		assert.Equal(t, 2*time.Hour, ev.all[i].Late, "reported as 2h late")
		assert.Equal(t, 0, store.Len())
	})
}

func TestScheduleRejectsInvalidJobs(t *testing.T) {
	s := schedule.New(schedule.NewMemory())
	s.Handle("send", schedule.HandlerFunc(func(context.Context, *schedule.Job) error { return nil }))
	now := time.Now()
	tests := []struct {
		name string
		give schedule.Job
		want error
	}{
		{"empty ID", schedule.Job{Kind: "send", Due: now}, schedule.ErrInvalidJob},
		{"empty kind", schedule.Job{ID: "a", Due: now}, schedule.ErrInvalidJob},
		{"zero due time", schedule.Job{ID: "a", Kind: "send"}, schedule.ErrInvalidJob},
		{"negative window", schedule.Job{ID: "a", Kind: "send", Due: now, Window: -time.Second}, schedule.ErrInvalidJob},
		{"unknown kind", schedule.Job{ID: "a", Kind: "sms", Due: now}, schedule.ErrUnknownKind},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok := schedule.Job{ID: "ok", Kind: "send", Due: now}
			err := s.Schedule(context.Background(), ok, tt.give)
			assert.ErrorIs(t, err, tt.want)
			assert.ErrorIs(t, s.Cancel(context.Background(), "ok"), schedule.ErrNotFound, "nothing half-done")
		})
	}
}

func TestCancelAndErase(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f := running(t, "send", nil)
		ctx := context.Background()
		due := time.Now().Add(time.Hour)
		require.NoError(t, s.Schedule(ctx,
			schedule.Job{ID: "a1", Kind: "send", Key: "alice", Due: due},
			schedule.Job{ID: "a2", Kind: "send", Key: "alice", Due: due},
			schedule.Job{ID: "b1", Kind: "send", Key: "bob", Due: due},
			schedule.Job{ID: "b2", Kind: "send", Key: "bob", Due: due}))
		require.NoError(t, s.Cancel(ctx, "b2"))
		assert.ErrorIs(t, s.Cancel(ctx, "b2"), schedule.ErrNotFound)
		n, err := s.Erase(ctx, "alice")
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		time.Sleep(2 * time.Hour)
		f.mu.Lock()
		defer f.mu.Unlock()
		assert.Equal(t, []string{"b1"}, f.order)
	})
}

func TestShutdownWaitsForRunningJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var finished bool
		s := schedule.New(schedule.NewMemory())
		started := make(chan struct{})
		s.Handle("slow", schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
			close(started)
			time.Sleep(time.Minute)
			finished = true
			return nil
		}))
		done := make(chan error, 1)
		go func() { done <- s.Run(context.Background()) }()
		require.NoError(t, s.Schedule(context.Background(), schedule.Job{ID: "a", Kind: "slow", Due: time.Now()}))
		<-started
		require.NoError(t, s.Shutdown(context.Background()))
		assert.True(t, finished)
		assert.ErrorIs(t, <-done, schedule.ErrClosed)
		assert.ErrorIs(t, s.Run(context.Background()), schedule.ErrClosed)
	})
}

func TestShutdownGivesUpWithItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := schedule.New(schedule.NewMemory())
		started := make(chan struct{})
		s.Handle("stuck", schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		}))
		done := make(chan error, 1)
		go func() { done <- s.Run(context.Background()) }()
		require.NoError(t, s.Schedule(context.Background(), schedule.Job{ID: "a", Kind: "stuck", Due: time.Now()}))
		<-started
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.ErrorIs(t, s.Shutdown(ctx), context.DeadlineExceeded)
		assert.ErrorIs(t, <-done, schedule.ErrClosed)
	})
}

// flaky is a Store that fails every call while down is set: an outage.
type flaky struct {
	schedule.Store
	mu   sync.Mutex
	down bool
}

var errOutage = errors.New("store unreachable")

func (f *flaky) fail() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errOutage
	}
	return nil
}

func (f *flaky) set(down bool) { f.mu.Lock(); f.down = down; f.mu.Unlock() }

func (f *flaky) Claim(ctx context.Context, now, until time.Time, limit int) ([]schedule.Claim, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return f.Store.Claim(ctx, now, until, limit)
}

func (f *flaky) Extend(ctx context.Context, c schedule.Claim, until time.Time) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.Extend(ctx, c, until)
}

func (f *flaky) Release(ctx context.Context, c schedule.Claim, next time.Time) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.Release(ctx, c, next)
}

// sent is the effect of firing: a send keyed by FireID, de-duplicated as
// the Bot's per-message claim does.
type sent struct {
	mu    sync.Mutex
	keys  map[string]int
	calls int
}

func (s *sent) send(j *schedule.Job) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.keys[j.FireID()]++
	return s.keys[j.FireID()] == 1
}

func TestStoreOutageDelaysButNeverLosesOrDuplicates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &flaky{Store: schedule.NewMemory()}
		ev := &events{}
		out := &sent{keys: map[string]int{}}
		s := schedule.New(store, schedule.WithLease(time.Minute), schedule.WithObserver(ev.observe))
		var firstDone sync.Once
		s.Handle("send", schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
			out.send(j)
			// The store goes down while the first job runs: its
			// completion cannot be recorded.
			firstDone.Do(func() { store.set(true) })
			return nil
		}))
		stop := start(t, s)
		defer stop()
		t0 := time.Now()
		var jobs []schedule.Job
		for i := range 50 {
			jobs = append(jobs, schedule.Job{ID: fmt.Sprint("j", i), Kind: "send", Due: t0.Add(time.Duration(i) * time.Minute)})
		}
		require.NoError(t, s.Schedule(context.Background(), jobs...))
		time.Sleep(10 * time.Minute)
		store.set(false)
		time.Sleep(2 * time.Hour)
		out.mu.Lock()
		defer out.mu.Unlock()
		assert.Len(t, out.keys, 50, "every job fired, each under one FireID")
		assert.Equal(t, 51, out.calls, "only the job whose completion was lost ran again")
		assert.Equal(t, 2, out.keys[jobs[0].FireID()], "and with the same FireID, which the send path de-duplicates")
		assert.Contains(t, ev.kinds(""), schedule.EventError, "the outage was reported")
	})
}

func TestReplicasFireEachJobOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := schedule.NewMemory()
		out := &sent{keys: map[string]int{}}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var scheds []*schedule.Scheduler
		for range 3 {
			s := schedule.New(store, schedule.WithWorkers(4))
			s.Handle("send", schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
				time.Sleep(10 * time.Millisecond) // sending takes a while
				out.send(j)
				return nil
			}))
			scheds = append(scheds, s)
			wg.Add(1)
			go func() { defer wg.Done(); _ = s.Run(ctx) }()
		}
		t0 := time.Now()
		var jobs []schedule.Job
		for i := range 1000 {
			jobs = append(jobs, schedule.Job{ID: fmt.Sprint("j", i), Kind: "send", Due: t0.Add(time.Duration(i%60) * time.Second)})
		}
		require.NoError(t, scheds[0].Schedule(context.Background(), jobs...))
		time.Sleep(time.Hour)
		cancel()
		wg.Wait()
		assert.Len(t, out.keys, 1000)
		assert.Equal(t, 1000, out.calls, "no job fired twice")
		assert.Equal(t, 0, store.Len())
	})
}

// TestWorkerKilledMidJobSendsOnce kills a replica while it fires a job
// (after the send, before the record: it stops renewing its lease and
// never records), and checks that another replica fires the job after
// the lease and that the Bot, enqueueing by FireID, answers once.
func TestWorkerKilledMidJobSendsOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var turns []string
		bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
			mu.Lock()
			turns = append(turns, tn.MessageID)
			mu.Unlock()
			return nil
		}))
		enqueue := func(ctx context.Context, j *schedule.Job) error {
			err := bot.Enqueue(ctx, &parley.Turn{ConversationID: string(j.Payload), MessageID: j.FireID(),
				Signal: &parley.Signal{Name: "reminder"}})
			if errors.Is(err, parley.ErrDuplicate) {
				return nil // fired before, by a replica that died before recording it
			}
			return err
		}
		mem := schedule.NewMemory()
		dead := &flaky{Store: mem} // the killed replica's connection
		killed := make(chan struct{})
		a := schedule.New(dead, schedule.WithLease(30*time.Second))
		a.Handle("remind", schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
			if err := enqueue(ctx, j); err != nil {
				return err
			}
			dead.set(true) // SIGKILL: nothing after the send reaches the store
			close(killed)
			<-ctx.Done()
			return ctx.Err()
		}))
		b := schedule.New(mem, schedule.WithLease(30*time.Second))
		b.Handle("remind", schedule.HandlerFunc(enqueue))
		ctx := context.Background()
		require.NoError(t, a.Schedule(ctx, schedule.Job{ID: "remind/conv-1", Kind: "remind", Due: time.Now().Add(time.Minute), Payload: []byte("conv-1")}))
		actx, acancel := context.WithCancel(ctx)
		adone := make(chan error, 1)
		go func() { adone <- a.Run(actx) }()
		<-killed
		stopB := start(t, b)
		time.Sleep(5 * time.Minute)
		stopB()
		acancel()
		<-adone
		require.NoError(t, bot.Shutdown(ctx))
		assert.Equal(t, 0, mem.Len(), "the job was recorded as fired by the surviving replica")
		mu.Lock()
		defer mu.Unlock()
		assert.Len(t, turns, 1, "the customer gets one reminder")
	})
}

// TestLeaseLostCancelsTheHandler: a replica whose store connection fails
// past its lease loses the job to another replica; when it reconnects,
// its renewal finds the lease lost and cancels its handler.
func TestLeaseLostCancelsTheHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := schedule.NewMemory()
		conn := &flaky{Store: mem}
		evA := &events{}
		a := schedule.New(conn, schedule.WithLease(30*time.Second), schedule.WithObserver(evA.observe))
		var cause error
		started := make(chan struct{})
		a.Handle("send", schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
			close(started)
			conn.set(true) // the connection drops while the handler runs
			<-ctx.Done()
			cause = context.Cause(ctx)
			return ctx.Err()
		}))
		f := newFires()
		b := schedule.New(mem, schedule.WithLease(30*time.Second))
		b.Handle("send", f.handler(nil))
		require.NoError(t, a.Schedule(context.Background(), schedule.Job{ID: "j", Kind: "send", Due: time.Now()}))
		stopA := start(t, a)
		<-started
		stopB := start(t, b)
		time.Sleep(45 * time.Second) // past A's lease: B fires the job
		conn.set(false)
		time.Sleep(30 * time.Second) // A's next renewal
		stopB()
		stopA()
		assert.ErrorIs(t, cause, schedule.ErrLeaseLost)
		assert.Len(t, f.times("j"), 1)
		assert.Contains(t, evA.kinds("j"), schedule.EventLost)
		assert.Equal(t, 0, mem.Len())
	})
}
