//go:build !race

// The race detector's sync.Pool drops a random part of what is put in it,
// so allocations are counted only without it.

package memory_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
)

// TestSessionsTurnAllocationsIndependentOfHistory: a turn (load, append,
// save, release) over a history window of 50 entries allocates more than
// one over a window of 2 only for its longer record: the copies a load
// hands out reuse released memory.
func TestSessionsTurnAllocationsIndependentOfHistory(t *testing.T) {
	t.Run("Save, Release", func(t *testing.T) { testTurnAllocations(t, false) })
	t.Run("SaveAndRelease", func(t *testing.T) { testTurnAllocations(t, true) })
}

func testTurnAllocations(t *testing.T, give bool) {
	ctx := context.Background()
	// perTurn returns the bytes allocated per turn and the record's size.
	perTurn := func(window int) (float64, int) {
		ss := memory.NewSessions(memory.NewMap(), memory.WithHistoryWindow(window))
		return allocsPerTurn(t, ss, func(s *memory.Session) {
			s.Append(memory.Entry{Role: memory.RoleUser, Text: "A-1001", Channel: "web"})
			if give {
				require.NoError(t, ss.SaveAndRelease(ctx, s))
				return
			}
			require.NoError(t, ss.Save(ctx, s))
			ss.Release(s)
		})
	}
	small, smallRec := perTurn(2)
	large, largeRec := perTurn(50)
	t.Logf("bytes per turn: %.0f with a window of 2 (record %d B), %.0f with 50 (record %d B)", small, smallRec, large, largeRec)
	require.Less(t, large-small, 1.5*float64(largeRec-smallRec))
}

// allocsPerTurn runs turns of conversation "c" in ss, each loading the
// session, marking a new message seen and handing it to turn, which adds
// to it and saves it: 100 to warm up, then 500 measured. It returns the
// bytes allocated per measured turn and the size of the record saved
// last.
func allocsPerTurn(t *testing.T, ss *memory.Sessions, turn func(*memory.Session)) (float64, int) {
	ctx := context.Background()
	run := func(i int) {
		s, err := ss.LoadOrNew(ctx, "c")
		require.NoError(t, err)
		s.MarkSeen(fmt.Sprint(i))
		turn(s)
	}
	for i := range 100 {
		run(-1 - i)
	}
	const n = 500
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range n {
		run(i)
	}
	runtime.ReadMemStats(&after)
	rec, err := ss.Store().Get(ctx, memory.SessionKey("c"))
	require.NoError(t, err)
	return float64(after.TotalAlloc-before.TotalAlloc) / n, len(rec.Value)
}

// TestSessionsReuseRecordBuffers: over a Map, a turn that loads a cached
// session and saves it encodes its record into the buffer of the record
// the Map replaced, so it allocates far less than the record's size.
func TestSessionsReuseRecordBuffers(t *testing.T) {
	ctx := context.Background()
	ss := memory.NewSessions(memory.NewMap())
	perTurn, size := allocsPerTurn(t, ss, func(s *memory.Session) {
		s.Append(memory.Entry{Role: memory.RoleUser, Text: "Where is my order A-1001?", Channel: "web"})
		s.Append(memory.Entry{Role: memory.RoleBot, Text: "It left the warehouse yesterday.", Channel: "web"})
		require.NoError(t, ss.SaveAndRelease(ctx, s))
	})
	t.Logf("%.0f bytes per turn, record %d bytes", perTurn, size)
	require.Less(t, perTurn, float64(size)/2)
}
