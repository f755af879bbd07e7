package replicatest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// benchKey keeps the number of turns a benchmark conversation ran.
var benchKey = memory.NewStateKey[int]("bench")

// BenchmarkReplicas runs [Benchmark] for 1 to maxReplicas replicas, each
// time first on one in-memory [memory.Map] shared by the replicas
// (sub-benchmark "store=map/replicas=N") and then on n stores of the
// backend (sub-benchmark "store=<name>/replicas=N"), so that a backend is
// measured against the in-memory store in the same run. newStore is
// called once per sub-benchmark, for a fresh table or key space, and the
// func it returns once per replica, to open a store on that space with
// its own client.
func BenchmarkReplicas(b *testing.B, name string, maxReplicas int, newStore func(b *testing.B) func(b *testing.B) memory.Store) {
	b.Helper()
	for n := 1; n <= maxReplicas; n++ {
		b.Run(fmt.Sprintf("store=map/replicas=%d", n), func(b *testing.B) {
			m := memory.NewMap()
			Benchmark(b, replicas(b, n, func(*testing.B) memory.Store { return m }))
		})
		b.Run(fmt.Sprintf("store=%s/replicas=%d", name, n), func(b *testing.B) {
			Benchmark(b, replicas(b, n, newStore(b)))
		})
	}
}

// replicas returns n stores from open.
func replicas(b *testing.B, n int, open func(*testing.B) memory.Store) []memory.Store {
	stores := make([]memory.Store, n)
	for i := range stores {
		stores[i] = open(b)
	}
	return stores
}

// Benchmark measures turn throughput through one guarded Bot per store in
// stores (each store a replica with its own client on the same backend),
// spreading b.N turns over many conversations from parallel goroutines.
// Besides ns/op it reports turns/s, p50 and p99 latency in microseconds,
// and the bytes of a session record per turn after 20 turns
// (B-stored/turn).
func Benchmark(b *testing.B, stores []memory.Store) {
	b.Helper()
	ctx := context.Background()
	reply := parley.Text("Thanks, noted.")
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		s := t.Session()
		n, _, err := benchKey.Get(s)
		if err != nil {
			return err
		}
		if err := benchKey.Set(s, n+1); err != nil {
			return err
		}
		return w.Reply(ctx, reply)
	})
	guards := make([]*parley.Bot, len(stores))
	for i, st := range stores {
		guards[i] = parley.NewBot(h, parley.WithStore(st), parley.WithMaxConcurrency(256), parley.WithLocker(memory.NewLocker(st), 0))
	}
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })

	var (
		next    atomic.Int64
		mu      sync.Mutex
		latency []time.Duration
	)
	run := b.Name() + fmt.Sprint(time.Now().UnixNano())
	b.SetParallelism(32)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var lat []time.Duration
		for pb.Next() {
			i := next.Add(1)
			// 4,096 conversations; consecutive turns of one conversation
			// are far apart, so lanes rarely contend.
			conv := fmt.Sprintf("%s-c%d", run, i%4096)
			t := &parley.Turn{ConversationID: conv, MessageID: fmt.Sprint("m", i), Message: parley.Text("my order is late")}
			t0 := time.Now()
			if err := guards[int(i)%len(guards)].HandleTurn(ctx, w, t); err != nil {
				b.Error(err)
				return
			}
			lat = append(lat, time.Since(t0))
		}
		mu.Lock()
		latency = append(latency, lat...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(latency) > 0 {
		slices.Sort(latency)
		b.ReportMetric(float64(len(latency))/elapsed.Seconds(), "turns/s")
		b.ReportMetric(float64(latency[len(latency)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(latency[len(latency)*99/100].Microseconds()), "p99-µs")
	}
	// Bytes stored per turn: one conversation of 20 turns.
	probe := run + "-probe"
	for k := range 20 {
		t := &parley.Turn{ConversationID: probe, MessageID: fmt.Sprint("p", k), Message: parley.Text("my order is late")}
		if err := guards[0].HandleTurn(ctx, w, t); err != nil {
			b.Fatal(err)
		}
	}
	rec, err := stores[0].Get(ctx, memory.SessionKey(probe))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(rec.Value))/20, "B-stored/turn")
}
