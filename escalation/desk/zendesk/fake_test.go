package zendesk

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/escalation/desk/internal/desktest"
)

// fakeZendesk speaks the parts of the Support API the desk uses, shaped
// after Zendesk's API reference (and its OpenAPI description, which
// gives the status codes):
//   - tickets, https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/:
//     {"ticket": {...}} bodies, 201 on create, list pages with next_page,
//     422 on updating a closed ticket, DELETE /api/v2/tickets/{id} 204,
//     DELETE /api/v2/deleted_tickets/{id} 200 with a job_status;
//   - comments, .../ticketing/tickets/ticket_comments/#list-comments:
//     {"comments": [...], "next_page"};
//   - users, .../ticketing/users/users/: POST /api/v2/users/create_or_update
//     (201 new, 200 existing, matched by e-mail or external_id),
//     GET /api/v2/users/search?external_id= (exact, case-insensitive),
//     GET /api/v2/users/{id}/tickets/requested, DELETE /api/v2/users/{id}
//     200 {"user"}, DELETE /api/v2/deleted_users/{id} 200 {"deleted_user"},
//     which needs the user soft-deleted first;
//   - basic auth "{email}/token:{token}", 401 {"error":"Couldn't
//     authenticate you"}, 404 {"error":"RecordNotFound"}, 429 with
//     Retry-After (https://developer.zendesk.com/api-reference/introduction/rate-limits/).
type fakeZendesk struct {
	desktest.API
	url      string
	next     int64
	tickets  map[int64]map[string]any
	comments map[int64][]map[string]any
	users    map[int64]map[string]any
	deleted  map[string]bool // "ticket 1", "user 2": soft-deleted, not yet purged
}

func newFake() *fakeZendesk {
	return &fakeZendesk{
		API:  desktest.API{User: "agent@example.com/token", Pass: "tok", Unauthorized: `{"error":"Couldn't authenticate you"}`},
		next: 35436, tickets: map[int64]map[string]any{}, comments: map[int64][]map[string]any{},
		users:   map[int64]map[string]any{7: {"id": 7, "name": "Sam", "email": "sam@example.com", "role": "agent", "external_id": "cus_agent"}},
		deleted: map[string]bool{},
	}
}

var zdRoute = regexp.MustCompile(`^/api/v2/(tickets|deleted_tickets|users|deleted_users)(?:/(\d+))?(/comments|/tickets/requested)?\.json$`)

func (f *fakeZendesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.Lock()
	defer f.Unlock()
	if !f.Gate(w, r) {
		return
	}
	if r.URL.Path == "/api/v2/users/create_or_update.json" || r.URL.Path == "/api/v2/users/search.json" {
		f.users2(w, r)
		return
	}
	m := zdRoute.FindStringSubmatch(r.URL.Path)
	if m == nil {
		http.NotFound(w, r)
		return
	}
	id, _ := strconv.ParseInt(m[2], 10, 64)
	switch kind, sub := m[1], m[3]; {
	case kind == "tickets" && id == 0 && r.Method == http.MethodGet:
		f.list(w, r)
	case kind == "tickets" && id == 0 && r.Method == http.MethodPost:
		f.create(w, r)
	case kind == "tickets" && f.tickets[id] == nil, kind == "users" && f.users[id] == nil,
		kind == "deleted_tickets" && !f.deleted[fmt.Sprint("ticket ", id)], kind == "deleted_users" && !f.deleted[fmt.Sprint("user ", id)]:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":"RecordNotFound","description":"Not found"}`)
	case kind == "tickets" && sub == "/comments":
		json.NewEncoder(w).Encode(map[string]any{"comments": f.comments[id], "next_page": nil, "previous_page": nil, "count": len(f.comments[id])})
	case kind == "tickets" && r.Method == http.MethodGet:
		json.NewEncoder(w).Encode(map[string]any{"ticket": f.tickets[id]})
	case kind == "tickets" && r.Method == http.MethodPut:
		f.update(w, r, id)
	case kind == "tickets" && r.Method == http.MethodDelete:
		delete(f.tickets, id)
		f.deleted[fmt.Sprint("ticket ", id)] = true
		w.WriteHeader(http.StatusNoContent)
	case kind == "deleted_tickets" && r.Method == http.MethodDelete:
		delete(f.deleted, fmt.Sprint("ticket ", id))
		delete(f.comments, id)
		json.NewEncoder(w).Encode(map[string]any{"job_status": map[string]any{"id": "8b726e606741012ffc2d782bcb7848fe", "status": "queued", "total": 1}})
	case kind == "users" && sub == "/tickets/requested":
		f.requested(w, r, id)
	case kind == "users" && r.Method == http.MethodDelete:
		u := f.users[id]
		delete(f.users, id)
		f.deleted[fmt.Sprint("user ", id)] = true
		u["active"] = false
		json.NewEncoder(w).Encode(map[string]any{"user": u})
	case kind == "deleted_users" && r.Method == http.MethodDelete:
		delete(f.deleted, fmt.Sprint("user ", id))
		json.NewEncoder(w).Encode(map[string]any{"deleted_user": map[string]any{"id": id, "name": "Permanently Deleted User", "email": nil, "role": "end-user", "active": false}})
	default:
		http.NotFound(w, r)
	}
}

// list answers GET /api/v2/tickets.json?external_id=, one ticket a page,
// so that lookups must follow next_page.
func (f *fakeZendesk) list(w http.ResponseWriter, r *http.Request) {
	ext := r.URL.Query().Get("external_id")
	var all []map[string]any
	for id := f.next - 1; id >= 35436; id-- {
		if t, ok := f.tickets[id]; ok && t["external_id"] == ext {
			all = append(all, t)
		}
	}
	f.page(w, r, "tickets", all, fmt.Sprintf("%s/api/v2/tickets.json?external_id=%s&", f.url, ext))
}

// requested answers GET /api/v2/users/{id}/tickets/requested.json, one
// ticket a page.
func (f *fakeZendesk) requested(w http.ResponseWriter, r *http.Request, user int64) {
	var all []map[string]any
	for id := int64(35436); id < f.next; id++ {
		if t, ok := f.tickets[id]; ok && t["requester_id"] == user {
			all = append(all, t)
		}
	}
	f.page(w, r, "tickets", all, fmt.Sprintf("%s/api/v2/users/%d/tickets/requested.json?", f.url, user))
}

// page writes page ?page= (from 0) of all, one record a page.
func (f *fakeZendesk) page(w http.ResponseWriter, r *http.Request, key string, all []map[string]any, next string) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	resp := map[string]any{key: []any{}, "next_page": nil, "previous_page": nil, "count": len(all)}
	if page < len(all) {
		resp[key] = all[page : page+1]
	}
	if page+1 < len(all) {
		resp["next_page"] = fmt.Sprintf("%spage=%d", next, page+1)
	}
	json.NewEncoder(w).Encode(resp)
}

func (f *fakeZendesk) create(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Ticket map[string]any `json:"ticket"`
	}
	if json.NewDecoder(r.Body).Decode(&body) != nil || body.Ticket["comment"] == nil {
		invalid(w)
		return
	}
	id := f.next
	f.next++
	t := body.Ticket
	requester := int64(20978392)
	if n, ok := t["requester_id"].(float64); ok {
		requester = int64(n)
	}
	c := t["comment"].(map[string]any)
	t["id"], t["status"], t["requester_id"], t["created_at"] = id, "new", requester, "2026-01-05T09:00:00Z"
	t["description"] = c["body"]
	t["url"] = fmt.Sprintf("%s/api/v2/tickets/%d.json", f.url, id)
	f.tickets[id] = t
	f.comments[id] = []map[string]any{{"id": id * 10, "author_id": requester, "body": c["body"], "public": c["public"], "created_at": "2026-01-05T09:00:00Z"}}
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"ticket": t})
}

func (f *fakeZendesk) update(w http.ResponseWriter, r *http.Request, id int64) {
	t := f.tickets[id]
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
		c["created_at"] = "2026-01-05T09:05:00Z"
		f.comments[id] = append(f.comments[id], c)
	}
	if s, ok := body.Ticket["status"]; ok {
		t["status"] = s
	}
	json.NewEncoder(w).Encode(map[string]any{"ticket": t})
}

// users2 answers POST /api/v2/users/create_or_update.json and GET
// /api/v2/users/search.json?external_id=.
func (f *fakeZendesk) users2(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		ext := r.URL.Query().Get("external_id")
		found := []map[string]any{}
		for _, u := range f.users {
			if e, _ := u["external_id"].(string); ext != "" && strings.EqualFold(e, ext) {
				found = append(found, u)
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"users": found, "next_page": nil, "previous_page": nil, "count": len(found)})
		return
	}
	var body struct {
		User map[string]any `json:"user"`
	}
	if json.NewDecoder(r.Body).Decode(&body) != nil || body.User["name"] == nil {
		invalid(w)
		return
	}
	for _, u := range f.users {
		if (body.User["email"] != nil && u["email"] == body.User["email"]) || strings.EqualFold(fmt.Sprint(u["external_id"]), fmt.Sprint(body.User["external_id"])) {
			u["external_id"] = body.User["external_id"]
			json.NewEncoder(w).Encode(map[string]any{"user": u})
			return
		}
	}
	id := int64(900 + len(f.users) - 1) // user 7, the agent, is there from the start
	u := map[string]any{"id": id, "name": body.User["name"], "email": body.User["email"], "external_id": body.User["external_id"], "role": "end-user", "active": true}
	f.users[id] = u
	w.Header().Set("Location", fmt.Sprintf("/api/v2/users/%d.json", id))
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"user": u})
}

// counts returns the tickets with external_id ext, the public comments on
// them and whether the newest is still open.
func (f *fakeZendesk) counts(ext string) (tickets, public int, open bool) {
	f.Lock()
	defer f.Unlock()
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

// invalid answers Zendesk's 422 for a body that fails validation.
func invalid(w http.ResponseWriter) {
	w.WriteHeader(http.StatusUnprocessableEntity)
	fmt.Fprint(w, `{"error":"RecordInvalid","description":"Record validation errors"}`)
}
