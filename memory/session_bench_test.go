package memory_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley/memory"
)

// BenchmarkSessionsTurn is the session part of a turn: load, append the
// inbound message and two replies, replace a package's state, save. A
// turn in a conversation with 1 earlier turn should cost what one with
// 1,000 earlier turns costs: the history window bounds what is copied and
// encoded. Both cycle over the same 64 conversations.
func BenchmarkSessionsTurn(b *testing.B) {
	const convs = 64
	state := json.RawMessage(`{"flow":"form","version":"1","node":"order","waiting":true,"slots":{"order":"A-1001"}}`)
	for _, earlier := range []int{1, 1000} {
		b.Run("earlier="+strconv.Itoa(earlier), func(b *testing.B) {
			ctx := context.Background()
			ss := memory.NewSessions(memory.NewMap())
			turn := func(conv, msg int) {
				s, err := ss.LoadOrNew(ctx, "c"+strconv.Itoa(conv))
				if err != nil {
					b.Fatal(err)
				}
				id := strconv.Itoa(msg)
				now := time.Now()
				s.Turns++
				s.MarkSeen(id)
				s.Append(memory.Entry{Role: memory.RoleUser, Text: "A-1001", Time: now, MessageID: id, Channel: "web"})
				s.Append(memory.Entry{Role: memory.RoleBot, Text: "Got A-1001.", Time: now, Channel: "web"})
				s.Append(memory.Entry{Role: memory.RoleBot, Text: "Order number?", Time: now, Channel: "web"})
				if s.State == nil {
					s.State = map[string]json.RawMessage{}
				}
				s.State["flow"] = state
				if err := ss.Save(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
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
			cpu0, cpuOK := processCPU()
			b.ResetTimer()
			for i := range b.N {
				c := i % convs
				if c == 0 && i > 0 && earlier == 1 {
					b.StopTimer()
					for c := range convs {
						if err := ss.Delete(ctx, "c"+strconv.Itoa(base+c)); err != nil {
							b.Fatal(err)
						}
					}
					base += convs
					prepare(base)
					b.StartTimer()
				}
				turn(base+c, i)
			}
			// Preparing fresh conversations (earlier=1) counts too: compare
			// ns/op, or run with -cpu 1 on an idle machine.
			if cpu1, ok := processCPU(); ok && cpuOK {
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
