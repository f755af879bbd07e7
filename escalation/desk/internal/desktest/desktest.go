// Package desktest holds what the vendor desks' tests share: a Deliverer
// that records the lifecycle turns, the fake help-desk APIs' common part
// ([API]: authentication, throttling, failures, the request log) and
// [Run], the checks every vendor desk passes against its fake.
package desktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk/internal/rest"
	"github.com/parleyhq/parley/escalation/escalationtest"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/privacy"
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

// Post sends body to the webhook handler h with the header's key-value
// pairs and returns the status it answers.
func Post(h http.Handler, body string, header ...string) int {
	req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}

// Handoff is an urgent hand-off of Ada's (name and e-mail in the profile)
// with one line of transcript at 09:00 UTC, for the tests of what a
// ticket carries.
func Handoff() escalation.Ticket {
	return escalation.Ticket{ID: "h1", ConversationID: "c1", Reason: "asked for a person", Priority: dialog.PriorityUrgent,
		Summary: "Ada wants: refund <now>", Profile: map[string]string{"name": "Ada", "email": "ada@example.com"},
		Transcript: []memory.Entry{{Role: "user", Text: "my order arrived broken", Time: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}}}
}

// Serve starts a test server for h, closed when t ends.
func Serve(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// Erasable is a vendor desk: an escalation.Desk that is also a
// privacy.Source for the tickets it keeps at the vendor.
type Erasable interface {
	escalation.Desk
	privacy.Source
}

// Fake is a vendor desk over its fake API, as the vendor's tests make it.
type Fake struct {
	Desk Erasable
	API  *API
	// Counts reports, for a hand-off ID, the tickets at the fake, the
	// public messages on them and whether the newest is open.
	Counts func(id string) (tickets, public int, open bool)
}

// Run runs the checks every vendor desk must pass on the desks newDesk
// makes: escalationtest's suite, 429 answers retried (two, then the
// lookup and the create: four requests) and exhausted (three tries), and
// erasure: an unknown customer erases nothing, an outage fails with an
// error naming the vendor and the erasure finishes when run again, after
// which the customer's hand-offs are gone and another customer's stay.
func Run(t *testing.T, vendor string, newDesk func(t *testing.T) Fake) {
	t.Run("conformance", func(t *testing.T) {
		escalationtest.Run(t, func(t *testing.T) escalationtest.Fixture {
			f := newDesk(t)
			return escalationtest.Fixture{
				Desk:    f.Desk,
				Tickets: func(id string) (int, int) { n, m, _ := f.Counts(id); return n, m },
				Open:    func(id string) bool { _, _, open := f.Counts(id); return open },
			}
		})
	})
	ctx := context.Background()
	t.Run("rate limit", func(t *testing.T) {
		f := newDesk(t)
		f.set(func(a *API) { a.Throttle = 2 })
		must(t, f.Desk.Submit(ctx, escalation.Ticket{ID: "h1", ConversationID: "c1"}))
		if n, _, _ := f.Counts("h1"); n != 1 || f.requests() != 4 {
			t.Fatalf("after two 429s: %d tickets in %d requests, want 1 in 4 (the 429s, the lookup, the create)", n, f.requests())
		}
		f.set(func(a *API) { a.Throttle, a.Requests = 10, 0 })
		err := f.Desk.Submit(ctx, escalation.Ticket{ID: "h2", ConversationID: "c2"})
		if !errors.Is(err, escalation.ErrDeskUnavailable) || f.requests() != 3 {
			t.Fatalf("throttled for good: %v after %d requests, want ErrDeskUnavailable after 3 tries", err, f.requests())
		}
	})
	empty := `{"requesters":[],"tickets":[]}`
	t.Run("erase unknown customer", func(t *testing.T) {
		f := newDesk(t)
		SubmitCustomers(t, f.Desk)
		must(t, f.Desk.Erase(ctx, "cus_nobody"))
		if got := f.API.Log(http.MethodDelete); len(got) > 0 {
			t.Fatalf("erasing an unknown customer deleted %q", got)
		}
		if got := export(t, f.Desk, "cus_nobody"); got != empty {
			t.Fatalf("export of an unknown customer = %s, want %s", got, empty)
		}
	})
	t.Run("erase after an outage", func(t *testing.T) {
		f := newDesk(t)
		SubmitCustomers(t, f.Desk)
		if got := export(t, f.Desk, "cus_ada"); !strings.Contains(got, "4111 1111 1111 1111") {
			t.Fatalf("export misses the relayed message: %s", got)
		}
		f.set(func(a *API) { a.Fail = 3 })
		err := f.Desk.Erase(ctx, "cus_ada")
		if !errors.Is(err, escalation.ErrDeskUnavailable) || !strings.Contains(fmt.Sprint(err), vendor+": erase cus_ada") ||
			!strings.Contains(fmt.Sprint(err), "503") || len(f.API.Log(http.MethodDelete)) > 0 {
			t.Fatalf("erase in an outage: %v, deleted %q; want ErrDeskUnavailable naming %s, the customer and 503, nothing deleted",
				err, f.API.Log(http.MethodDelete), vendor)
		}
		f.set(func(a *API) { a.Throttle = 2 })
		must(t, f.Desk.Erase(ctx, "cus_ada"))
		deleted := len(f.API.Log(http.MethodDelete))
		must(t, f.Desk.Erase(ctx, "cus_ada"))
		if deleted == 0 || len(f.API.Log(http.MethodDelete)) != deleted {
			t.Fatalf("erase deleted %d records, then %d more when run again; want some, then none",
				deleted, len(f.API.Log(http.MethodDelete))-deleted)
		}
		if got := export(t, f.Desk, "cus_ada"); got != empty {
			t.Fatalf("export after erasure = %s, want %s", got, empty)
		}
		if err := f.Desk.Relay(ctx, "h1", parley.Text("hello?")); !errors.Is(err, escalation.ErrUnknownTicket) {
			t.Fatalf("relay to an erased hand-off: %v, want ErrUnknownTicket", err)
		}
		must(t, f.Desk.Relay(ctx, "h3", parley.Text("still here"))) // another customer's hand-off stays
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f Fake) set(change func(*API)) {
	f.API.Lock()
	defer f.API.Unlock()
	change(f.API)
}

func (f Fake) requests() int {
	f.API.Lock()
	defer f.API.Unlock()
	return f.API.Requests
}

func export(t *testing.T, d Erasable, customerID string) string {
	t.Helper()
	x, err := d.Export(context.Background(), customerID)
	must(t, err)
	b, err := json.Marshal(x)
	must(t, err)
	return string(b)
}

// ExportOf returns the export of customerID after [SubmitCustomers]: it
// fails the test unless it is an export of one requester (whose type is
// P) and the customer's two tickets, oldest first.
func ExportOf[P any](t *testing.T, d Erasable, customerID string) rest.Export[P] {
	t.Helper()
	got, err := d.Export(context.Background(), customerID)
	must(t, err)
	x, ok := got.(rest.Export[P])
	if !ok || len(x.Requesters) != 1 || len(x.Tickets) != 2 || x.Tickets[0].ID > x.Tickets[1].ID {
		t.Fatalf("export of %s = %+v, want one requester and two tickets, oldest first", customerID, got)
	}
	return x
}

// SubmitCustomers submits hand-offs h1 and h2 of customer cus_ada (Ada,
// ada@example.com), with a relayed message on h1, and h3 of cus_bob
// (phone only).
func SubmitCustomers(t *testing.T, d escalation.Desk) {
	ctx := context.Background()
	ada := map[string]string{"name": "Ada", "email": "ada@example.com"}
	must(t, d.Submit(ctx, escalation.Ticket{ID: "h1", ConversationID: "c1", CustomerID: "cus_ada", Reason: "refund", Profile: ada}))
	must(t, d.Relay(ctx, "h1", parley.Text("my card is 4111 1111 1111 1111")))
	must(t, d.Submit(ctx, escalation.Ticket{ID: "h2", ConversationID: "c2", CustomerID: "cus_ada", Reason: "late", Profile: ada}))
	must(t, d.Submit(ctx, escalation.Ticket{ID: "h3", ConversationID: "c3", CustomerID: "cus_bob", Reason: "other", Phone: "+15550100"}))
}
