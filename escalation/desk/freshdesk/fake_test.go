package freshdesk

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/parleyhq/parley/escalation/desk/internal/desktest"
)

// fakeFreshdesk speaks the parts of the Freshdesk API v2 the desk uses,
// shaped after https://developers.freshdesk.com/api/: basic auth with the
// API key and "X", ticket objects with integer status/priority,
// description and description_text, the search API's {"results",
// "total"} pages of 30, notes, and 429 with Retry-After when throttle is
// set.
type fakeFreshdesk struct {
	mu       sync.Mutex
	next     int64
	tickets  map[int64]map[string]any
	notes    map[int64][]map[string]any
	throttle int
	requests int
}

func newFake() *fakeFreshdesk {
	return &fakeFreshdesk{next: 1, tickets: map[int64]map[string]any{}, notes: map[int64][]map[string]any{}}
}

var tagQuery = regexp.MustCompile(`^"tag:'([^']*)'"$`)
var htmlTag = regexp.MustCompile(`<[^>]*>`)

func (f *fakeFreshdesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if !desktest.Gate(w, r, "key", "X", `{"code":"invalid_credentials","message":"You have to be logged in to perform this action."}`, &f.throttle) {
		return
	}
	w.Header().Set("X-RateLimit-Total", "200")
	ticketID := func(rest string) (int64, map[string]any) {
		id, _ := strconv.ParseInt(rest, 10, 64)
		return id, f.tickets[id]
	}
	notFound := func() { w.WriteHeader(http.StatusNotFound) }
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/api/v2/search/tickets":
		m := tagQuery.FindStringSubmatch(r.URL.Query().Get("query"))
		if m == nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"description":"Validation failed","errors":[{"field":"query","message":"Invalid query","code":"invalid_value"}]}`)
			return
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		var all []map[string]any
		for id := int64(1); id < f.next; id++ {
			if slices.Contains(f.tickets[id]["tags"].([]string), m[1]) {
				all = append(all, f.tickets[id])
			}
		}
		res := []map[string]any{}
		if lo := (page - 1) * 30; lo < len(all) {
			res = all[lo:min(lo+30, len(all))]
		}
		json.NewEncoder(w).Encode(map[string]any{"results": res, "total": len(all)})
	case r.Method == http.MethodPost && path == "/api/v2/tickets":
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
		t["tags"], t["id"], t["requester_id"] = tags, id, 1000+id
		t["description_text"] = html.UnescapeString(htmlTag.ReplaceAllString(t["description"].(string), ""))
		f.tickets[id] = t
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(t)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/api/v2/tickets/"):
		_, t := ticketID(strings.TrimPrefix(path, "/api/v2/tickets/"))
		if t == nil {
			notFound()
			return
		}
		json.NewEncoder(w).Encode(t)
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/notes"):
		id, t := ticketID(strings.TrimSuffix(strings.TrimPrefix(path, "/api/v2/tickets/"), "/notes"))
		if t == nil {
			notFound()
			return
		}
		var n map[string]any
		json.NewDecoder(r.Body).Decode(&n)
		f.notes[id] = append(f.notes[id], n)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(n)
	case r.Method == http.MethodPut && strings.HasPrefix(path, "/api/v2/tickets/"):
		_, t := ticketID(strings.TrimPrefix(path, "/api/v2/tickets/"))
		if t == nil {
			notFound()
			return
		}
		var u map[string]any
		json.NewDecoder(r.Body).Decode(&u)
		for k, v := range u {
			t[k] = v
		}
		json.NewEncoder(w).Encode(t)
	default:
		notFound()
	}
}

// counts returns the tickets of hand-off id, the public notes on them and
// whether the newest is open (status below Resolved).
func (f *fakeFreshdesk) counts(id string) (tickets, public int, open bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
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
