// Package benchrun holds what the benchmarks of several packages share:
// the process's CPU time, and the loop that measures a turn in
// conversations with 1 or 1,000 earlier turns.
package benchrun

import "testing"

// History measures turn in convs conversations that each had earlier
// turns first, so that a benchmark can show a turn costs the same after
// 1 earlier turn as after 1,000. turn(conv, msg) runs one turn of
// conversation conv with message number msg (earlier turns are numbered
// -1, -2, ...); forget(conv) deletes the conversation. The timed loop
// cycles over the conversations; with earlier == 1 each conversation is
// measured once, on its second turn, after which fresh ones are prepared
// (untimed) in its place. History reports allocations and, where the
// process CPU time is known, "cpu-ns/op", which counts the preparing of
// fresh conversations too: compare ns/op, or run with -cpu 1 on an idle
// machine.
func History(b *testing.B, convs, earlier int, turn func(conv, msg int), forget func(conv int)) {
	b.Helper()
	// prepare gives conversations base..base+convs-1 their earlier turns.
	prepare := func(base int) {
		for c := range convs {
			for i := range earlier {
				turn(base+c, -1-i)
			}
		}
	}
	base := 0
	prepare(base)
	b.ReportAllocs()
	cpu0, cpuOK := ProcessCPU()
	b.ResetTimer()
	for i := range b.N {
		c := i % convs
		if c == 0 && i > 0 && earlier == 1 {
			b.StopTimer()
			for c := range convs {
				forget(base + c)
			}
			base += convs
			prepare(base)
			b.StartTimer()
		}
		turn(base+c, i)
	}
	if cpu1, ok := ProcessCPU(); ok && cpuOK {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
}
