package replicatest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// countKey keeps the number of turns a conversation has seen.
var countKey = memory.NewStateKey[int]("replicatest")

// Config sizes a [Run]. Zero fields take the defaults.
type Config struct {
	// Replicas is the number of Bots, each with its own store client
	// (default 2).
	Replicas int
	// Conversations run concurrently (default 1000), each of Turns turns
	// (default 20) delivered one after another.
	Conversations, Turns int
	// Redeliver is the fraction of turns whose webhook is delivered a
	// second time, concurrently, to another replica (default 0.10).
	Redeliver float64
	// LeaseTTL is the lease TTL of the replicas (default 10s): how long the
	// conversations of a killed replica stay blocked.
	LeaseTTL time.Duration
	// KillReplica makes the last replica die when a third of the turns are
	// done: from then on every store call it makes fails, as if the
	// process were gone, including turns in flight. Its webhooks are
	// redelivered to the others.
	KillReplica bool
	// Outage, if set, is called once when half of the turns are done, on
	// its own goroutine: it makes the backend unavailable (restarts the
	// server, drops every connection) and returns when it is back. Turns
	// that fail meanwhile are redelivered with back-off.
	Outage func(ctx context.Context) error
	// HandlerDelay makes the handler sleep that long in every turn, to
	// widen the window in which an unguarded replica would race.
	HandlerDelay time.Duration
}

// Result reports what a [Run] did.
type Result struct {
	// Turns is the number of distinct turns; Deliveries counts every
	// HandleTurn call, including redeliveries and retries.
	Turns, Deliveries int
	// Retried counts deliveries that failed and were delivered again.
	Retried int
	// HandlerRuns counts the times the application handler ran; more
	// than Turns only for turns whose first attempt failed.
	HandlerRuns int
	// Elapsed is the wall time of the delivery phase.
	Elapsed time.Duration
}

func (c *Config) defaults() {
	if c.Replicas <= 0 {
		c.Replicas = 2
	}
	if c.Conversations <= 0 {
		c.Conversations = 1000
	}
	if c.Turns <= 0 {
		c.Turns = 20
	}
	if c.Redeliver == 0 {
		c.Redeliver = 0.10
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 10 * time.Second
	}
}

// errKilled is what a killed replica's store returns.
var errKilled = errors.New("replicatest: replica killed")

// killable is a Store that fails every call once killed.
type killable struct {
	memory.Store
	dead atomic.Bool
}

// Get implements [memory.Store].
func (k *killable) Get(ctx context.Context, key string) (memory.Record, error) {
	if k.dead.Load() {
		return memory.Record{}, errKilled
	}
	return k.Store.Get(ctx, key)
}

// Set implements [memory.Store].
func (k *killable) Set(ctx context.Context, p memory.Put) (int64, error) {
	if k.dead.Load() {
		return 0, errKilled
	}
	v, err := k.Store.Set(ctx, p)
	if k.dead.Load() {
		// Died before it could see the answer.
		return 0, errKilled
	}
	return v, err
}

// Delete implements [memory.Store].
func (k *killable) Delete(ctx context.Context, key string, ifVersion int64) error {
	if k.dead.Load() {
		return errKilled
	}
	return k.Store.Delete(ctx, key, ifVersion)
}

// app is the application under test: it checks and counts every turn.
type app struct {
	delay    time.Duration
	mu       sync.Mutex
	log      map[string][]int // conversation -> turn numbers the handler ran
	failures []string
	runs     atomic.Int64
}

func (a *app) fail(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.failures) < 20 {
		a.failures = append(a.failures, fmt.Sprintf(format, args...))
	}
}

// handler replies "ack N" to "turn N" and keeps a counter in the session,
// which must always be N-1: a lost update or an out-of-order turn breaks
// it.
func (a *app) handler(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	a.runs.Add(1)
	n, err := strconv.Atoi(strings.TrimPrefix(t.Text(), "turn "))
	if err != nil {
		a.fail("%s: bad text %q", t.ConversationID, t.Text())
		return err
	}
	s := t.Session()
	if s == nil {
		a.fail("%s: no session", t.ConversationID)
		return errors.New("no session")
	}
	prev, _, err := countKey.Get(s)
	if err != nil {
		return err
	}
	if prev != n-1 {
		a.fail("%s: turn %d ran after turn %d", t.ConversationID, n, prev)
	}
	if err := countKey.Set(s, n); err != nil {
		return err
	}
	if a.delay > 0 {
		time.Sleep(a.delay)
	}
	a.mu.Lock()
	a.log[t.ConversationID] = append(a.log[t.ConversationID], n)
	a.mu.Unlock()
	return w.Reply(ctx, parley.Text(fmt.Sprintf("ack %d", n)))
}

// writer records the replies of one conversation.
type writer struct {
	mu      sync.Mutex
	replies []string
}

// Reply implements [parley.ReplyWriter].
func (w *writer) Reply(_ context.Context, m parley.Message) error {
	w.mu.Lock()
	w.replies = append(w.replies, m.Text)
	w.mu.Unlock()
	return nil
}

// Run runs cfg.Conversations conversations of cfg.Turns turns through
// cfg.Replicas Bots, each taking conversation leases ([parley.WithLocker]) in its own store
// from newStore, and checks that every conversation's stored history holds
// exactly its turns, in order, with no duplicate and no gap; that the
// handler saw every turn's predecessor (no lost update, no reordering);
// and that no turn ran twice unless its first delivery failed.
//
// newStore is called once per replica; every store it returns must reach
// the same, initially empty, backend namespace through its own client.
func Run(t *testing.T, newStore func(t *testing.T) memory.Store, cfg Config) Result {
	t.Helper()
	cfg.defaults()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	a := &app{log: make(map[string][]int), delay: cfg.HandlerDelay}
	faults := cfg.KillReplica || cfg.Outage != nil
	window := 2*cfg.Turns + 8
	type replica struct {
		bot   *parley.Bot
		store memory.Store
		kill  *killable
	}
	replicas := make([]*replica, cfg.Replicas)
	for i := range replicas {
		st := newStore(t)
		r := &replica{store: st}
		if cfg.KillReplica && i == cfg.Replicas-1 {
			r.kill = &killable{Store: st}
			st = r.kill
		}
		r.bot = parley.NewBot(parley.HandlerFunc(a.handler),
			parley.WithSessions(memory.NewSessions(st, memory.WithHistoryWindow(window))),
			parley.WithMaxConcurrency(64), parley.WithLocker(memory.NewLocker(st), cfg.LeaseTTL))
		replicas[i] = r
	}

	total := cfg.Conversations * cfg.Turns
	var (
		done       atomic.Int64
		deliveries atomic.Int64
		retried    atomic.Int64
		killOnce   sync.Once
		outageOnce sync.Once
		outageWG   sync.WaitGroup
		outageErr  error
		failedMu   sync.Mutex
		failedMsgs = make(map[string]bool) // message IDs with a failed delivery
	)
	milestone := func() {
		n := done.Add(1)
		if cfg.KillReplica && n >= int64(total/3) {
			killOnce.Do(func() { replicas[len(replicas)-1].kill.dead.Store(true) })
		}
		if cfg.Outage != nil && n >= int64(total/2) {
			outageOnce.Do(func() {
				outageWG.Add(1)
				go func() {
					defer outageWG.Done()
					outageErr = cfg.Outage(ctx)
				}()
			})
		}
	}

	// deliver hands a turn to replica r and, while it fails, to random
	// replicas with back-off, as a webhook sender retries on errors.
	deliver := func(rng *rand.Rand, r int, w *writer, turn *parley.Turn) error {
		var errs []error
		pause := 5 * time.Millisecond
		for attempt := 0; attempt < 200; attempt++ {
			deliveries.Add(1)
			err := replicas[r].bot.HandleTurn(ctx, w, turn)
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if !faults {
				return fmt.Errorf("turn %s/%s failed without any fault injected: %w", turn.ConversationID, turn.MessageID, err)
			}
			if len(errs) < 3 {
				errs = append(errs, err)
			}
			retried.Add(1)
			failedMu.Lock()
			failedMsgs[turn.MessageID] = true
			failedMu.Unlock()
			time.Sleep(pause/2 + rand.N(pause/2+1))
			pause = min(2*pause, 500*time.Millisecond)
			r = rng.IntN(len(replicas))
		}
		return fmt.Errorf("turn %s/%s never succeeded: %w", turn.ConversationID, turn.MessageID, errors.Join(errs...))
	}

	writers := make([]*writer, cfg.Conversations)
	errc := make(chan error, cfg.Conversations)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range cfg.Conversations {
		writers[c] = &writer{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 42))
			conv := fmt.Sprintf("conv-%04d", c)
			for k := 1; k <= cfg.Turns; k++ {
				turn := &parley.Turn{
					ConversationID: conv, CustomerID: "cust-" + conv, Channel: "test",
					MessageID: fmt.Sprintf("%s-m%d", conv, k), Message: parley.Text(fmt.Sprintf("turn %d", k)),
				}
				r := rng.IntN(len(replicas))
				if rng.Float64() < cfg.Redeliver {
					r2 := (r + 1 + rng.IntN(len(replicas)-1)) % len(replicas)
					if len(replicas) == 1 {
						r2 = r
					}
					var e1, e2 error
					var inner sync.WaitGroup
					inner.Add(1)
					rng2 := rand.New(rand.NewPCG(uint64(c), uint64(k)))
					go func() {
						defer inner.Done()
						e2 = deliver(rng2, r2, writers[c], turn)
					}()
					e1 = deliver(rng, r, writers[c], turn)
					inner.Wait()
					if err := errors.Join(e1, e2); err != nil {
						errc <- err
						return
					}
				} else if err := deliver(rng, r, writers[c], turn); err != nil {
					errc <- err
					return
				}
				milestone()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	outageWG.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if outageErr != nil {
		t.Errorf("outage: %v", outageErr)
	}
	for _, r := range replicas {
		sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
		if err := r.bot.Shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		scancel()
	}
	for _, f := range a.failures {
		t.Error(f)
	}
	if t.Failed() {
		return Result{}
	}
	if runs := a.runs.Load(); !faults && runs != int64(total) {
		t.Errorf("the handler ran %d times for %d turns without any fault", runs, total)
	}

	// Check every conversation's stored session.
	sessions := memory.NewSessions(replicas[0].store, memory.WithHistoryWindow(window))
	bad := 0
	for c := range cfg.Conversations {
		conv := fmt.Sprintf("conv-%04d", c)
		if err := checkSession(ctx, sessions, conv, cfg.Turns); err != nil {
			t.Error(err)
			if bad++; bad > 10 {
				t.Fatal("too many broken conversations")
			}
		}
		log := a.log[conv]
		if got := slices.Compact(slices.Clone(log)); !isSeq(got, cfg.Turns) {
			t.Errorf("%s: handler ran turns %v; want 1..%d in order", conv, log, cfg.Turns)
		}
		for i := 1; i < len(log); i++ {
			mid := fmt.Sprintf("%s-m%d", conv, log[i])
			if log[i] == log[i-1] && !failedMsgs[mid] {
				t.Errorf("%s: turn %d ran twice although no delivery of it failed (shared de-duplication broken)", conv, log[i])
			}
		}
		acks := 0
		for _, r := range writers[c].replies {
			if strings.HasPrefix(r, "ack ") {
				acks++
			}
		}
		if acks < cfg.Turns || (acks > cfg.Turns && len(failedMsgs) == 0) {
			t.Errorf("%s: %d acknowledgements for %d turns (replies %q)", conv, acks, cfg.Turns, writers[c].replies)
		}
	}
	return Result{
		Turns: total, Deliveries: int(deliveries.Load()), Retried: int(retried.Load()),
		HandlerRuns: int(a.runs.Load()), Elapsed: elapsed,
	}
}

func isSeq(s []int, n int) bool {
	if len(s) != n {
		return false
	}
	for i, v := range s {
		if v != i+1 {
			return false
		}
	}
	return true
}

// checkSession verifies that conv's stored history is exactly turns turns,
// each followed by its acknowledgement.
func checkSession(ctx context.Context, ss *memory.Sessions, conv string, turns int) error {
	s, err := ss.Load(ctx, conv)
	if err != nil {
		return fmt.Errorf("%s: load: %w", conv, err)
	}
	if s.Turns != turns {
		return fmt.Errorf("%s: Session.Turns = %d; want %d", conv, s.Turns, turns)
	}
	var got, want []string
	for _, e := range s.History {
		got = append(got, string(e.Role)+":"+e.Text)
	}
	for k := 1; k <= turns; k++ {
		want = append(want, fmt.Sprintf("user:turn %d", k), fmt.Sprintf("bot:ack %d", k))
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s: history\n got %q\nwant %q", conv, got, want)
	}
	n, _, err := countKey.Get(s)
	if err != nil || n != turns {
		return fmt.Errorf("%s: counter = %d, %v; want %d", conv, n, err, turns)
	}
	return nil
}
