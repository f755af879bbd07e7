package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Finding the customer a data request is about. A request names the
// customer as they know themselves: usually by email address, sometimes
// by name, rarely by the shop's customer ID. The staff page resolves what
// the staffer typed to one customer before it exports or erases anything,
// and says so when nobody matches: an empty export or an "erased" for an
// address the shop does not know would tell the customer "we hold
// nothing" while everything is kept.

// subject is the customer a staffer's entry resolved to.
type subject struct {
	ID    string // the customer ID the eraser works on
	Label string // how the page names them: "Ada Lovelace (cus_ada, ada@example.com)"
}

// errNoCustomer is why a lookup found nobody; its text is shown to staff.
type errNoCustomer struct{ entry string }

func (e errNoCustomer) Error() string {
	return fmt.Sprintf("No customer found for %q: nothing was exported or erased. Enter the customer ID (like cus_ada) or the email address or full name the shop has on file.", e.entry)
}

// findSubject resolves entry (a customer ID, an email address or a full
// name, in any case) to one customer: first the shop's customers, then
// any data kept under entry as an ID (a web visitor the shop does not
// know). It returns errNoCustomer when nothing matches, or when a name
// matches more than one customer.
func (a *app) findSubject(ctx context.Context, entry string) (subject, error) {
	entry = strings.TrimSpace(entry)
	if c, ok := a.shop.findCustomer(entry); ok {
		return subject{ID: c.ID, Label: fmt.Sprintf("%s (%s, %s)", c.Name, c.ID, c.Email)}, nil
	}
	if strings.Contains(entry, "@") {
		return subject{}, errNoCustomer{entry}
	}
	b, err := a.eraser.export(ctx, entry)
	if err != nil {
		// A source could not be read: the data may be there, so the
		// staffer sees the failure rather than "not found".
		return subject{}, fmt.Errorf("could not look %q up: %w", entry, err)
	}
	if holdsNothing(b) {
		return subject{}, errNoCustomer{entry}
	}
	return subject{ID: entry, Label: entry}, nil
}

// lookupStatus is the HTTP status for a failed findSubject: 404 when
// nobody matched, 500 when the lookup itself failed.
func lookupStatus(err error) int {
	if errors.As(err, new(errNoCustomer)) {
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// findCustomer returns the shop's customer whose ID, email address or
// full name is entry (ignoring case); a name shared by two customers
// matches neither.
func (s *shop) findCustomer(entry string) (customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.customers[entry]; ok {
		return c, true
	}
	var found []customer
	for _, c := range s.customers {
		if strings.EqualFold(c.ID, entry) || strings.EqualFold(c.Email, entry) || strings.EqualFold(c.Name, entry) {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		return customer{}, false
	}
	return found[0], true
}

// holdsNothing reports whether an export (privacy.Export as JSON) has no
// data in any source: every source null, empty or zero.
func holdsNothing(export []byte) bool {
	var x struct {
		Sources map[string]json.RawMessage `json:"sources"`
	}
	if json.Unmarshal(export, &x) != nil {
		return false
	}
	for _, v := range x.Sources {
		if !emptyJSON(v) {
			return false
		}
	}
	return true
}

// emptyJSON reports whether v is null, "", 0, false, or an object or
// array holding only such values.
func emptyJSON(v json.RawMessage) bool {
	var x any
	if json.Unmarshal(v, &x) != nil {
		return false
	}
	return emptyValue(x)
}

func emptyValue(x any) bool {
	switch x := x.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case float64:
		return x == 0
	case bool:
		return !x
	case []any:
		for _, e := range x {
			if !emptyValue(e) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, e := range x {
			if !emptyValue(e) {
				return false
			}
		}
		return true
	}
	return false
}
