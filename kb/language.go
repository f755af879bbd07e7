package kb

import (
	"errors"
	"fmt"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/danish"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/finnish"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/hungarian"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/norwegian"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/romanian"
	"github.com/blevesearch/snowballstem/russian"
	"github.com/blevesearch/snowballstem/spanish"
	"github.com/blevesearch/snowballstem/swedish"
	"github.com/blevesearch/snowballstem/turkish"
	"golang.org/x/text/language"
)

// ErrLanguage is returned by [ForLanguage] for a language it has no
// stemmer for.
var ErrLanguage = errors.New("kb: unsupported language")

// stemmers maps ISO 639-1 codes to Snowball stemmers.
var stemmers = map[string]func(*snowballstem.Env) bool{
	"da": danish.Stem, "nl": dutch.Stem, "fi": finnish.Stem, "fr": french.Stem, "de": german.Stem,
	"hu": hungarian.Stem, "it": italian.Stem, "no": norwegian.Stem, "nb": norwegian.Stem, "pt": portuguese.Stem,
	"ro": romanian.Stem, "ru": russian.Stem, "es": spanish.Stem, "sv": swedish.Stem, "tr": turkish.Stem,
}

// ForLanguage returns an Analyzer for a BCP 47 language tag ("es-MX",
// "de"): [English] for English, and for Danish, Dutch, Finnish, French,
// German, Hungarian, Italian, Norwegian, Portuguese, Romanian, Russian,
// Spanish, Swedish and Turkish the Snowball stemmer with no stop words.
// Other languages give [ErrLanguage]; [NewAnalyzer](nil, nil) indexes any
// language without stemming.
func ForLanguage(tag string) (*Analyzer, error) {
	t, err := language.Parse(tag)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrLanguage, tag, err)
	}
	base, _ := t.Base() // the confidence does not matter: we only map known bases
	code := base.String()
	if code == "en" {
		return English(), nil
	}
	stem, ok := stemmers[code]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrLanguage, tag)
	}
	return NewAnalyzer(nil, func(w string) string {
		env := snowballstem.NewEnv(w)
		stem(env)
		return env.Current()
	}), nil
}
