package memory_test

import (
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/memorytest"
)

func TestMapConformance(t *testing.T) {
	memorytest.Run(t, func(t *testing.T) memory.Store { return memory.NewMap() },
		memorytest.WithExpiryWait(20*time.Millisecond, 30*time.Second))
}

// fakeClock is a clock that tests move forward by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(_ *testing.T, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestMapConformanceFakeClock(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	memorytest.Run(t, func(t *testing.T) memory.Store { return memory.NewMap(memory.WithMapClock(clock.Now)) },
		memorytest.WithAdvance(clock.Advance))
}
