package parse

import (
	"strings"
	"unicode"
)

// wholePhrases say "the whole amount" or "all of them" as an answer to
// "how much?" or "how many?", in English and Spanish, lower-case without
// accents or punctuation.
var wholePhrases = map[string]bool{
	"all": true, "all of it": true, "all of them": true, "everything": true, "the lot": true, "the whole lot": true,
	"the whole thing": true, "the whole amount": true, "the whole of it": true, "whole amount": true, "whole thing": true,
	"the full amount": true, "full amount": true, "the full thing": true, "in full": true, "full": true,
	"the total": true, "the total amount": true, "total": true, "all the money": true, "all my money": true,
	"the rest": true, "the rest of it": true, "whats left": true, "what is left": true, "everything left": true,
	"all thats left": true, "all that is left": true, "whatever is left": true, "whatevers left": true,
	"the remaining amount": true, "the remainder": true, "the maximum": true, "the max": true, "max": true,
	"all of the money": true, "full refund": true, "a full refund": true, "the full refund": true, "refund it all": true,
	"refund everything": true, "refund all of it": true, "refund the lot": true, "the entire amount": true,
	"entire amount": true, "the whole refund": true, "the full price": true, "everything i paid": true,
	"all i paid": true, "what i paid": true,
	"todo": true, "todo el importe": true, "el importe total": true, "el importe completo": true, "el total": true,
	"total del importe": true, "lo que queda": true, "todo lo que queda": true, "lo que falta": true, "el resto": true,
	"todo el dinero": true, "todo lo que pague": true, "lo que pague": true, "la totalidad": true, "todo entero": true,
	"entero": true, "completo": true, "el reembolso completo": true, "reembolso completo": true, "el maximo": true,
	"todo el reembolso": true, "todo mi dinero": true, "mi dinero": true, "all my money back": true, "my money back": true,
	"the full amount back": true, "everything back": true, "all of it back": true, "reembolsalo todo": true, "devuelvemelo todo": true, "todos": true, "todas": true,
	"la cantidad total": true, "la cantidad completa": true, "todo lo que se pueda": true, "lo maximo": true,
}

// wholeFillers may surround a whole answer: "all of it, please", "yes,
// the full amount", "pues todo".
var wholeFillers = map[string]bool{
	"please": true, "pls": true, "yes": true, "yeah": true, "ok": true, "okay": true, "just": true, "simply": true,
	"oh": true, "um": true, "uh": true, "well": true, "actually": true, "i": true, "want": true, "would": true,
	"like": true, "id": true, "make": true, "it": true, "thanks": true, "thank": true, "you": true, "wait": true,
	"por": true, "favor": true, "si": true, "vale": true, "pues": true, "bueno": true, "mejor": true, "quiero": true,
	"gracias": true, "espera": true, "que": true, "sea": true, "ya": true, "now": true, "back": true,
}

// Whole reports whether s, an answer to "how much?" or "how many?", asks
// for the whole of it ("all of it", "everything", "the full amount",
// "todo", "el total", "lo que queda"), with a few words of politeness or
// correction around it ("all of it, please", "no, mejor todo"). A
// negation ("not all of it", "no todo") or any other word is not whole.
func Whole(s string) bool {
	s = strings.NewReplacer("'", "", "’", "").Replace(stripAccents.Replace(strings.ToLower(s)))
	// Punctuation splits the answer into parts: a leading "no," corrects
	// an earlier answer ("no, all of it"), a bare "no todo" negates.
	parts := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsPunct(r) })
	var words []string
	var said [][]string // the parts, each a list of words
	for i, p := range parts {
		ws := strings.Fields(p)
		if i < len(parts)-1 && len(ws) == 1 && (ws[0] == "no" || ws[0] == "nope") {
			continue // "no, ..." before the answer corrects, it does not negate
		}
		words = append(words, ws...)
		said = append(said, ws)
	}
	if wholeWords(words) {
		return true
	}
	// One part says it, the others give a reason ("the full amount
	// please, it arrived torn", "esto es una vergüenza, quiero todo mi
	// dinero ya") that neither limits nor negates it.
	for i, ws := range said {
		if !wholeWords(ws) {
			continue
		}
		for j, other := range said {
			if j != i && restricts(other) {
				return false
			}
		}
		return true
	}
	return false
}

// restricts reports whether words, said beside a whole answer, limit it
// ("except the belt", "menos el envío") or name a number.
func restricts(words []string) bool {
	for _, w := range words {
		if limiters[w] || strings.ContainsFunc(w, unicode.IsDigit) || numberWords[w].kind != 0 && !articles[w] && w != "one" && w != "uno" {
			return true
		}
	}
	return false
}

// limiters are words that, after a whole answer, make it less than whole.
var limiters = map[string]bool{
	"not": true, "no": true, "except": true, "but": true, "minus": true, "without": true, "only": true, "just": true,
	"half": true, "apart": true, "less": true, "excluding": true, "wait": true, "actually": true, "instead": true,
	"menos": true, "excepto": true, "salvo": true, "pero": true, "sin": true, "solo": true, "mitad": true, "espera": true,
}

// wholeWords reports whether words, fillers aside, say a whole phrase.
func wholeWords(words []string) bool {
	if len(words) > 12 {
		return false // a sentence, not an answer
	}
	// Any run of fillers may sit before and after the phrase; fillers can
	// end a phrase too ("all of it"), so every split is tried.
	for i := 0; i < len(words); i++ {
		for j := len(words); j > i; j-- {
			if wholePhrases[strings.Join(words[i:j], " ")] {
				return true
			}
			if !wholeFillers[words[j-1]] {
				break
			}
		}
		if !wholeFillers[words[i]] {
			break
		}
	}
	return false
}
