package parse

import (
	"strings"
	"unicode"
)

// YesNo reads a yes or a no the way customers type one, in English or
// Spanish ("yes please", "no, thanks", "nope", "sí", "no gracias"):
// "yes" or "no", or false for anything else, including a longer answer
// that merely starts with one ("no, make it 20").
func YesNo(s string) (string, bool) {
	// Lower case, punctuation as spaces, spaces folded: "No, thanks!"
	// reads as "no thanks".
	f := strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSpace(r)
	}), " ")
	switch f {
	case "yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "correct", "right", "please", "yes please", "absolutely", "of course",
		"si", "sí", "sí por favor", "si por favor", "claro", "vale":
		return "yes", true
	case "no", "n", "nope", "nah", "no thanks", "no thank you", "not really", "never", "no gracias":
		return "no", true
	}
	return "", false
}
