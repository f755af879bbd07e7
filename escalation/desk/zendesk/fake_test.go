package zendesk

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/parleyhq/parley/escalation/desk/internal/desktest"
)

// fakeZendesk speaks the parts of the Tickets API the desk uses, shaped
// after https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/:
// basic auth "{email}/token:{token}", {"ticket": {...}} bodies, list
// pages with next_page, 422 on updating a closed ticket, and 429 with
// Retry-After when throttle is set.
type fakeZendesk struct {
	mu       sync.Mutex
	url      string
	next     int64
	tickets  map[int64]map[string]any
	comments map[int64][]map[string]any
	throttle int // answer this many requests with 429 first
	requests int
}

func newFake() *fakeZendesk {
	return &fakeZendesk{next: 35436, tickets: map[int64]map[string]any{}, comments: map[int64][]map[string]any{}}
}

func (f *fakeZendesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if !desktest.Gate(w, r, "agent@example.com/token", "tok", `{"error":"Couldn't authenticate you"}`, &f.throttle) {
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v2/tickets.json":
		ext := r.URL.Query().Get("external_id")
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		var all []map[string]any
		for id := f.next - 1; id >= 35436; id-- {
			if t, ok := f.tickets[id]; ok && t["external_id"] == ext {
				all = append(all, t)
			}
		}
		// One ticket a page, so that lookups must follow next_page.
		resp := map[string]any{"tickets": []any{}, "next_page": nil, "previous_page": nil, "count": len(all)}
		if page < len(all) {
			resp["tickets"] = all[page : page+1]
		}
		if page+1 < len(all) {
			resp["next_page"] = fmt.Sprintf("%s/api/v2/tickets.json?external_id=%s&page=%d", f.url, ext, page+1)
		}
		json.NewEncoder(w).Encode(resp)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v2/tickets.json":
		var body struct {
			Ticket map[string]any `json:"ticket"`
		}
		if json.NewDecoder(r.Body).Decode(&body) != nil || body.Ticket["comment"] == nil {
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"error":"RecordInvalid","description":"Record validation errors"}`)
			return
		}
		id := f.next
		f.next++
		t := body.Ticket
		t["id"], t["status"], t["requester_id"] = id, "new", 20978392
		t["description"] = t["comment"].(map[string]any)["body"]
		t["url"] = fmt.Sprintf("%s/api/v2/tickets/%d.json", f.url, id)
		f.tickets[id] = t
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"ticket": t})
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v2/tickets/"):
		id, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/v2/tickets/"), ".json"), 10, 64)
		t, ok := f.tickets[id]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"RecordNotFound","description":"Not found"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"ticket": t})
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/api/v2/tickets/"):
		id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/v2/tickets/"), ".json"), 10, 64)
		t, ok := f.tickets[id]
		if err != nil || !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"RecordNotFound","description":"Not found"}`)
			return
		}
		if t["status"] == "closed" {
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"error":"RecordInvalid","description":"Record validation errors","details":{"status":[{"description":"Status: closed prevents ticket update"}]}}`)
			return
		}
		var body struct {
			Ticket map[string]any `json:"ticket"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		if c, ok := body.Ticket["comment"].(map[string]any); ok {
			f.comments[id] = append(f.comments[id], c)
		}
		if s, ok := body.Ticket["status"]; ok {
			t["status"] = s
		}
		json.NewEncoder(w).Encode(map[string]any{"ticket": t})
	default:
		http.NotFound(w, r)
	}
}

// counts returns the tickets with external_id ext, the public comments on
// them and whether the newest is still open.
func (f *fakeZendesk) counts(ext string) (tickets, public int, open bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, t := range f.tickets {
		if t["external_id"] != ext {
			continue
		}
		tickets++
		open = t["status"] != "solved" && t["status"] != "closed"
		for _, c := range f.comments[id] {
			if c["public"] == true {
				public++
			}
		}
	}
	return tickets, public, open
}
