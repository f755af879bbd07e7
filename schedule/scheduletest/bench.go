package scheduletest

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/benchrun"
	"github.com/parleyhq/parley/schedule"
)

// BenchConfig configures [Bench]. The zero value schedules 100,000 jobs
// in batches of 1,000 and dispatches them with 64 workers.
type BenchConfig struct {
	Jobs    int // default 100,000
	Batch   int // jobs per Schedule call (default 1,000)
	Workers int // schedule.WithWorkers (default 64)
}

// Bench measures a store under a [schedule.Scheduler]: it schedules
// cfg.Jobs jobs, all due, then runs one scheduler with a handler that
// does nothing until every job fired, and reports "enqueue/s" (jobs
// scheduled per second), "dispatch/s" (jobs fired and recorded per
// second), "B/job" (heap growth per scheduled job: meaningful for
// stores that live in the process) and, where the OS tells, the process
// CPU time per job of each phase ("enq-cpu-ns/job", "disp-cpu-ns/job"):
// on a loaded machine the rates measure the load, the CPU time the code.
// newStore must return an empty store.
// Run it with -benchtime=1x: each iteration is the whole run.
func Bench(b *testing.B, newStore func(b *testing.B) schedule.Store, cfg BenchConfig) {
	if cfg.Jobs <= 0 {
		cfg.Jobs = 100_000
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 64
	}
	ctx := context.Background()
	var enq, disp time.Duration
	var heap float64
	var enqCPU, dispCPU int64
	cpuKnown := true
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := newStore(b)
		var fired atomic.Int64
		done := make(chan struct{})
		s := schedule.New(st, schedule.WithWorkers(cfg.Workers))
		s.Handle("bench", schedule.HandlerFunc(func(context.Context, *schedule.Job) error {
			if fired.Add(1) == int64(cfg.Jobs) {
				close(done)
			}
			return nil
		}))
		due := time.Now().Add(-time.Hour)
		jobs := make([]schedule.Job, cfg.Batch)
		payload := []byte(`{"campaign":"cart","step":1}`)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		start := time.Now()
		c0, ok0 := benchrun.ProcessCPU()
		for n := 0; n < cfg.Jobs; n += cfg.Batch {
			m := min(cfg.Batch, cfg.Jobs-n)
			for k := range m {
				id := n + k
				jobs[k] = schedule.Job{ID: fmt.Sprintf("bench/%08d", id), Kind: "bench", Key: fmt.Sprintf("cust-%d", id%5000),
					Due: due.Add(time.Duration(id) * time.Microsecond), Payload: payload}
			}
			if err := s.Schedule(ctx, jobs[:m]...); err != nil {
				b.Fatal(err)
			}
		}
		enq += time.Since(start)
		c1, ok1 := benchrun.ProcessCPU()
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap += float64(after.HeapAlloc) - float64(before.HeapAlloc)
		b.StartTimer()
		runCtx, cancel := context.WithCancel(ctx)
		errc := make(chan error, 1)
		start = time.Now()
		c2, ok2 := benchrun.ProcessCPU()
		go func() { errc <- s.Run(runCtx) }()
		<-done
		disp += time.Since(start)
		c3, ok3 := benchrun.ProcessCPU()
		cpuKnown = cpuKnown && ok0 && ok1 && ok2 && ok3
		enqCPU += c1 - c0
		dispCPU += c3 - c2
		cancel()
		<-errc
	}
	total := float64(b.N * cfg.Jobs)
	b.ReportMetric(total/enq.Seconds(), "enqueue/s")
	b.ReportMetric(total/disp.Seconds(), "dispatch/s")
	b.ReportMetric(heap/total, "B/job")
	if cpuKnown {
		b.ReportMetric(float64(enqCPU)/total, "enq-cpu-ns/job")
		b.ReportMetric(float64(dispCPU)/total, "disp-cpu-ns/job")
	}
	b.ReportMetric(0, "ns/op")
}
