package testutil

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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

func TestServe(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, r.URL.Path)
	})
	rr := Serve(h, httptest.NewRequest(http.MethodGet, "/brew", nil))
	assert.Equal(t, http.StatusTeapot, rr.Code)
	assert.Equal(t, "/brew", rr.Body.String())
}

func TestFailure(t *testing.T) {
	after := false
	msg := Failure(t, func(tb testing.TB) {
		tb.Errorf("first %d", 1)
		tb.Fatalf("second")
		after = true
	})
	assert.Equal(t, "first 1", msg)
	assert.False(t, after, "Fatalf ends the goroutine")
}
