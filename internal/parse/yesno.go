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
	words := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSpace(r)
	})
	// A hesitation before the answer is not part of it: "hmm actually
	// no", "wait, no".
	for len(words) > 1 && fillers[words[0]] {
		words = words[1:]
	}
	if v, ok := yesNo(strings.Join(words, " ")); ok {
		return v, true
	}
	// A yes or a no said again in other words: "no, leave it", "wait no
	// don't", "yes, go ahead". Only these closing words: "no, make it 20"
	// and "no I want a refund" say something else and are no answer.
	for i := len(words) - 1; i >= 1; i-- {
		v, ok := yesNo(strings.Join(words[:i], " "))
		if ok && closings[v][strings.Join(words[i:], " ")] {
			return v, true
		}
	}
	return "", false
}

// fillers are the hesitations that may come before an answer.
var fillers = map[string]bool{
	"hmm": true, "hm": true, "hmmm": true, "mmm": true, "um": true, "umm": true, "uh": true, "er": true, "erm": true,
	"well": true, "actually": true, "wait": true, "oh": true, "ah": true, "so": true,
	"pues": true, "espera": true, "eh": true, "mm": true, "bueno": true,
}

// closings are the words that may follow a yes or a no and say it again.
var closings = map[string]map[string]bool{
	"yes": {
		"go ahead": true, "do it": true, "please do": true, "please go ahead": true, "thats right": true, "thats correct": true,
		"thats fine": true, "sounds good": true, "perfect": true, "great": true, "thanks": true, "thank you": true, "please": true,
		"adelante": true, "hazlo": true, "perfecto": true, "correcto": true, "eso es": true,
	},
	"no": {
		"dont": true, "do not": true, "dont do it": true, "please dont": true, "leave it": true, "leave it as it is": true,
		"forget it": true, "never mind": true, "nevermind": true, "i changed my mind": true, "changed my mind": true,
		"not yet": true, "thats wrong": true, "thats not right": true,
		"déjalo": true, "dejalo": true, "olvídalo": true, "olvidalo": true, "no lo hagas": true, "mejor no": true,
	},
}

// yesNo reads one whole yes or no phrase, f in lower case with single
// spaces.
func yesNo(f string) (string, bool) {
	switch f {
	case "yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "correct", "right", "please", "yes please", "absolutely", "of course",
		"yes thanks", "yes thank you", "ok thanks",
		"go ahead", "please do", "sounds good", "thats right", "thats correct",
		"si", "sí", "sí por favor", "si por favor", "claro", "vale", "sí gracias", "si gracias", "vale gracias", "adelante", "hazlo",
		"oui", "ja", "sim", "👍", "👌", "✅", "✔":
		return "yes", true
	case "no", "n", "nope", "nah", "no thanks", "no thank you", "not really", "never", "not now", "no not now",
		"im fine", "no im fine", "im good", "no im good",
		"dont", "please dont", "dont do it", "better not",
		"no gracias", "ahora no", "no ahora no", "no hace falta", "no estoy bien", "no gracias estoy bien", "mejor no", "no lo hagas",
		"non", "nein", "não", "nao", "👎", "❌":
		return "no", true
	}
	return "", false
}
