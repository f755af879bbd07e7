package train

import (
	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/spanish"

	"github.com/parleyhq/parley/intent/internal/textnorm"
)

// Normalize returns text in the form the classifier sees it: Unicode NFKC,
// case-folded, with runs of white space collapsed to one space. It is
// exported so that applications can de-duplicate training data the same
// way the classifier does.
func Normalize(text string) string { return textnorm.Normalize(text) }

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
