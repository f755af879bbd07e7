package main

import (
	"strings"
	"unicode"
)

// asapPhrases say "call me as soon as you can", in the words customers
// use, with what the call-back's time becomes in their language.
var asapPhrases = []struct{ phrase, when string }{
	{"right now", "as soon as possible"}, {"call me now", "as soon as possible"}, {"call me back now", "as soon as possible"},
	{"asap", "as soon as possible"}, {"as soon as possible", "as soon as possible"}, {"as soon as you can", "as soon as possible"},
	{"right away", "as soon as possible"}, {"straight away", "as soon as possible"}, {"immediately", "as soon as possible"},
	{"ahora mismo", "lo antes posible"}, {"llamame ahora", "lo antes posible"}, {"llámame ahora", "lo antes posible"},
	{"cuanto antes", "lo antes posible"}, {"lo antes posible", "lo antes posible"}, {"lo más pronto posible", "lo antes posible"},
	{"lo mas pronto posible", "lo antes posible"}, {"en seguida", "lo antes posible"}, {"enseguida", "lo antes posible"},
}

// asapTime returns the call-back time a request for a call "now" names
// ("call me back now", "llámame cuanto antes"), or "": the customer is not
// asked "When suits you?" after saying so.
func asapTime(text string) string {
	words := " " + strings.Join(strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ") + " "
	for _, p := range asapPhrases {
		if strings.Contains(words, " "+p.phrase+" ") {
			return p.when
		}
	}
	return ""
}
