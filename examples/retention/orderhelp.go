package main

import "strings"

// noOrderNumber are the ways customers say they do not have their order
// number to hand, in English and Spanish, lower-case without accents.
var noOrderNumber = []string{
	"dont know", "do not know", "no idea", "dont have", "do not have", "cant find", "cannot find", "can't find",
	"lost it", "forgot", "dont remember", "not sure", "no se", "no lo se", "ni idea", "no tengo", "no lo tengo",
	"no lo encuentro", "no encuentro", "no me acuerdo", "no recuerdo", "olvide", "lo perdi",
}

// foldAccents lower-cases s and drops apostrophes and Spanish accents.
var foldAccents = strings.NewReplacer("'", "", "’", "", "á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u")

// saysNoOrderNumber reports whether an answer to "What's your order
// number?" says the customer does not have it ("I don't know the
// number", "no lo encuentro"): they are told where to find it instead of
// being asked the same question again.
func saysNoOrderNumber(answer string) bool { return saysAny(answer, noOrderNumber) }

// saysAny reports whether answer holds one of phrases as whole words,
// compared lower-case without apostrophes or accents.
func saysAny(answer string, phrases []string) bool {
	a := " " + foldAccents.Replace(strings.ToLower(answer)) + " "
	for _, p := range phrases {
		if strings.Contains(a, " "+p+" ") || strings.Contains(a, " "+p+",") || strings.Contains(a, " "+p+".") {
			return true
		}
	}
	return false
}
