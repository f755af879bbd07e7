package analytics_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/internal/benchform"
	"github.com/parleyhq/parley/internal/benchrun"
	"github.com/parleyhq/parley/sentiment"
)

// formBot is flow.BenchmarkTurn's bot (benchform's form, which asks an
// order number, validates it and says it back), with obs as its observer
// if not nil.
func formBot(b *testing.B, obs parley.Observer) *parley.Bot {
	r, err := benchform.Router(benchform.Flow())
	if err != nil {
		b.Fatal(err)
	}
	opts := []parley.Option{parley.WithMaxConcurrency(256)}
	if obs != nil {
		opts = append(opts, parley.WithObserver(obs))
	}
	return parley.NewBot(r, opts...)
}

// BenchmarkTurn measures one conversation's turns on one goroutine,
// with an observer that only counts the events (the baseline), with a Recorder whose sink discards (the cost on
// the turn's goroutine), and with a Recorder feeding an Aggregator (its
// goroutine shares the cores). Compare ns/op of the three in one run.
func BenchmarkTurn(b *testing.B) {
	discard := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	run := func(b *testing.B, obs parley.Observer) {
		var events atomic.Int64
		counted := parley.ObserverFunc(func(ctx context.Context, e parley.Event) {
			events.Add(1)
			if obs != nil {
				obs.Observe(ctx, e)
			}
		})
		bot := formBot(b, counted)
		ctx := context.Background()
		t := &parley.Turn{ConversationID: "c1", Message: parley.Text("A-1001")}
		n := 0
		b.ReportAllocs()
		cpu0, cpuOK := benchrun.ProcessCPU()
		for b.Loop() {
			n++
			t.MessageID = strconv.Itoa(n)
			if err := bot.HandleTurn(ctx, discard, t); err != nil {
				b.Fatal(err)
			}
		}
		if cpu1, ok := benchrun.ProcessCPU(); ok && cpuOK {
			b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/turn")
		}
		b.ReportMetric(float64(events.Load())/float64(b.N), "events/turn")
	}
	b.Run("observer=none", func(b *testing.B) { run(b, nil) })
	// recorded runs turns observed by a Recorder over sink, then closes it
	// and reports the events it dropped.
	recorded := func(sink analytics.Sink) func(*testing.B) {
		return func(b *testing.B) {
			rec := analytics.NewRecorder(sink, analytics.WithBuffer(1<<16))
			run(b, rec)
			b.StopTimer()
			if err := rec.Close(context.Background()); err != nil {
				b.Fatal(err)
			}
			if d := rec.Stats()[0].Dropped; d > 0 {
				b.ReportMetric(float64(d), "dropped")
			}
		}
	}
	b.Run("observer=recorder-discard", recorded(analytics.SinkFunc(func(context.Context, []analytics.Event) error { return nil })))
	b.Run("observer=recorder-aggregator", recorded(analytics.NewAggregator()))
}

// BenchmarkObserve measures Recorder.Observe, the work a turn's
// goroutine does per event, with the events of one turn of formBot
// (turn, flow.node, reply, ...) cycling; the sink discards.
func BenchmarkObserve(b *testing.B) {
	rec := analytics.NewRecorder(analytics.SinkFunc(func(context.Context, []analytics.Event) error { return nil }),
		analytics.WithBuffer(1<<16))
	ctx := context.Background()
	e := parley.Event{Kind: flow.EventNode, Time: t0, ConversationID: "c1", Channel: "web", MessageID: "m1",
		Attrs: map[string]string{"flow": "form", "version": "", "node": "order"}}
	b.ReportAllocs()
	for b.Loop() {
		rec.Observe(ctx, e)
	}
	b.StopTimer()
	if err := rec.Close(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(rec.Stats()[0].Dropped), "dropped")
}

// synthetic returns n conversations' events, 8 per conversation, of a
// typical mix (turns, classification, a flow, sentiment, feedback), over
// six days from t0 (all in t0's week).
func synthetic(n int) []analytics.Event {
	intents := []string{"track_order", "refund", "cancel", "address", "faq"}
	statuses := []string{"resolved", "resolved", "resolved", "unresolved", "escalated", "abandoned"}
	events := make([]analytics.Event, 0, 8*n)
	for i := range n {
		conv := "conv-" + strconv.Itoa(i)
		at := t0.Add(time.Duration(i) * (6 * 24 * time.Hour / time.Duration(n)))
		e := func(k parley.EventKind, sec int, attrs map[string]string) {
			events = append(events, analytics.Event{Kind: k, Conversation: conv, Channel: "web",
				Time: at.Add(time.Duration(sec) * time.Second), Attrs: attrs})
		}
		in := intents[i%len(intents)]
		events = append(events, analytics.Event{Kind: parley.EventTurn, Conversation: conv, Channel: "web", Time: at,
			Duration: time.Duration(100+i%900) * time.Millisecond})
		e(intent.EventClassified, 0, map[string]string{"intent": in, "status": "understood", "confidence": "0.870"})
		e(flow.EventStart, 0, map[string]string{"flow": in})
		e(flow.EventNode, 1, map[string]string{"flow": in, "node": "ask"})
		e(sentiment.EventScored, 1, map[string]string{"label": "neutral", "score": "0.550"})
		events = append(events, analytics.Event{Kind: parley.EventTurn, Conversation: conv, Channel: "web", Time: at.Add(20 * time.Second),
			Duration: 300 * time.Millisecond})
		e(flow.EventEnd, 21, map[string]string{"flow": in, "status": statuses[i%len(statuses)]})
		e(flow.EventFeedback, 22, map[string]string{"kind": "rating", "value": strconv.Itoa(1 + i%5)})
	}
	return events
}

// BenchmarkIngest measures the Aggregator folding 1,000,000 events
// (125,000 conversations) on one goroutine, batches of 256 as the
// Recorder passes them.
func BenchmarkIngest(b *testing.B) {
	events := synthetic(125_000)
	cpu0, cpuOK := benchrun.ProcessCPU()
	for b.Loop() {
		a := analytics.NewAggregator()
		for i := 0; i < len(events); i += 256 {
			if err := a.Write(context.Background(), events[i:min(i+256, len(events))]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(events))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if cpu1, ok := benchrun.ProcessCPU(); ok && cpuOK {
		// Process CPU time (GC included): what one core does, however
		// busy the machine is.
		b.ReportMetric(float64(len(events))*float64(b.N)/(float64(cpu1-cpu0)/1e9), "events/cpu-s")
	}
}

// BenchmarkKPIs measures KPI queries over 1,000,000 conversations.
func BenchmarkKPIs(b *testing.B) {
	a := analytics.NewAggregator()
	events := synthetic(1_000_000)
	for i := 0; i < len(events); i += 4096 {
		if err := a.Write(context.Background(), events[i:min(i+4096, len(events))]); err != nil {
			b.Fatal(err)
		}
	}
	events = nil
	week := analytics.Week(t0)
	query := func(name string, f func()) {
		b.Run(name, func(b *testing.B) {
			cpu0, cpuOK := benchrun.ProcessCPU()
			for b.Loop() {
				f()
			}
			if cpu1, ok := benchrun.ProcessCPU(); ok && cpuOK {
				// Process CPU time per query: the figure a busy machine
				// does not inflate.
				b.ReportMetric(float64(cpu1-cpu0)/1e6/float64(b.N), "cpu-ms/op")
			}
		})
	}
	query("KPIs", func() {
		if k := a.KPIs(week); k.Conversations != 1_000_000 {
			b.Fatal(k.Conversations)
		}
	})
	query("TopFailingIntents", func() { a.TopFailingIntents(week, 10) })
	query("DropOff", func() { a.DropOff(week, "refund") })
	query("SentimentTrend", func() { a.SentimentTrend(week, 24*time.Hour) })
	query("Live", func() { a.Live(t0.Add(3 * 24 * time.Hour)) })
}
