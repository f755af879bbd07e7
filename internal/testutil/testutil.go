// Package testutil holds helpers that the tests of several Parley packages
// share. It is imported only by _test.go files.
package testutil

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/parleyhq/parley"
)

// Events is a [parley.Observer] that records every event it observes. The
// zero value is ready to use, and it is safe for concurrent use.
type Events struct {
	mu sync.Mutex
	es []parley.Event
}

// Observe implements [parley.Observer].
func (e *Events) Observe(_ context.Context, ev parley.Event) {
	e.mu.Lock()
	e.es = append(e.es, ev)
	e.mu.Unlock()
}

// All returns a copy of the events observed so far, in order.
func (e *Events) All() []parley.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]parley.Event(nil), e.es...)
}

// Serve sends r to h and returns the recorded response.
func Serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, r)
	return rr
}
