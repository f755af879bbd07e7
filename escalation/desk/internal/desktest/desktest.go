// Package desktest holds what the desks' tests share: a Deliverer that
// records the lifecycle turns, the fake help-desk APIs' authentication
// and throttling, and the conformance run against a fake.
package desktest

import (
	"context"
	"fmt"
	"net/http"
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

// Gate is what a fake help-desk API answers before its routes: 401 with
// body unauthorized unless the request has basic auth user and pass,
// then 429 with Retry-After 0 while *throttle is above zero (counting it
// down). It reports whether the request may go on.
func Gate(w http.ResponseWriter, r *http.Request, user, pass, unauthorized string, throttle *int) bool {
	if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, unauthorized)
		return false
	}
	if *throttle > 0 {
		*throttle--
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	return true
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
