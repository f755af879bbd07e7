package hubspot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// fakeHubSpot speaks the parts of the HubSpot CRM API the lookup uses,
// shaped after developers.hubspot.com: Bearer auth, the search API's
// {"total","results":[{"id","properties"}]}, v4 association pages with
// paging.next.after (two results a page here, to exercise paging), batch
// read, notes with associations, and 429 with Retry-After when throttle
// is set.
type fakeHubSpot struct {
	mu       sync.Mutex
	contacts map[string]map[string]string // by contact ID
	orders   map[string]map[string]string // by order ID
	links    map[string][]string          // contact ID -> order IDs
	notes    []map[string]any
	throttle int
	requests int
}

func (f *fakeHubSpot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if r.Header.Get("Authorization") != "Bearer pat-na1-test" {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}`)
		return
	}
	if f.throttle > 0 {
		f.throttle--
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"status":"error","message":"You have reached your secondly limit.","category":"RATE_LIMITS"}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-HubSpot-RateLimit-Remaining", "99")
	enc := json.NewEncoder(w)
	switch p := r.URL.Path; {
	case r.Method == http.MethodPost && p == "/crm/v3/objects/contacts/search":
		var q struct {
			FilterGroups []struct {
				Filters []struct{ PropertyName, Operator, Value string }
			}
		}
		json.NewDecoder(r.Body).Decode(&q)
		f0 := q.FilterGroups[0].Filters[0]
		res := []any{}
		for id, c := range f.contacts {
			if f0.Operator == "EQ" && strings.EqualFold(c[f0.PropertyName], f0.Value) {
				res = append(res, map[string]any{"id": id, "properties": c, "archived": false})
			}
		}
		enc.Encode(map[string]any{"total": len(res), "results": res})
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/crm/v4/objects/contacts/") && strings.HasSuffix(p, "/associations/orders"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/crm/v4/objects/contacts/"), "/associations/orders")
		all := f.links[id]
		start := 0
		fmt.Sscan(r.URL.Query().Get("after"), &start)
		end := min(start+2, len(all))
		res := []any{}
		for _, o := range all[start:end] {
			var n json.Number = json.Number(o)
			res = append(res, map[string]any{"toObjectId": n, "associationTypes": []any{map[string]any{"category": "HUBSPOT_DEFINED", "typeId": 508, "label": nil}}})
		}
		out := map[string]any{"results": res}
		if end < len(all) {
			out["paging"] = map[string]any{"next": map[string]any{"after": fmt.Sprint(end), "link": "?after=" + fmt.Sprint(end)}}
		}
		enc.Encode(out)
	case r.Method == http.MethodPost && p == "/crm/v3/objects/orders/batch/read":
		var q struct {
			Inputs []struct{ ID string }
		}
		json.NewDecoder(r.Body).Decode(&q)
		res := []any{}
		for _, in := range q.Inputs {
			res = append(res, map[string]any{"id": in.ID, "properties": f.orders[in.ID]})
		}
		enc.Encode(map[string]any{"status": "COMPLETE", "results": res})
	case r.Method == http.MethodPost && p == "/crm/v3/objects/notes":
		var n map[string]any
		json.NewDecoder(r.Body).Decode(&n)
		f.notes = append(f.notes, n)
		w.WriteHeader(http.StatusCreated)
		enc.Encode(map[string]any{"id": fmt.Sprint(51000 + len(f.notes)), "properties": n["properties"]})
	default:
		http.NotFound(w, r)
	}
}
