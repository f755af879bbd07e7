package parse

import (
	"strings"
	"unicode"
)

// YesNo reads a yes or a no the way customers type one, in English or
// Spanish ("yes please", "no, thanks", "nope", "not now", "sí", "no
// gracias", "ahora no"), and the plain yes and no of French, German and
// Portuguese ("oui", "nein", "sim", "não"): "yes" or "no", or false for
// anything else, including a longer answer that merely starts with one
// ("no, make it 20"); a thumbs up or down ("👍", "👎") is one too. It
// is the one reader of yes and no: flows' yes/no slots, the router's
// "no, thanks" and escalation's offer of a person.
func YesNo(s string) (string, bool) {
	// Lower case, apostrophes dropped, other punctuation as spaces,
	// spaces folded: "No, I'm fine!" reads as "no im fine".
	s = strings.NewReplacer("'", "", "’", "").Replace(strings.ToLower(s))
	// Emoji lose their skin tone and presentation selector: "👍🏽" is "👍".
	s = strings.Map(func(r rune) rune {
		if r == '\uFE0F' || r >= 0x1F3FB && r <= 0x1F3FF {
			return -1
		}
		return r
	}, s)
	f := strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSpace(r)
	}), " ")
	switch f {
	case "yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "correct", "right", "please", "yes please", "absolutely", "of course",
		"yes thanks", "yes thank you", "ok thanks",
		"si", "sí", "sí por favor", "si por favor", "claro", "vale", "sí gracias", "si gracias", "vale gracias",
		"oui", "ja", "sim", "👍", "👌", "✅", "✔":
		return "yes", true
	case "no", "n", "nope", "nah", "no thanks", "no thank you", "not really", "never", "not now", "no not now",
		"im fine", "no im fine", "im good", "no im good",
		"no gracias", "ahora no", "no ahora no", "no hace falta", "no estoy bien", "no gracias estoy bien",
		"non", "nein", "não", "nao", "👎", "❌":
		return "no", true
	}
	return "", false
}
