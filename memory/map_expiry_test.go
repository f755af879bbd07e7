package memory

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// stored counts the records a Map holds, expired or not.
func (m *Map) stored() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}

// TestMapReclaimsExpiredRecords: expired records are dropped by later
// writes, a few at a time, so a store whose records expire does not keep
// them all.
func TestMapReclaimsExpiredRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		m := NewMap()
		for i := range 4000 {
			_, err := m.Set(ctx, Put{Key: "claim/" + strconv.Itoa(i), Value: []byte("x"), TTL: time.Minute})
			require.NoError(t, err)
		}
		time.Sleep(2 * time.Minute)
		require.Zero(t, m.Len(), "expired records are invisible at once")
		require.Equal(t, 4000, m.stored())

		for i := range 4000 {
			_, err := m.Set(ctx, Put{Key: "session/" + strconv.Itoa(i), Value: []byte("x")})
			require.NoError(t, err)
		}
		require.Equal(t, 4000, m.Len())
		require.Less(t, m.stored()-m.Len(), 4000/3, "most expired records are gone")
	})
}

// TestMapSlotSize: a slot is allocated in the 64-byte size class (one
// cache line), so that the slots of two conversations never share a line.
func TestMapSlotSize(t *testing.T) {
	size := reflect.TypeFor[mapSlot]().Size()
	require.Greater(t, size, uintptr(48))
	require.LessOrEqual(t, size, uintptr(64))
}
