package kb

import (
	"errors"
	"fmt"
	"slices"

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
// "de"): [English] for English; for Spanish the Snowball stemmer and
// Spanish stop words (less the negations "no", "ni" and "sin"); for
// Danish, Dutch, Finnish, French, German, Hungarian, Italian, Norwegian,
// Portuguese, Romanian, Russian, Swedish and Turkish the Snowball stemmer
// with no stop words. Other languages give [ErrLanguage];
// [NewAnalyzer](nil, nil) indexes any language without stemming.
//
// With more tags, the Analyzer is for a knowledge base asked in several
// languages at once (FAQ entries with English and Spanish phrasings): the
// stop words of every language are stop words, so that "el", "del" and
// "muy" weigh no more in a short Spanish question than "the" and "of" in
// an English one, and words are stemmed as in the first language.
func ForLanguage(tag string, more ...string) (*Analyzer, error) {
	code, stop, stem, err := language1(tag)
	if err != nil {
		return nil, err
	}
	if code == "en" && len(more) == 0 {
		return English(), nil
	}
	asks := slices.Clip(askWords[code])
	for _, m := range more {
		c, s, _, err := language1(m)
		if err != nil {
			return nil, err
		}
		stop = append(slices.Clip(stop), s...)
		asks = append(asks, askWords[c]...)
	}
	return NewAnalyzer(stop, stem).withAsks(asks), nil
}

// askWords are the words that ask for an amount or a price, by language
// (see Analyzer.asks), folded.
var askWords = map[string][]string{
	"en": englishAskWords,
	"es": {"cuanto", "cuanta", "cuantos", "cuantas", "cuesta", "cuestan", "costo", "coste", "precio", "precios"},
}

// language1 returns the ISO 639-1 code, stop words and stemmer of a
// language tag.
func language1(tag string) (code string, stop []string, stem func(string) string, err error) {
	t, err := language.Parse(tag)
	if err != nil {
		return "", nil, nil, fmt.Errorf("%w %q: %v", ErrLanguage, tag, err)
	}
	base, _ := t.Base() // the confidence does not matter: we only map known bases
	code = base.String()
	if code == "en" {
		return code, englishStopWords, stemEnglish, nil
	}
	snow, ok := stemmers[code]
	if !ok {
		return "", nil, nil, fmt.Errorf("%w %q", ErrLanguage, tag)
	}
	if code == "es" {
		stop = spanishStopWords
	}
	return code, stop, func(w string) string {
		env := snowballstem.NewEnv(w)
		snow(env)
		return env.Current()
	}, nil
}

// spanishStopWords is the Snowball Spanish stop list, folded (no accents),
// less the negations ("no", "ni", "sin") that change what a question
// means and the words that are also content: "son" (English), "estado"
// (an order's status), "sentido", plus words that ask for information
// without saying about what ("información de devoluciones").
var spanishStopWords = []string{
	"info", "informacion", "detalles",
	"de", "la", "que", "el", "en", "y", "a", "los", "del", "se", "las", "por", "un", "para", "con",
	"una", "su", "al", "lo", "como", "mas", "pero", "sus", "le", "ya", "o", "este", "si", "porque",
	"esta", "entre", "cuando", "muy", "sobre", "tambien", "me", "hasta", "hay", "donde", "quien",
	"desde", "todo", "nos", "durante", "todos", "uno", "les", "contra", "otros", "ese", "eso", "ante",
	"ellos", "e", "esto", "mi", "antes", "algunos", "unos", "yo", "otro", "otras", "otra", "tanto",
	"esa", "estos", "mucho", "quienes", "nada", "muchos", "cual", "poco", "ella", "estar", "estas",
	"algunas", "algo", "nosotros", "mis", "tu", "te", "ti", "tus", "ellas", "nosotras", "vosotros",
	"vosotras", "os", "mio", "mia", "mios", "mias", "tuyo", "tuya", "tuyos", "tuyas", "suyo", "suya",
	"suyos", "suyas", "nuestro", "nuestra", "nuestros", "nuestras", "vuestro", "vuestra", "vuestros",
	"vuestras", "esos", "esas", "estoy", "estas", "esta", "estamos", "estais", "estan", "este",
	"estes", "estemos", "esteis", "esten", "estaba", "estabas", "estabamos", "estaban", "estuve",
	"estuvo", "estuvieron", "he", "has", "ha", "hemos", "habeis", "han", "haya", "hayas", "hayamos",
	"hayan", "habia", "habias", "habiamos", "habian", "hube", "hubo", "soy", "eres", "es", "somos",
	"sois", "sea", "seas", "seamos", "sean", "era", "eras", "eramos", "eran", "fui", "fue", "fuimos",
	"fueron", "tengo", "tienes", "tiene", "tenemos", "teneis", "tienen", "tenga", "tengas", "tengamos",
	"tengan", "tenia", "tenias", "teniamos", "tenian", "tuve", "tuvo", "tuvieron", "tan",
}
