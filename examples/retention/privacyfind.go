package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
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
	return fmt.Sprintf("No customer found for %q: nothing was exported or erased. Enter the customer's first name, last name or full name, their email address or phone number, or the customer ID (like cus_ada).", e.entry)
}

// errSeveral is a lookup that matched more than one customer (a first
// name two customers share): the page lists them to pick from, and
// nothing is exported or erased.
type errSeveral struct {
	entry   string
	matches []subject
}

func (e errSeveral) Error() string {
	return fmt.Sprintf("%d customers match %q: pick one. Nothing was exported or erased.", len(e.matches), e.entry)
}

// findSubject resolves entry (a customer ID, an email address, a phone
// number, or a first, last or full name, in any case) to one customer:
// first the shop's customers, then any data kept under entry as an ID (a
// web visitor the shop does not know). It returns errNoCustomer when
// nothing matches, and errSeveral, with the matches, when more than one
// customer does.
func (a *app) findSubject(ctx context.Context, entry string) (subject, error) {
	entry = strings.TrimSpace(entry)
	switch found := a.shop.findCustomers(entry); len(found) {
	case 1:
		return found[0].subject(), nil
	case 0:
	default:
		e := errSeveral{entry: entry}
		for _, c := range found {
			e.matches = append(e.matches, c.subject())
		}
		return subject{}, e
	}
	if strings.Contains(entry, "@") || phoneDigits(entry) != "" {
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

// subject is how the privacy page names c.
func (c customer) subject() subject {
	return subject{ID: c.ID, Label: fmt.Sprintf("%s (%s, %s)", c.Name, c.ID, c.Email)}
}

// lookupStatus is the HTTP status for a failed findSubject: 404 when
// nobody matched, 300 when several did, 500 when the lookup itself
// failed.
func lookupStatus(err error) int {
	switch {
	case errors.As(err, new(errNoCustomer)):
		return http.StatusNotFound
	case errors.As(err, new(errSeveral)):
		return http.StatusMultipleChoices
	}
	return http.StatusInternalServerError
}

// findCustomers returns the shop's customers entry names, by name: the
// one whose ID is entry, or else all whose email address, phone number
// (the digits, with or without the country code), full name, first name
// or last name is entry, ignoring case and spacing.
func (s *shop) findCustomers(entry string) []customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.customers[entry]; ok {
		return []customer{c}
	}
	key := strings.ToLower(strings.Join(strings.Fields(entry), " "))
	digits := phoneDigits(entry)
	var found []customer
	if key == "" {
		return nil
	}
	for _, c := range s.customers {
		name := strings.ToLower(strings.Join(strings.Fields(c.Name), " "))
		first := strings.ToLower(c.FirstName)
		last := strings.TrimSpace(strings.TrimPrefix(name, first))
		if strings.EqualFold(c.ID, key) || strings.EqualFold(c.Email, key) || key == name || key == first || last != "" && key == last ||
			digits != "" && strings.HasSuffix(phoneDigits(c.Phone), digits) {
			found = append(found, c)
		}
	}
	slices.SortFunc(found, func(a, b customer) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return found
}

// phoneDigits is the digits of entry when it reads as a phone number
// (digits, spaces, dashes, dots, brackets and a leading +, seven digits
// at least), else "".
func phoneDigits(entry string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(entry) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return ""
		}
	}
	if b.Len() < 7 {
		return ""
	}
	return b.String()
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
