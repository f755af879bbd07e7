package escalationtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/escalation/escalationtest"
	"github.com/parleyhq/parley/escalation/notify"
)

// TestMemoryDesk runs the test ExampleRun shows.
func TestMemoryDesk(t *testing.T) { testDesk(t) }

// receiver is a help-desk that honours idempotency keys.
type receiver struct {
	mu       sync.Mutex
	seen     map[string]bool
	tickets  map[string]int
	messages map[string]int
	closed   map[string]bool
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if err := notify.Verify([]byte("0123456789abcdef"), req.Header, body, time.Now(), 1<<62); err != nil {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev notify.WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	key := req.Header.Get(notify.HeaderIdempotencyKey)
	if r.seen[key] {
		w.WriteHeader(http.StatusOK)
		return
	}
	switch ev.Type {
	case "ticket":
		r.tickets[ev.Ticket.ID]++
	case "message":
		if _, ok := r.tickets[ev.TicketID]; !ok {
			http.NotFound(w, req)
			return
		}
		if r.closed[ev.TicketID] {
			http.Error(w, "closed", http.StatusGone)
			return
		}
		r.messages[ev.TicketID]++
	case "cancel":
		if _, ok := r.tickets[ev.TicketID]; !ok {
			http.NotFound(w, req)
			return
		}
		r.closed[ev.TicketID] = true
	}
	r.seen[key] = true
	w.WriteHeader(http.StatusOK)
}

func TestWebhookDesk(t *testing.T) {
	escalationtest.Run(t, func(t *testing.T) escalationtest.Fixture {
		r := &receiver{seen: map[string]bool{}, tickets: map[string]int{}, messages: map[string]int{}, closed: map[string]bool{}}
		srv := httptest.NewServer(r)
		t.Cleanup(srv.Close)
		d, err := notify.NewWebhook(notify.WebhookConfig{URL: srv.URL, Secret: []byte("0123456789abcdef"), Client: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		return escalationtest.Fixture{
			Desk: d,
			Tickets: func(id string) (int, int) {
				r.mu.Lock()
				defer r.mu.Unlock()
				return r.tickets[id], r.messages[id]
			},
			Open: func(id string) bool {
				r.mu.Lock()
				defer r.mu.Unlock()
				return !r.closed[id]
			},
		}
	})
}
