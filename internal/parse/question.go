package parse

import (
	"strings"
	"unicode"
)

// questionWords start a question even when the customer leaves out the
// question mark ("how much is annual"), in English and Spanish. The
// Spanish words whose bare form is also a conjunction or an adverb
// ("que", "como") count only with their accent.
var questionWords = map[string]bool{
	"how": true, "what": true, "what's": true, "whats": true, "why": true, "when": true,
	"where": true, "where's": true, "which": true, "who": true, "how's": true,
	"qué": true, "cómo": true, "cuánto": true, "cuanto": true, "cuánta": true, "cuántos": true,
	"cuántas": true, "cuál": true, "cual": true, "cuáles": true, "cuándo": true, "dónde": true,
	"donde": true, "quién": true,
}

// Question reports whether text asks something: it has a question mark
// ("¿" counts too), or its first word is a question word ("how much is
// annual", "cuánto cuesta el anual", "por qué ..."), or it starts with a
// verb before its subject ("do you sell shoes", "is there a student
// discount").
func Question(text string) bool {
	if strings.ContainsAny(text, "?¿") {
		return true
	}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return r != '\'' && r != '’' && (unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r))
	})
	if len(words) == 0 {
		return false
	}
	w := strings.ReplaceAll(words[0], "’", "'")
	if questionWords[w] || (w == "por" && len(words) > 1 && words[1] == "qué") {
		return true
	}
	// "do you sell shoes", "is there a student discount", "can I pay
	// with bitcoin": a verb before its subject.
	return len(words) > 2 && auxiliaries[w] && subjects[words[1]]
}

// auxiliaries and subjects make an English question without its mark
// when a message starts with one then the other.
var (
	auxiliaries = map[string]bool{
		"do": true, "does": true, "did": true, "can": true, "could": true, "is": true, "are": true,
		"will": true, "would": true, "should": true, "may": true, "have": true, "has": true,
	}
	subjects = map[string]bool{
		"you": true, "i": true, "we": true, "it": true, "there": true, "they": true, "this": true,
		"that": true, "my": true, "your": true, "the": true, "he": true, "she": true,
	}
)
