package freshdesk

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/escalation/desk/internal/desktest"
)

// fakeFreshdesk speaks the parts of the Freshdesk API v2 the desk uses,
// shaped after https://developers.freshdesk.com/api/: basic auth with the
// API key and "X" (401 {"code":"invalid_credentials"}), ticket objects
// with integer status/priority, description and description_text, the
// search API's {"results", "total"} pages of 30, notes, conversations
// (a JSON array, pages by ?page=&per_page=), DELETE /api/v2/tickets/{id}
// 204, contacts (created from the ticket's email, phone or
// unique_external_id; GET /api/v2/contacts/{id}), DELETE
// /api/v2/contacts/{id}/hard_delete 204, which needs force=true for a
// contact not soft-deleted first and removes the contact's tickets too
// (https://developers.freshdesk.com/api/#contacts, "Permanently delete a contact";
// https://support.freshdesk.com/support/solutions/articles/50000006253), 404 with
// no body for what does not exist, and 429 with Retry-After.
type fakeFreshdesk struct {
	desktest.API
	next     int64
	tickets  map[int64]map[string]any
	notes    map[int64][]map[string]any
	contacts map[int64]map[string]any
}

// fake is a desk over a new fake Freshdesk, for desktest.Run.
func fake(t *testing.T) desktest.Fake {
	d, f, _ := newDesk(t)
	return desktest.Fake{Desk: d, API: &f.API, Counts: f.counts}
}

func newFake() *fakeFreshdesk {
	return &fakeFreshdesk{
		API:  desktest.API{User: "key", Pass: "X", Unauthorized: `{"code":"invalid_credentials","message":"You have to be logged in to perform this action."}`},
		next: 1, tickets: map[int64]map[string]any{}, notes: map[int64][]map[string]any{}, contacts: map[int64]map[string]any{},
	}
}

var (
	tagQuery = regexp.MustCompile(`^"tag:'([^']*)'"$`)
	htmlTag  = regexp.MustCompile(`<[^>]*>`)
	fdRoute  = regexp.MustCompile(`^/api/v2/(tickets|contacts)(?:/(\d+))?(/notes|/conversations|/hard_delete)?$`)
)

func (f *fakeFreshdesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.Lock()
	defer f.Unlock()
	if !f.Gate(w, r) {
		return
	}
	w.Header().Set("X-RateLimit-Total", "200")
	if r.URL.Path == "/api/v2/search/tickets" && r.Method == http.MethodGet {
		f.search(w, r)
		return
	}
	m := fdRoute.FindStringSubmatch(r.URL.Path)
	if m == nil {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	id, _ := strconv.ParseInt(m[2], 10, 64)
	t, c := f.tickets[id], f.contacts[id]
	switch kind, sub := m[1], m[3]; {
	case kind == "tickets" && id == 0 && r.Method == http.MethodPost:
		f.create(w, r)
	case kind == "tickets" && t == nil, kind == "contacts" && c == nil:
		w.WriteHeader(http.StatusNotFound)
	case sub == "/notes" && r.Method == http.MethodPost:
		var n map[string]any
		json.NewDecoder(r.Body).Decode(&n)
		n["created_at"], n["body_text"] = "2026-01-05T09:05:00Z", html.UnescapeString(fmt.Sprint(n["body"]))
		f.notes[id] = append(f.notes[id], n)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(n)
	case sub == "/conversations" && r.Method == http.MethodGet:
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		all := f.notes[id]
		lo := min(max(page-1, 0)*per, len(all))
		json.NewEncoder(w).Encode(append([]map[string]any{}, all[lo:min(lo+per, len(all))]...))
	case sub == "/hard_delete" && r.Method == http.MethodDelete:
		if r.URL.Query().Get("force") != "true" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"description":"Validation failed","errors":[{"field":"force","message":"Contact is not deleted","code":"invalid_value"}]}`)
			return
		}
		delete(f.contacts, id)
		for tid, t := range f.tickets {
			if t["requester_id"] == id {
				delete(f.tickets, tid)
				delete(f.notes, tid)
			}
		}
		w.WriteHeader(http.StatusNoContent)
	case sub != "":
		w.WriteHeader(http.StatusNotFound)
	case r.Method == http.MethodGet && kind == "tickets":
		json.NewEncoder(w).Encode(t)
	case r.Method == http.MethodGet:
		json.NewEncoder(w).Encode(c)
	case r.Method == http.MethodPut && kind == "tickets":
		var u map[string]any
		json.NewDecoder(r.Body).Decode(&u)
		for k, v := range u {
			t[k] = v
		}
		json.NewEncoder(w).Encode(t)
	case r.Method == http.MethodDelete && kind == "tickets":
		delete(f.tickets, id) // to the trash, which the fake does not keep
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// search answers GET /api/v2/search/tickets?query="tag:'...'".
func (f *fakeFreshdesk) search(w http.ResponseWriter, r *http.Request) {
	m := tagQuery.FindStringSubmatch(r.URL.Query().Get("query"))
	if m == nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"description":"Validation failed","errors":[{"field":"query","message":"Invalid query","code":"invalid_value"}]}`)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	var all []map[string]any
	for id := int64(1); id < f.next; id++ {
		if t := f.tickets[id]; t != nil && slices.Contains(t["tags"].([]string), m[1]) {
			all = append(all, t)
		}
	}
	res := []map[string]any{}
	if lo := (page - 1) * 30; lo < len(all) {
		res = all[lo:min(lo+30, len(all))]
	}
	json.NewEncoder(w).Encode(map[string]any{"results": res, "total": len(all)})
}

// create answers POST /api/v2/tickets: the requester is the contact with
// the ticket's email, phone or unique_external_id, created when new.
func (f *fakeFreshdesk) create(w http.ResponseWriter, r *http.Request) {
	var t map[string]any
	if json.NewDecoder(r.Body).Decode(&t) != nil || t["subject"] == nil || t["description"] == nil ||
		(t["email"] == nil && t["phone"] == nil && t["unique_external_id"] == nil) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"description":"Validation failed","errors":[{"field":"requester_id","message":"Please fill at least 1 of email, mobile, phone, twitter_id, fb_profile_id, unique_external_id fields","code":"missing_field"}]}`)
		return
	}
	id := f.next
	f.next++
	var tags []string
	for _, v := range t["tags"].([]any) {
		tags = append(tags, v.(string))
	}
	t["tags"], t["id"], t["requester_id"], t["created_at"] = tags, id, f.contact(t), "2026-01-05T09:00:00Z"
	t["description_text"] = html.UnescapeString(htmlTag.ReplaceAllString(t["description"].(string), ""))
	f.tickets[id] = t
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(t)
}

func (f *fakeFreshdesk) contact(t map[string]any) int64 {
	for id, c := range f.contacts {
		for _, k := range []string{"email", "phone", "unique_external_id"} {
			if t[k] != nil && c[k] == t[k] {
				return id
			}
		}
	}
	id := int64(1000 + len(f.contacts))
	c := map[string]any{"id": id, "name": t["name"], "created_at": "2026-01-05T09:00:00Z"}
	for _, k := range []string{"email", "phone", "unique_external_id"} {
		c[k] = t[k]
	}
	f.contacts[id] = c
	return id
}

// counts returns the tickets of hand-off id, the public notes on them and
// whether the newest is open (status below Resolved).
func (f *fakeFreshdesk) counts(id string) (tickets, public int, open bool) {
	f.Lock()
	defer f.Unlock()
	for fid, t := range f.tickets {
		if !slices.Contains(t["tags"].([]string), tag(id)) {
			continue
		}
		tickets++
		open = t["status"].(float64) < statusResolved
		for _, n := range f.notes[fid] {
			if n["private"] == false {
				public++
			}
		}
	}
	return tickets, public, open
}
