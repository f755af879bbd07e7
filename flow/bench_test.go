package flow_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/memory"
)

// benchBot is a Bot running a small form: ask an order number (validated),
// confirm it, ask again. Every turn answers one ask, validates it, says
// something and saves the session.
func benchBot(b *testing.B) *parley.Bot {
	f := flow.New("form").Add(
		&flow.Ask{ID: "order", Slot: "order", Prompt: []string{"Order number?"}, Always: true,
			Validate: func(_ context.Context, v string) (string, error) {
				if !strings.HasPrefix(v, "A-") {
					return "", &flow.InputError{Slot: "order", Message: "Order numbers start with A-."}
				}
				return v, nil
			}, Next: "ok"},
		&flow.Say{ID: "ok", Text: []string{"Got {{slots.order}}."}, Next: "order"},
	).MustCompile()
	e := flow.NewEngine(flow.WithStart("form"), flow.WithMaxVisits(1<<30))
	if err := e.Register(f); err != nil {
		b.Fatal(err)
	}
	return parley.NewBot(e, parley.WithMaxConcurrency(256))
}

var discard = parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })

// BenchmarkTurn measures a full turn (Bot + flow + in-memory sessions)
// over many conversations in parallel. Run with -cpu 1,2.
func BenchmarkTurn(b *testing.B) {
	bot := benchBot(b)
	ctx := context.Background()
	var conv atomic.Int64
	lat := newLatencies()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := fmt.Sprintf("c%d", conv.Add(1))
		n := 0
		var local []time.Duration
		for pb.Next() {
			n++
			t := &parley.Turn{ConversationID: id, MessageID: strconv(n), Message: parley.Text("A-1001")}
			start := time.Now()
			if err := bot.HandleTurn(ctx, discard, t); err != nil {
				b.Error(err)
				return
			}
			local = append(local, time.Since(start))
		}
		lat.add(local)
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "turns/s")
	b.ReportMetric(float64(lat.quantile(0.99).Microseconds()), "p99-µs")
	b.ReportMetric(0, "ns/op") // ns/op is per turn; turns/s says it per second
}

// BenchmarkTurnHistory compares a turn in a fresh conversation with a turn
// in one that already had 1,000 turns: the cost must not grow.
func BenchmarkTurnHistory(b *testing.B) {
	for _, earlier := range []int{1, 1000} {
		b.Run(fmt.Sprintf("earlier=%d", earlier), func(b *testing.B) {
			bot := benchBot(b)
			ctx := context.Background()
			for i := range earlier {
				t := &parley.Turn{ConversationID: "c", MessageID: "warm" + strconv(i), Message: parley.Text("A-1001")}
				if err := bot.HandleTurn(ctx, discard, t); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				t := &parley.Turn{ConversationID: "c", MessageID: strconv(i), Message: parley.Text("A-1001")}
				if err := bot.HandleTurn(ctx, discard, t); err != nil {
					b.Fatal(err)
				}
			}
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
				t := &parley.Turn{ConversationID: "conv-" + strconv(c), MessageID: strconv(i), Message: parley.Text("A-1001")}
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

func benchEngine(b *testing.B) *flow.Engine {
	f := flow.New("form").Add(
		&flow.Ask{ID: "order", Slot: "order", Prompt: []string{"Order number?"}, Always: true, Next: "ok"},
		&flow.Say{ID: "ok", Text: []string{"Got {{slots.order}}."}, Next: "order"},
	).MustCompile()
	e := flow.NewEngine(flow.WithStart("form"), flow.WithMaxVisits(1<<30))
	if err := e.Register(f); err != nil {
		b.Fatal(err)
	}
	return e
}

func strconv(i int) string { return fmt.Sprint(i) }

type latencies struct {
	ch  chan []time.Duration
	all []time.Duration
}

func newLatencies() *latencies { return &latencies{ch: make(chan []time.Duration, 64)} }

func (l *latencies) add(d []time.Duration) { l.ch <- d }

func (l *latencies) quantile(q float64) time.Duration {
	close(l.ch)
	for d := range l.ch {
		l.all = append(l.all, d...)
	}
	if len(l.all) == 0 {
		return 0
	}
	slices.Sort(l.all)
	return l.all[int(float64(len(l.all)-1)*q)]
}
