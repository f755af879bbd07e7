package memory_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/benchrun"
	"github.com/parleyhq/parley/memory"
)

// BenchmarkSessionsTurn is the session part of a turn: load, append the
// inbound message and two replies, replace a package's state, save. A
// turn in a conversation with 1 earlier turn should cost what one with
// 1,000 earlier turns costs: the history window bounds what is copied and
// encoded. Both cycle over the same 64 conversations (see
// [benchrun.History]).
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
			benchrun.History(b, convs, earlier, turn, func(conv int) {
				if err := ss.Delete(ctx, "c"+strconv.Itoa(conv)); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
