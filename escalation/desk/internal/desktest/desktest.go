// Package desktest holds what the desks' tests share: a Deliverer that
// records the lifecycle turns, the fake help-desk APIs' authentication
// and throttling, and the conformance run against a fake.
package desktest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/escalationtest"
)

// Recorder is an escalation.Deliverer that keeps the turns it is given.
type Recorder struct {
	mu    sync.Mutex
	turns []*parley.Turn
}

// Deliver records t.
func (r *Recorder) Deliver(_ context.Context, t *parley.Turn) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.turns = append(r.turns, t)
	return nil
}

// Turns returns the turns delivered so far, oldest first.
func (r *Recorder) Turns() []*parley.Turn {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*parley.Turn(nil), r.turns...)
}

// Signals returns "name agent text" of each delivered turn's signal.
func (r *Recorder) Signals() []string {
	var out []string
	for _, t := range r.Turns() {
		out = append(out, t.Signal.Name+" "+t.Signal.Data[escalation.DataAgent]+" "+t.Signal.Data[escalation.DataText])
	}
	return out
}

// API is what every fake help-desk API shares: the lock over its state,
// the credentials it accepts, throttling and failures on demand, and the
// requests it was sent. Embed it and call [API.Gate] first in ServeHTTP.
type API struct {
	sync.Mutex
	// User and Pass are the basic-auth credentials accepted; other
	// requests get 401 with body Unauthorized.
	User, Pass, Unauthorized string
	// Throttle answers this many requests with 429 and Retry-After 0,
	// then Fail this many with 503, counting down.
	Throttle, Fail int
	// Requests counts the requests; Calls holds "METHOD path?query" of
	// each that passed the gate, in order.
	Requests int
	Calls    []string
}

// Gate is what a fake answers before its routes, with the lock held: 401
// without the credentials, 429 while throttling, 503 while failing. It
// reports whether the request may go on (then the answer is JSON).
func (a *API) Gate(w http.ResponseWriter, r *http.Request) bool {
	a.Requests++
	if u, p, ok := r.BasicAuth(); !ok || u != a.User || p != a.Pass {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, a.Unauthorized)
		return false
	}
	switch {
	case a.Throttle > 0:
		a.Throttle--
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		return false
	case a.Fail > 0:
		a.Fail--
		w.Header().Set("Retry-After", "0")
		http.Error(w, "upstream failure", http.StatusServiceUnavailable)
		return false
	}
	a.Calls = append(a.Calls, r.Method+" "+r.URL.RequestURI())
	w.Header().Set("Content-Type", "application/json")
	return true
}

// Log returns a copy of Calls whose method is one of methods (all when
// none is given).
func (a *API) Log(methods ...string) []string {
	a.Lock()
	defer a.Unlock()
	var out []string
	for _, c := range a.Calls {
		if m, _, _ := strings.Cut(c, " "); len(methods) == 0 || slices.Contains(methods, m) {
			out = append(out, c)
		}
	}
	return out
}

// Serve starts a test server for h, closed when t ends.
func Serve(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// Conformance runs escalationtest's suite on the desks newDesk makes;
// counts reports, for a hand-off ID, the tickets at the fake, the public
// messages on them and whether the newest is open.
func Conformance(t *testing.T, newDesk func(t *testing.T) (escalation.Desk, func(id string) (tickets, public int, open bool))) {
	escalationtest.Run(t, func(t *testing.T) escalationtest.Fixture {
		d, counts := newDesk(t)
		return escalationtest.Fixture{
			Desk:    d,
			Tickets: func(id string) (int, int) { n, m, _ := counts(id); return n, m },
			Open:    func(id string) bool { _, _, open := counts(id); return open },
		}
	})
}
