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
		turn := func(i int) {
			s, err := ss.LoadOrNew(ctx, "c")
			require.NoError(t, err)
			s.MarkSeen(fmt.Sprint(i))
			s.Append(memory.Entry{Role: memory.RoleUser, Text: "A-1001", Channel: "web"})
			if give {
				require.NoError(t, ss.SaveAndRelease(ctx, s))
				return
			}
			require.NoError(t, ss.Save(ctx, s))
			ss.Release(s)
		}
		for i := range 100 {
			turn(-1 - i)
		}
		const n = 500
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := range n {
			turn(i)
		}
		runtime.ReadMemStats(&after)
		rec, err := ss.Store().Get(ctx, memory.SessionKey("c"))
		require.NoError(t, err)
		return float64(after.TotalAlloc-before.TotalAlloc) / n, len(rec.Value)
	}
	small, smallRec := perTurn(2)
	large, largeRec := perTurn(50)
	t.Logf("bytes per turn: %.0f with a window of 2 (record %d B), %.0f with 50 (record %d B)", small, smallRec, large, largeRec)
	require.Less(t, large-small, 1.5*float64(largeRec-smallRec))
}
