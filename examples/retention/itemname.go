package main

import (
	"context"
	"strings"
	"unicode"

	"github.com/parleyhq/parley/flow"
)

// orderNamed returns the ID of the one order of customerID whose item
// the customer names in text ("I want to return the lamp": the Walnut
// desk lamp, A-1002), by a word of four letters or more of its name.
// Two orders that fit, or none, give "": the form asks for the number.
func (s *shop) orderNamed(customerID, text string) string {
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		words[strings.TrimSuffix(w, "s")] = true // "lamps", "shirts"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	found := ""
	for id, o := range s.orders {
		if o.Customer != customerID || customerID == "" {
			continue
		}
		for _, w := range strings.Fields(strings.ToLower(o.Item)) {
			if len(w) >= 4 && words[strings.TrimSuffix(w, "s")] {
				if found != "" && found != id {
					return ""
				}
				found = id
			}
		}
	}
	return found
}

// pickNamedOrder is a form's first step: an order the request names by
// its item fills the form's order, so "Which order is it?" is not asked.
func pickNamedOrder(d deps, next string) *flow.Action {
	return &flow.Action{ID: "named", Do: func(_ context.Context, s *flow.Scope) (string, error) {
		if s.Slot("order") == "" && d.shop != nil {
			if id := d.shop.orderNamed(s.Turn.CustomerID, s.Turn.Text()); id != "" {
				s.SetSlot("order", id)
			}
		}
		return "", nil
	}, Next: next, OnError: next}
}
