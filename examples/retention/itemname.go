package main

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley/flow"
)

// itemIn returns an item's name in the language of locale (as i18n set
// it on the turn), as it reads inside a sentence: its name in names for
// that base language ("es": "lámpara de escritorio de nogal"), or item,
// the shop's English name, when it has none.
func itemIn(item string, names map[string]string, locale string) string {
	if n := names[baseLanguage(locale)]; n != "" {
		return n
	}
	return item
}

// itemIn returns the order's item in the language of locale.
func (o order) itemIn(locale string) string { return itemIn(o.Item, o.Names, locale) }

// itemIn returns the order's item in the language of locale.
func (o orderView) itemIn(locale string) string { return itemIn(o.Item, o.Names, locale) }

// upperFirst writes s with a capital first letter, as an item starts a
// line of a list.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// orderNamed returns the ID of the one order of customerID whose item
// the customer names in text ("I want to return the lamp", "quiero
// devolver la lámpara": the Walnut desk lamp, A-1002), by a word of four
// letters or more of its name: its English name, or its name in the
// language of locale (with or without accents). Two orders that fit, or
// none, give "": the form asks for the number.
func (s *shop) orderNamed(customerID, locale, text string) string {
	words := map[string]bool{}
	for _, w := range itemWords(text) {
		words[w] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	found := ""
	for id, o := range s.orders {
		if o.Customer != customerID || customerID == "" {
			continue
		}
		name := o.Item
		if n := o.Names[baseLanguage(locale)]; n != "" {
			name += " " + n
		}
		for _, w := range itemWords(name) {
			if utf8.RuneCountInString(w) >= 4 && words[w] {
				if found != "" && found != id {
					return ""
				}
				found = id
			}
		}
	}
	return found
}

// itemWords splits text into words for matching item names: lower case,
// without accents (unaccent, datarequest.go), without a plural's final "s" ("lamps", "lámparas").
func itemWords(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(unaccent.Replace(strings.ToLower(text)), func(r rune) bool { return !unicode.IsLetter(r) }) {
		out = append(out, strings.TrimSuffix(w, "s"))
	}
	return out
}

// pickNamedOrder is a form's first step: an order the request names by
// its item fills the form's order, so "Which order is it?" is not asked.
func pickNamedOrder(d deps, next string) *flow.Action {
	return &flow.Action{ID: "named", Do: func(_ context.Context, s *flow.Scope) (string, error) {
		if s.Slot("order") == "" && d.shop != nil {
			if id := d.shop.orderNamed(s.Turn.CustomerID, s.Turn.Locale, s.Turn.Text()); id != "" {
				s.SetSlot("order", id)
			}
		}
		return "", nil
	}, Next: next, OnError: next}
}
