// Package parse is the one reader of numbers, amounts of money and dates
// in customers' messages, in English and Spanish. The flow package's slot
// types and the intent/entity extractors both use it, so a form and the
// understanding layer always agree on "thirteen", "quince" or "thirty".
//
// Every function is pure, safe for concurrent use and bounded in time by
// the length of its input.
package parse

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A Number is a number found in a text: its byte span and value.
type Number struct {
	Start, End int
	Value      float64
}

// FormatNumber writes v in Go's shortest decimal form ("3", "2.5").
func FormatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// numberKind orders how number words combine: "twenty" may be followed by
// "one", "one" by "hundred", "hundred" by "twenty" and so on.
type numberKind int

const (
	unitWord     numberKind = iota + 1 // 0-9
	teenWord                           // 10-19, and Spanish 21-29
	tensWord                           // 20, 30, ... 90
	hundredsWord                       // Spanish "doscientos" (a whole number of hundreds)
	hundredMul                         // "hundred": multiplies
	thousandMul                        // "thousand", "mil": multiplies
)

type numberWord struct {
	v    int
	kind numberKind
}

// numberWords are the English and Spanish number words, without accents.
// Spanish "once" (11) is left out: in English it means "one time".
var numberWords = func() map[string]numberWord {
	m := map[string]numberWord{}
	add := func(kind numberKind, words string, values ...int) {
		for i, w := range strings.Fields(words) {
			m[w] = numberWord{values[i], kind}
		}
	}
	add(unitWord, "zero one two three four five six seven eight nine", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	add(teenWord, "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen",
		10, 11, 12, 13, 14, 15, 16, 17, 18, 19)
	add(tensWord, "twenty thirty forty fifty sixty seventy eighty ninety", 20, 30, 40, 50, 60, 70, 80, 90)
	add(unitWord, "cero uno una un dos tres cuatro cinco seis siete ocho nueve", 0, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	add(teenWord, "diez doce trece catorce quince dieciseis diecisiete dieciocho diecinueve",
		10, 12, 13, 14, 15, 16, 17, 18, 19)
	add(teenWord, "veintiuno veintiuna veintiun veintidos veintitres veinticuatro veinticinco veintiseis veintisiete veintiocho veintinueve",
		21, 21, 21, 22, 23, 24, 25, 26, 27, 28, 29)
	add(tensWord, "veinte treinta cuarenta cincuenta sesenta setenta ochenta noventa", 20, 30, 40, 50, 60, 70, 80, 90)
	add(hundredsWord, "cien ciento doscientos doscientas trescientos trescientas cuatrocientos cuatrocientas quinientos quinientas seiscientos seiscientas setecientos setecientas ochocientos ochocientas novecientos novecientas",
		100, 100, 200, 200, 300, 300, 400, 400, 500, 500, 600, 600, 700, 700, 800, 800, 900, 900)
	add(hundredMul, "hundred", 100)
	add(thousandMul, "thousand mil", 1000, 1000)
	return m
}()

// "un" and "una" are numbers only before a multiplier or as a whole
// answer; "a" and "an" only before "hundred" or "thousand".
var articles = map[string]bool{"a": true, "an": true, "un": true, "una": true}

// Joiners may sit between number words: "one hundred and five", "treinta
// y cinco".
var joiners = map[string]bool{"and": true, "y": true}

// stripAccents maps the accented letters of Spanish number words.
var stripAccents = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u")

type token struct {
	text       string // lower-cased, accents removed
	start, end int
}

// wordTokens splits s into runs of letters (hyphens split words too) with
// byte offsets.
func wordTokens(s string) []token {
	var out []token
	start := -1
	for i, r := range s {
		isL := unicode.IsLetter(r)
		switch {
		case isL && start < 0:
			start = i
		case !isL && start >= 0:
			out = append(out, token{stripAccents.Replace(strings.ToLower(s[start:i])), start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, token{stripAccents.Replace(strings.ToLower(s[start:])), start, len(s)})
	}
	return out
}

// follows reports whether a word of kind next may continue a number whose
// last word had kind prev.
func follows(prev, next numberKind) bool {
	switch prev {
	case unitWord:
		return next == hundredMul || next == thousandMul
	case teenWord:
		return next == hundredMul || next == thousandMul
	case tensWord:
		return next == unitWord || next == thousandMul
	case hundredsWord, hundredMul:
		return next == unitWord || next == teenWord || next == tensWord || next == thousandMul
	case thousandMul:
		return next == unitWord || next == teenWord || next == tensWord || next == hundredsWord
	}
	return false
}

// wordNumbers finds numbers written in words, in order.
func wordNumbers(s string) []Number {
	toks := wordTokens(s)
	var out []Number
	for i := 0; i < len(toks); {
		start := i
		article := articles[toks[i].text]
		if _, ok := numberWords[toks[i].text]; !ok && !article {
			i++
			continue
		}
		if oneAsPronoun(s, toks, i) {
			i++
			continue
		}
		total, cur := 0, 0
		var prev numberKind
		end := -1
		j := i
		if article {
			// "a hundred", "un millar": only before a multiplier.
			if j+1 < len(toks) && adjacent(s, toks[j], toks[j+1]) {
				if w := numberWords[toks[j+1].text]; w.kind == hundredMul || w.kind == thousandMul {
					cur, prev = 1, unitWord
					j++
					goto words
				}
			}
			if w, ok := numberWords[toks[j].text]; ok && len(toks) == 1 {
				// "una" alone answers "how many?".
				out = append(out, Number{toks[j].start, toks[j].end, float64(w.v)})
			}
			i++
			continue
		}
	words:
		for ; j < len(toks); j++ {
			if j > start && !adjacent(s, toks[j-1], toks[j]) {
				break
			}
			if joiners[toks[j].text] && j > start && j+1 < len(toks) && adjacent(s, toks[j], toks[j+1]) {
				if w, ok := numberWords[toks[j+1].text]; ok && follows(prev, w.kind) {
					continue
				}
				break
			}
			w, ok := numberWords[toks[j].text]
			if !ok || (prev != 0 && !follows(prev, w.kind)) {
				break
			}
			switch w.kind {
			case hundredMul:
				cur = max(cur, 1) * 100
			case thousandMul:
				total += max(cur, 1) * 1000
				cur = 0
			default:
				cur += w.v
			}
			prev = w.kind
			end = toks[j].end
		}
		if end < 0 {
			i++
			continue
		}
		out = append(out, Number{toks[start].start, end, float64(total + cur)})
		for i < len(toks) && toks[i].start < end {
			i++
		}
	}
	return out
}

// pronounBefore are the words before which "one" stands for a thing
// already mentioned, not the number: "this one", "the other one", "no
// one".
var pronounBefore = map[string]bool{
	"this": true, "that": true, "the": true, "which": true, "another": true, "other": true, "any": true, "no": true,
	"each": true, "every": true, "last": true, "first": true, "same": true, "new": true, "right": true, "wrong": true,
	"only": true, "blue": true, "big": true, "small": true, "little": true, "latest": true, "older": true, "newer": true,
}

// determiners start a phrase that "one" may end as a pronoun ("the
// blanket one").
var determiners = map[string]bool{"the": true, "this": true, "that": true, "my": true, "your": true}

// oneAsPronoun reports whether toks[i] is an "one" that stands for a
// thing ("refund this one", "the other one") rather than the number: it
// follows one of pronounBefore and no multiplier follows it ("the one
// hundred dollars" is still a number).
func oneAsPronoun(s string, toks []token, i int) bool {
	if toks[i].text != "one" || i == 0 || !adjacent(s, toks[i-1], toks[i]) {
		return false
	}
	// "the blanket one", "that blue one": a determiner two words before.
	named := i >= 2 && determiners[toks[i-2].text] && numberWords[toks[i-1].text].kind == 0 && !articles[toks[i-1].text]
	if !pronounBefore[toks[i-1].text] && !named {
		return false
	}
	if i+1 < len(toks) && adjacent(s, toks[i], toks[i+1]) {
		if w := numberWords[toks[i+1].text]; w.kind == hundredMul || w.kind == thousandMul {
			return false
		}
	}
	return true
}

// adjacent reports whether only spaces or hyphens separate a and b.
func adjacent(s string, a, b token) bool {
	return strings.Trim(s[a.end:b.start], " -") == ""
}

// digitNumbers finds numbers written in digits, with "," or "." for
// thousands or decimals (see [Amount]), in order. A number glued to
// letters ("A1001", "5pm") is not one, unless the letters name a
// currency ("20usd").
func digitNumbers(s string) []Number {
	var out []Number
	for i := 0; i < len(s); {
		c := s[i]
		if c < '0' || c > '9' {
			i++
			continue
		}
		start := i
		if start > 0 {
			r, _ := utf8.DecodeLastRuneInString(s[:start])
			identifier := r == '-' && start > 1 && isWordByte(s[start-2]) // "A-1001"
			if unicode.IsLetter(r) || r == '.' || r == ',' || identifier {
				i = skipDigits(s, i)
				continue
			}
		}
		j := start
		for j < len(s) {
			if s[j] >= '0' && s[j] <= '9' {
				j++
				continue
			}
			if (s[j] == '.' || s[j] == ',') && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' {
				j++
				continue
			}
			break
		}
		if j < len(s) {
			r, _ := utf8.DecodeRuneInString(s[j:])
			if unicode.IsLetter(r) && !currencyAt(s[j:]) {
				i = j
				for i < len(s) {
					r, n := utf8.DecodeRuneInString(s[i:])
					if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
						break
					}
					i += n
				}
				continue
			}
		}
		if start > 0 && s[start-1] == '-' && (start == 1 || !isWordByte(s[start-2])) {
			start--
		}
		if v, ok := Amount(s[start:j]); ok {
			out = append(out, Number{start, j, v})
		}
		i = j
	}
	return out
}

func skipDigits(s string, i int) int {
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == ',') {
		i++
	}
	return i
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// Amount reads a number written in digits: "49.99", "1,234.56",
// "1.234,56", "49,99", "1,000" (a thousand), with an optional leading
// "-". With both separators the last one is the decimal point; a lone
// comma followed by exactly three digits, or several of one separator,
// separate thousands; a lone dot is a decimal point.
func Amount(s string) (float64, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return 0, false
	}
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	dec := -1
	switch {
	case dots > 0 && commas > 0:
		dec = max(lastDot, lastComma)
		if (dec == lastDot && dots > 1) || (dec == lastComma && commas > 1) {
			return 0, false
		}
	case dots == 1:
		dec = lastDot
	case commas == 1 && len(s)-lastComma-1 != 3:
		dec = lastComma
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case i == dec:
			b.WriteByte('.')
		case c == '.' || c == ',':
		default:
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(b.String(), 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// Numbers finds the numbers in s, in digits or in English or Spanish
// words ("thirteen", "quince", "thirty-five", "treinta y cinco", "a
// hundred and five"), in order of appearance.
func Numbers(s string) []Number {
	ds, ws := digitNumbers(s), wordNumbers(s)
	out := make([]Number, 0, len(ds)+len(ws))
	i, j := 0, 0
	for i < len(ds) || j < len(ws) {
		if j == len(ws) || (i < len(ds) && ds[i].Start < ws[j].Start) {
			out = append(out, ds[i])
			i++
		} else {
			out = append(out, ws[j])
			j++
		}
	}
	return out
}

// FirstNumber returns the first number in s.
func FirstNumber(s string) (float64, bool) {
	ns := Numbers(s)
	if len(ns) == 0 {
		return 0, false
	}
	return ns[0].Value, true
}
