package flow_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/internal/benchform"
	"github.com/parleyhq/parley/internal/benchrun"
	"github.com/parleyhq/parley/memory"
)

// benchBot is a Bot running benchform's form: ask an order number
// (validated), confirm it, ask again. Every turn answers one ask,
// validates it, says something and saves the session.
func benchBot(b *testing.B) *parley.Bot {
	return parley.NewBot(formRouter(b, benchform.Flow()), parley.WithMaxConcurrency(256))
}

var discard = parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })

// benchConversations is how many conversations BenchmarkTurn keeps
// going at once. A bot serving tens of thousands of turns a second holds
// thousands of conversations; with one conversation per core (as
// BenchmarkTurnFewConversations runs) the live heap is almost nothing, so
// the runtime collects every few megabytes and a run measures the
// collector's fixed costs more than the Bot. 1,024 stays within the
// session cache's default capacity (4,096), as a server's active
// conversations would.
const benchConversations = 1024

// BenchmarkTurn measures a full turn (Bot + flow + in-memory sessions)
// over benchConversations conversations, GOMAXPROCS goroutines in
// parallel, each taking its own share of the conversations in turn (as a
// customer waits for the reply before writing again). Every conversation
// has a full history window before the timer starts. Run with -cpu 1,2:
// turns/s should double with the cores. Besides turns/s it reports the p50
// and p99 of a turn's latency and the process CPU time per turn
// (cpu-ns/turn, where the platform can tell), which stays the same from 1
// to 2 cores when nothing is shared, even on a busy machine.
func BenchmarkTurn(b *testing.B) { benchTurn(b, benchConversations) }

// BenchmarkTurnFewConversations is BenchmarkTurn with one conversation
// per goroutine: the shape of the benchmark before this round, kept for
// comparison. Its live heap is a few kilobytes per core.
func BenchmarkTurnFewConversations(b *testing.B) { benchTurn(b, 0) }

// benchTurn runs BenchmarkTurn over convs conversations, or one per
// goroutine when convs is 0.
func benchTurn(b *testing.B, convs int) {
	bot := benchBot(b)
	ctx := context.Background()
	procs := runtime.GOMAXPROCS(0)
	per := max(convs/procs, 1)
	// ids[g] are goroutine g's conversations, each with its turn count.
	ids := make([][]string, procs)
	msgs := make([][]int, procs)
	t := &parley.Turn{Message: parley.Text("A-1001")}
	for g := range ids {
		for i := range per {
			ids[g] = append(ids[g], "c"+strconv.Itoa(g)+"-"+strconv.Itoa(i))
		}
		msgs[g] = make([]int, per)
		// A full history window (20 entries, 3 a turn) and session cache.
		for i, id := range ids[g] {
			for range 8 {
				msgs[g][i]++
				t.ConversationID, t.MessageID = id, strconv.Itoa(msgs[g][i])
				if err := bot.HandleTurn(ctx, discard, t); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	var next atomic.Int64
	var lat latencies
	b.ReportAllocs()
	runtime.GC()
	cpu0, cpuOK := benchrun.ProcessCPU()
	gc0 := readGC()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		g := int(next.Add(1)-1) % procs
		ids, msgs := ids[g], msgs[g]
		t := &parley.Turn{Message: parley.Text("A-1001")}
		h := new(histogram)
		i := 0
		for pb.Next() {
			msgs[i]++
			t.ConversationID, t.MessageID = ids[i], strconv.Itoa(msgs[i])
			start := time.Now()
			if err := bot.HandleTurn(ctx, discard, t); err != nil {
				b.Error(err)
				return
			}
			h.add(time.Since(start))
			if i++; i == len(ids) {
				i = 0
			}
		}
		lat.merge(h)
	})
	b.StopTimer()
	reportTurns(b, &lat)
	if cpu1, ok := benchrun.ProcessCPU(); ok && cpuOK {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/turn")
	}
	gc1 := readGC()
	b.ReportMetric((gc1.cpu-gc0.cpu)*1e9/float64(b.N), "gc-cpu-ns/turn")
	b.ReportMetric(float64(gc1.cycles-gc0.cycles)*1e6/float64(b.N), "gcs/Mturn")
}

// gcStats is what the runtime says about its collector.
type gcStats struct {
	cpu    float64 // estimated CPU seconds spent collecting, assists included
	cycles uint64
}

func readGC() gcStats {
	ms := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(ms)
	return gcStats{cpu: ms[0].Value.Float64(), cycles: ms[1].Value.Uint64()}
}

// reportTurns reports turns/s and the latency quantiles of a run.
func reportTurns(b *testing.B, lat *latencies) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "turns/s")
	b.ReportMetric(float64(lat.quantile(0.50))/1e3, "p50-µs")
	b.ReportMetric(float64(lat.quantile(0.99))/1e3, "p99-µs")
	b.ReportMetric(0, "ns/op") // per turn, and wall time split over the goroutines: turns/s says it plainly
}

// BenchmarkTurnHistory compares a turn in a conversation that had exactly
// 1 earlier turn with a turn in one that had at least 1,000: the history
// window must keep the cost the same. Both cycle over the same number of
// conversations, so that they touch memory alike. (Before issue 11 this
// benchmark ran every turn on one conversation, whose window was full
// after 7 turns whatever "earlier" said.)
func BenchmarkTurnHistory(b *testing.B) {
	const convs = 64
	for _, earlier := range []int{1, 1000} {
		b.Run(fmt.Sprintf("earlier=%d", earlier), func(b *testing.B) {
			bot := benchBot(b)
			ctx := context.Background()
			t := &parley.Turn{Message: parley.Text("A-1001")}
			turn := func(conv, msg int) {
				t.ConversationID, t.MessageID = "c"+strconv.Itoa(conv), strconv.Itoa(msg)
				if err := bot.HandleTurn(ctx, discard, t); err != nil {
					b.Fatal(err)
				}
			}
			benchrun.History(b, convs, earlier, turn, func(conv int) {
				if err := bot.Sessions().Delete(ctx, "c"+strconv.Itoa(conv)); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkIdleConversationMemory reports the heap held per idle
// conversation after three turns (session record in the in-memory store).
func BenchmarkIdleConversationMemory(b *testing.B) {
	const convs = 5000
	for range b.N {
		store := memory.NewMap()
		bot := parley.NewBot(benchEngine(b), parley.WithStore(store))
		ctx := context.Background()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for c := range convs {
			for i := range 3 {
				t := &parley.Turn{ConversationID: "conv-" + strconv.Itoa(c), MessageID: strconv.Itoa(i), Message: parley.Text("A-1001")}
				if err := bot.HandleTurn(ctx, discard, t); err != nil {
					b.Fatal(err)
				}
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/convs, "B/conversation")
		runtime.KeepAlive(store)
	}
}

func benchEngine(b *testing.B) *intent.Router {
	f := flow.New("form").Add(
		&flow.Ask{ID: "order", Slot: "order", Prompt: []string{"Order number?"}, Always: true, Next: "ok"},
		&flow.Say{ID: "ok", Text: []string{"Got {{slots.order}}."}, Next: "order"},
	)
	return formRouter(b, f)
}

// formRouter mounts an engine running f on a router that starts f for
// any turn it does not understand (there is no language understanding).
func formRouter(b *testing.B, f *flow.Builder) *intent.Router {
	r, err := benchform.Router(f)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// histogram counts turn latencies in 100 ns buckets up to 10 ms and keeps
// longer ones as they are, so that measuring a turn allocates nothing.
type histogram struct {
	counts [100_000]uint32
	over   []time.Duration
}

func (h *histogram) add(d time.Duration) {
	if i := int(d / 100); i >= 0 && i < len(h.counts) {
		h.counts[i]++
		return
	}
	h.over = append(h.over, d)
}

// latencies gathers the goroutines' histograms.
type latencies struct {
	mu  sync.Mutex
	all histogram
}

func (l *latencies) merge(h *histogram) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, c := range h.counts {
		l.all.counts[i] += c
	}
	l.all.over = append(l.all.over, h.over...)
}

// quantile returns the q-quantile, to the bucket's lower bound.
func (l *latencies) quantile(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.all.over)
	for _, c := range l.all.counts {
		n += int(c)
	}
	if n == 0 {
		return 0
	}
	rank := int(float64(n-1) * q)
	for i, c := range l.all.counts {
		if rank < int(c) {
			return time.Duration(i) * 100
		}
		rank -= int(c)
	}
	slices.Sort(l.all.over)
	return l.all.over[rank]
}
