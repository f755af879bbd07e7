package analytics

import "github.com/parleyhq/parley/privacy"

// erase drops every record of customer (a privacy.EventErased event was
// folded); the caller holds a.mu. Events of the customer folded later
// make new records.
func (a *Aggregator) erase(customer string) {
	if customer == "" {
		return
	}
	var kept recs
	index := make(map[string]int32, a.recs.n)
	for r := range a.all() {
		if r.cust != customer {
			i := kept.add("")
			*kept.at(i) = *r
			index[r.conv] = i
		}
	}
	a.recs, a.index = kept, index
}

// isErasure reports whether e erases a customer.
func isErasure(e *Event) bool { return e.Kind == privacy.EventErased }
