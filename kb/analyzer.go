package kb

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"golang.org/x/text/unicode/norm"
)

// An Analyzer turns text into index terms: it splits Unicode text into
// words, folds case and diacritics, drops stop words and stems what is left.
// The zero value is not usable; use [NewAnalyzer] or [English].
//
// An Analyzer is safe for concurrent use. It caches stems, so reusing one
// Analyzer across indexes is cheaper than making many.
type Analyzer struct {
	stop map[string]bool
	// asks are the terms of words that say what kind of answer is wanted
	// ("how much", "cost", "price") rather than what it is about: a
	// passage that matches only these and stop words is not an answer.
	asks  map[string]bool
	stem  func(string) string
	cache sync.Map // folded word -> stem
	size  atomicCounter
}

// maxStemCache bounds the stem cache so that a stream of unique words (an
// attack or a typo storm) cannot grow memory without limit.
const maxStemCache = 1 << 17

// NewAnalyzer returns an Analyzer with the given stop words (already in
// lower case) and stemmer. A nil stem leaves words as they are.
func NewAnalyzer(stopWords []string, stem func(string) string) *Analyzer {
	a := &Analyzer{stop: make(map[string]bool, len(stopWords)), stem: stem}
	for _, w := range stopWords {
		a.stop[w] = true
	}
	return a
}

// English returns an Analyzer with English stop words and the Snowball
// English (Porter2) stemmer.
func English() *Analyzer {
	return NewAnalyzer(englishStopWords, stemEnglish).withAsks(englishAskWords)
}

// withAsks adds words to a's asks, as terms, and returns a. Only the
// built-in analyzers have asks.
func (a *Analyzer) withAsks(words []string) *Analyzer {
	if a.asks == nil {
		a.asks = make(map[string]bool, len(words))
	}
	for _, w := range words {
		a.asks[a.stemOf(w)] = true
	}
	return a
}

// englishAskWords ask for an amount or a price: "how much does premium
// cost" is about premium, and a passage that matches only "much" and
// "cost" ("How much does shipping cost?") does not answer it.
var englishAskWords = []string{"much", "many", "cost", "costs", "price", "prices", "pricing"}

func stemEnglish(w string) string {
	env := snowballstem.NewEnv(w)
	english.Stem(env)
	return env.Current()
}

// A Token is one analysed word: its term (folded and stemmed), and the
// folded surface form before stemming.
type Token struct {
	Term string
	Word string
	// Stop reports whether Word is a stop word.
	Stop bool
}

// Terms returns the index terms of text: folded, stop words removed,
// stemmed. If every word is a stop word, the stop words are kept, so that a
// query such as "who are you" still finds something.
func (a *Analyzer) Terms(text string) []string {
	toks := a.Tokens(text, nil)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if !t.Stop {
			out = append(out, t.Term)
		}
	}
	if len(out) == 0 {
		for _, t := range toks {
			out = append(out, t.Term)
		}
	}
	return out
}

// Tokens appends the tokens of text to dst and returns it.
func (a *Analyzer) Tokens(text string, dst []Token) []Token {
	for w := range words(text) {
		t := Token{Word: w, Stop: a.stop[w]}
		t.Term = a.stemOf(w)
		dst = append(dst, t)
	}
	return dst
}

func (a *Analyzer) stemOf(w string) string {
	if a.stem == nil {
		return w
	}
	if v, ok := a.cache.Load(w); ok {
		return v.(string)
	}
	s := a.stem(w)
	if a.size.add() <= maxStemCache {
		a.cache.Store(w, s)
	}
	return s
}

// words yields the folded words of s. A word is a run of letters, digits
// and combining marks, with inner apostrophes kept; each Han, Hiragana,
// Katakana or Thai character is a word of its own, since those scripts do
// not separate words with spaces.
func words(s string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		var buf []byte
		ascii := true
		flush := func() bool {
			if len(buf) == 0 {
				return true
			}
			// Trim apostrophes at the edges.
			b := buf
			for len(b) > 0 && b[len(b)-1] == '\'' {
				b = b[:len(b)-1]
			}
			for len(b) > 0 && b[0] == '\'' {
				b = b[1:]
			}
			var w string
			if ascii {
				w = string(b)
			} else {
				w = foldDiacritics(string(b))
			}
			buf, ascii = buf[:0], true
			if w == "" {
				return true
			}
			return yield(w)
		}
		for i := 0; i < len(s); {
			c := s[i]
			if c < utf8.RuneSelf {
				i++
				switch {
				case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
					buf = append(buf, c)
				case c >= 'A' && c <= 'Z':
					buf = append(buf, c+'a'-'A')
				case c == '\'':
					if len(buf) > 0 {
						buf = append(buf, c)
					}
				default:
					if !flush() {
						return
					}
				}
				continue
			}
			r, n := utf8.DecodeRuneInString(s[i:])
			i += n
			switch {
			case r == '\u2019' || r == '\u02bc':
				if len(buf) > 0 {
					buf = append(buf, '\'')
				}
			case isIdeograph(r):
				if !flush() {
					return
				}
				buf = utf8.AppendRune(buf, r)
				ascii = false
				if !flush() {
					return
				}
			case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
				buf = utf8.AppendRune(buf, unicode.ToLower(r))
				ascii = false
			default:
				if !flush() {
					return
				}
			}
		}
		flush()
	}
}

func isIdeograph(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Thai, r)
}

// foldDiacritics removes combining marks after canonical decomposition
// ("café" -> "cafe") and maps final sigma and sharp s to their folded forms.
func foldDiacritics(w string) string {
	d := norm.NFD.String(w)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'ς':
			r = 'σ'
		case r == 'ß':
			b.WriteString("ss")
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// englishStopWords is the Snowball English stop list, less the negations
// ("no", "not", "nor") that change what a question means, plus words that
// ask for information without saying about what: "info on returns" is
// about returns, and an unknown "info" made it half a question the
// help centre could not answer; and the chat spellings of "you", "are"
// and "your" ("when r u open").
var englishStopWords = []string{
	"info", "information", "details", "u", "r", "ur",
	"i", "me", "my", "myself", "we", "us", "our", "ours", "ourselves", "you", "your",
	"yours", "yourself", "yourselves", "he", "him", "his", "himself", "she", "her",
	"hers", "herself", "it", "its", "itself", "they", "them", "their", "theirs",
	"themselves", "what", "which", "who", "whom", "this", "that", "these", "those",
	"am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had",
	"having", "do", "does", "did", "doing", "would", "should", "could", "ought",
	"i'm", "you're", "he's", "she's", "it's", "we're", "they're", "i've", "you've",
	"we've", "they've", "i'd", "you'd", "he'd", "she'd", "we'd", "they'd", "i'll",
	"you'll", "he'll", "she'll", "we'll", "they'll", "let's", "that's", "who's",
	"what's", "here's", "there's", "when's", "where's", "why's", "how's", "a", "an",
	"the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at",
	"by", "for", "with", "about", "against", "between", "into", "through", "during",
	"before", "after", "above", "below", "to", "from", "up", "down", "in", "out",
	"on", "off", "over", "under", "again", "further", "then", "once", "here",
	"there", "when", "where", "why", "how", "all", "any", "both", "each", "few",
	"more", "most", "other", "some", "such", "only", "own", "same", "so", "than",
	"too", "very", "can", "will", "just", "s", "t", "also", "get", "got",
}
