package main

import (
	"strconv"
	"strings"
)

// orderLine is one order of the list "Which order is it?" shows: its
// place, number, item and status, the status in the conversation's
// language (locale, as i18n set it on the turn). The list reaches the
// catalog as one value of the question's template, which translates the
// sentence around it, not the words inside it: "(shipped)" stayed English
// in Spanish conversations (QA10). The item is named in that language
// too, when the shop has a name for it in it (itemname.go).
func orderLine(n int, o order, locale string) string {
	return "[" + strconv.Itoa(n) + "] " + o.ID + " " + upperFirst(o.itemIn(locale)) + " (" + statusWord(o.Status, locale) + ")"
}

// statusWords are the order statuses as a list names them, by base
// language; English is the status as the shop stores it.
var statusWords = map[string]map[string]string{
	"es": {"shipped": "enviado", "delivered": "entregado", "processing": "en preparación", "cancelled": "cancelado"},
}

// statusWord returns status in the language of locale, or as it is when
// that language has no word for it.
func statusWord(status, locale string) string {
	base, _, _ := strings.Cut(strings.ToLower(locale), "-")
	if w, ok := statusWords[base][status]; ok {
		return w
	}
	return status
}
