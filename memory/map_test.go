package memory_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/memorytest"
)

func TestMapConformance(t *testing.T) {
	memorytest.Run(t, func(t *testing.T) memory.Store { return memory.NewMap() },
		memorytest.WithExpiryWait(20*time.Millisecond, 30*time.Second))
}
