package intent

import (
	"strings"
	"unicode"
	"unicode/utf8"

	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/spanish"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// maxTextBytes bounds the text the classifier looks at; a longer paste is
// truncated at a rune boundary so classification stays fast.
const maxTextBytes = 4096

// Normalize returns text in the form the classifier sees it: Unicode NFKC,
// case-folded, with runs of white space collapsed to one space. It is
// exported so that applications can de-duplicate training data the same
// way the classifier does.
func Normalize(text string) string {
	if len(text) > maxTextBytes {
		text = truncate(text, maxTextBytes)
	}
	text = norm.NFKC.String(text)
	text = cases.Fold().String(text)
	return strings.Join(strings.Fields(text), " ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// tokens splits normalised text into words: runs of letters, marks and
// digits. Apostrophes inside a word are dropped ("don't" becomes "dont").
func tokens(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		case r == '\'' || r == '’':
			// keep the word together
		default:
			flush()
		}
	}
	flush()
	return out
}

// stemFunc stems one lower-case word.
type stemFunc func(string) string

// stemmers maps a base language to its Snowball stemmer. It is read-only.
var stemmers = map[string]func(*snowball.Env) bool{
	"en": english.Stem,
	"es": spanish.Stem,
	"fr": french.Stem,
	"de": german.Stem,
	"it": italian.Stem,
	"pt": portuguese.Stem,
}

// stemmerFor returns the stemmer of a base language, or nil when there is
// none (the classifier then uses the words as they are).
func stemmerFor(lang string) stemFunc {
	f, ok := stemmers[lang]
	if !ok {
		return nil
	}
	return func(w string) string {
		if len(w) < 3 {
			return w
		}
		env := snowball.NewEnv(w)
		f(env)
		return env.Current()
	}
}
