package testutil

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley"
)

func TestEventsRecordsInOrderAndCopies(t *testing.T) {
	var e Events
	assert.Empty(t, e.All())
	e.Observe(context.Background(), parley.Event{Kind: parley.EventTurn})
	e.Observe(context.Background(), parley.Event{Kind: parley.EventReply})
	got := e.All()
	assert.Equal(t, []parley.EventKind{parley.EventTurn, parley.EventReply}, []parley.EventKind{got[0].Kind, got[1].Kind})
	got[0].Kind = parley.EventReply
	assert.Equal(t, parley.EventTurn, e.All()[0].Kind, "All returns a copy")
}

func TestEventsConcurrent(t *testing.T) {
	var e Events
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { e.Observe(context.Background(), parley.Event{}) })
	}
	wg.Wait()
	assert.Len(t, e.All(), 8)
}
