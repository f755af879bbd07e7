package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/intent/train"
)

// Spanish spelling. The English classifier forgives a slip of the finger
// ("wher is my ordr") because a misspelt word keeps most of its character
// n-grams; the Spanish one is trained on fewer examples, and "kiero un
// reenbolso" (quiero un reembolso), "cancelar mi pedidio" (read as the
// plan's cancellation) or "aydua" went unread (QA12 F43). Spanish
// misspellings follow the sound: qu/k, b/v, mb/nb, c/s/z, a silent h, a
// double letter, and chat shorthand (dnd, xq, tb). spanishSpelling reads
// the words the Spanish classifier does not know as the word of its
// training data they sound like, or, for a longer word, the one word a
// single slip away; the customer's text itself (entities, forms, the
// transcript) is left as typed. Only the classifier's reading changes:
// commands are recognised before, on the words as typed, so a corrected
// word never becomes a command, and never an opt-out.

// spanishShorthand are chat abbreviations, with the word they stand for.
var spanishShorthand = map[string]string{
	"dnd": "dónde", "dnde": "dónde", "q": "que", "k": "que", "ke": "que", "xq": "porque", "pq": "porque", "porq": "porque",
	"tb": "también", "tmb": "también", "tmbn": "también", "xfa": "por favor", "xfavor": "por favor", "pf": "por favor",
	"pls": "por favor", "plis": "por favor", "d": "de", "grax": "gracias", "grcs": "gracias", "msj": "mensaje",
	"cdo": "cuándo", "cnd": "cuándo",
}

// spanishSpeller is the speller of the Spanish training data, built once:
// the understander's Spanish classifier reads through it, and the word
// rules that look at the customer's own words (asksToCancelOrder) ask it
// about words they do not know.
var spanishSpeller = sync.OnceValue(func() *speller {
	examples, err := train.ReadYAML(bytes.NewReader(nluSpanishYAML), "nlu.es.yaml")
	if err != nil {
		panic(err) // embedded data, read by every test: a programmer error
	}
	return newSpeller(examples, spanishYAML)
})

// accentWords are words whose accent makes another word ("esta" and
// "está", "cuanto" and "cuánto", "se" and "sé"): typed without it, they
// are left as they are.
var accentWords = map[string]bool{
	"esta": true, "este": true, "estas": true, "se": true, "si": true, "que": true, "como": true, "donde": true,
	"cuando": true, "cuanto": true, "cuanta": true, "cuantos": true, "cuantas": true, "cual": true, "cuales": true,
	"quien": true, "quienes": true, "mas": true, "tu": true, "el": true, "mi": true, "te": true, "de": true, "solo": true,
	"aun": true, "porque": true, "por": true,
}

// speller corrects the words of a Spanish text against the vocabulary of
// the Spanish training data.
type speller struct {
	forms   map[string]bool     // the training words, lower case, as written there
	byFold  map[string][]string // a training word without accents -> its forms in the training data
	known   map[string]bool     // words of the bot's replies, folded: words of their own, left alone
	bySound map[string]string   // sound key -> the one training word with that key ("" when several)
	long    []string            // the sound keys of training words of five letters or more
}

// newSpeller builds a speller for the training examples; extra holds
// more text whose words are Spanish (or English) words of their own, to
// leave alone (the bot's Spanish replies).
func newSpeller(examples []train.Example, extra ...[]byte) *speller {
	sp := &speller{forms: map[string]bool{}, byFold: map[string][]string{}, known: map[string]bool{}, bySound: map[string]string{}}
	for _, e := range examples {
		for _, w := range words(e.Text) {
			w = strings.ToLower(w)
			f := foldWord(w)
			if !sp.forms[w] {
				sp.forms[w] = true
				sp.byFold[f] = append(sp.byFold[f], w)
			}
			k := soundKey(f)
			if prev, ok := sp.bySound[k]; ok && prev != w && foldWord(prev) != f {
				sp.bySound[k] = "" // two words sound alike: neither is a safe guess
				continue
			}
			if _, ok := sp.bySound[k]; !ok {
				sp.bySound[k] = w
				if utf8.RuneCountInString(k) >= 5 {
					sp.long = append(sp.long, k)
				}
			}
		}
	}
	for _, x := range extra {
		for _, w := range words(string(x)) {
			sp.known[foldWord(w)] = true
		}
	}
	return sp
}

// classifier returns c reading text with its misspelt words corrected.
func (sp *speller) classifier(c intent.Classifier) intent.Classifier {
	return intent.ClassifierFunc(func(ctx context.Context, text string) (intent.Result, error) {
		return c.Classify(ctx, sp.correct(text))
	})
}

// correct returns text with each word the training data does not know
// replaced by the training word it stands for, when there is exactly one:
// the word with its accents ("direccion", "envio"), shorthand ("dnd"), a
// word that sounds the same ("kiero", "reenbolso", "ola"), or, for words
// of five letters or more, the one word a single slip away ("pedidio",
// "aydua"). Anything else, and any word of the bot's own replies, is left
// as it is.
func (sp *speller) correct(text string) string {
	var b strings.Builder
	start := -1
	flush := func(end int) {
		w := text[start:end]
		b.WriteString(sp.word(w))
		start = -1
	}
	for i, r := range text {
		letter := unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
		switch {
		case letter && start < 0:
			start = i
		case !letter && start >= 0:
			flush(i)
		}
		if !letter {
			b.WriteRune(r)
		}
	}
	if start >= 0 {
		flush(len(text))
	}
	return b.String()
}

// word returns the correction of one word, or the word.
func (sp *speller) word(w string) string {
	lw := strings.ToLower(w)
	if sp.forms[lw] {
		return w
	}
	f := foldWord(lw)
	if accentWords[f] {
		return w
	}
	if fs := sp.byFold[f]; len(fs) == 1 {
		return fs[0]
	} else if len(fs) > 1 || sp.known[f] {
		return w
	}
	if s, ok := spanishShorthand[f]; ok {
		return s
	}
	if utf8.RuneCountInString(f) < 3 {
		return w
	}
	k := soundKey(f)
	if to, ok := sp.bySound[k]; ok {
		if to == "" {
			return w
		}
		return to
	}
	if utf8.RuneCountInString(k) < 5 {
		return w
	}
	found := ""
	for _, lk := range sp.long {
		if slipAway(k, lk) {
			if found != "" {
				return w // two words a slip away: no guess
			}
			found = lk
		}
	}
	if found == "" || sp.bySound[found] == "" {
		return w
	}
	return sp.bySound[found]
}

// words returns the runs of letters of s.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) })
}

// foldWord lower-cases w and strips its accents (ñ stays ñ).
func foldWord(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		if unicode.Is(unicode.Mn, r) {
			if r == '\u0303' { // the tilde of ñ
				b.WriteRune(r)
			}
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// soundKey returns how a folded Spanish word sounds, spelt one way: qu
// and a hard c are k, a soft c and z are s, v is b, n before b is m, soft
// g is j, ll is y, h is silent (ch stays), and a doubled letter is one.
func soundKey(f string) string {
	rs := []rune(f)
	var out []rune
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		next := rune(0)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		soft := next == 'e' || next == 'i'
		switch {
		case r == 'q' && next == 'u':
			r = 'k'
			i++
		case r == 'c' && next == 'h':
			r = 'x'
			i++
		case r == 'c' && soft, r == 'z':
			r = 's'
		case r == 'c':
			r = 'k'
		case r == 'v', r == 'w':
			r = 'b'
		case r == 'g' && soft:
			r = 'j'
		case r == 'l' && next == 'l':
			r = 'y'
			i++
		case r == 'h':
			continue
		case r == 'n' && (next == 'b' || next == 'v' || next == 'p'):
			r = 'm'
		}
		if n := len(out); n > 0 && out[n-1] == r {
			continue
		}
		out = append(out, r)
	}
	return string(out)
}

// slipAway reports whether a and b, different, differ by one inserted,
// deleted or replaced letter between their first and their last, or by
// two neighbouring letters swapped after the first. A different ending is
// an inflection, not a slip ("espera" is not "espero", nor "semanas"
// "semana"), and a different first letter another word ("border" is not
// "order").
func slipAway(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if string(ra) == string(rb) || len(ra) == 0 || len(rb) == 0 || ra[0] != rb[0] {
		return false
	}
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	switch len(rb) - len(ra) {
	case 0:
		if i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && string(ra[i+2:]) == string(rb[i+2:]) {
			return true
		}
		return i+1 < len(ra) && string(ra[i+1:]) == string(rb[i+1:])
	case 1:
		return i < len(ra) && string(ra[i:]) == string(rb[i+1:])
	}
	return false
}
