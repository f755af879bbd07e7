package sentiment

import (
	"math/bits"
	"slices"
	"unicode"
	"unicode/utf8"
)

// This file turns a text into the sparse hashed features of the trained
// model: lower-cased word unigrams and bigrams, unigrams in the scope of a
// negation, and character 4-grams of words (robust to typos and
// unseen inflections). Digits collapse to one shape, @mentions and URLs to
// one token each, so that order numbers and handles do not matter.

// maxFeatureTokens caps the tokens a text contributes: a 10 KB paste costs
// no more than a long message.
const maxFeatureTokens = 256

// Feature kinds, mixed into the hash.
const (
	seedWord    = 0x9e3779b97f4a7c15
	seedBigram  = 0xc2b2ae3d27d4eb4f
	seedNegated = 0x165667b19e3779f9
	seedChar    = 0x27d4eb2f165667c5
	seedShape   = 0x85ebca77c2b2ae63
	seedFirst   = 0x94d049bb133111eb
	seedLength  = 0xbf58476d1ce4e5b9
	seedTrigram = 0xd6e8feb86659fd93
	seedSkip    = 0xa0761d6478bd642f
	seedCue     = 0xe7037ed1a0b428db
)

// Extra feature families (featureConfig.extra bits): tuning ablations,
// none of them in the shipped model, as none helped on dev
// (BENCHMARKS.md, session 9).
const (
	extraTrigram = 1 << iota // word trigrams
	extraSkip                // skip-bigrams: a word and the word two before it
	extraCue                 // confusion phrases ("how do i", "don't get", "what does ... mean")
)

func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// featurizer holds the reusable buffers of one extraction.
type featurizer struct {
	word   []byte   // current lower-cased word
	hashes []uint64 // word hashes, in order
	feats  []uint32 // bucket indexes of the word features found
	chars  []uint32 // bucket indexes of the character n-grams
	words  int      // tokens with letters
	shout  int      // words of three letters or more in capitals
	excl   int      // '!' count
	quest  int      // '?' count
	// ask: a negated intent ("I don't want to cancel", "don't need")
	// followed by a question, a question word opening a later clause
	// ("what are my options", "is there ...") or a question mark. The
	// customer asks what else there is: not, as on Reddit, disapproval.
	ask bool
}

// featureConfig says which feature families to extract.
type featureConfig struct {
	bits     uint8 // log2 of the number of buckets
	charMin  uint8 // character n-gram orders; 0 disables
	charMax  uint8
	negation bool
	extra    uint8 // extra* bits
}

func (f *featurizer) reset() {
	f.word = f.word[:0]
	f.hashes = f.hashes[:0]
	f.feats = f.feats[:0]
	f.chars = f.chars[:0]
	f.shout, f.excl, f.quest, f.words = 0, 0, 0, 0
	f.ask = false
}

// extract fills f.feats and f.chars with the bucket of every feature of
// text.
func (f *featurizer) extract(text string, c featureConfig) {
	f.reset()
	mask := uint64(1)<<c.bits - 1
	add := func(h uint64) { f.feats = append(f.feats, uint32(mix64(h)&mask)) }
	var prev uint64 = seedBigram // sentence start
	var prev2 uint64 = seedBigram
	var first uint64
	negScope := 0
	// Negated intent, then a question (see featurizer.ask).
	negIntent, clauseStart := false, true
	upper, letters := 0, 0
	kind := byte(0) // 'w' word, 'n' number, 'm' mention, 'u' url
	flush := func() {
		if len(f.word) == 0 {
			return
		}
		if len(f.hashes) >= maxFeatureTokens {
			f.word = f.word[:0]
			return
		}
		w := f.word
		switch kind {
		case 'n':
			w = append(w[:0], '0')
		case 'm':
			w = append(w[:0], '@')
		}
		if kind == 'u' || isURLStart(w) {
			w = append(w[:0], "http"...)
		}
		h := wordHash(w)
		f.hashes = append(f.hashes, h)
		switch {
		case negScope > 0 && isIntent(w):
			negIntent = true
		case negIntent && (kind == 'p' && w[0] == '?' || clauseStart && isQuestionWord(w)):
			f.ask = true
		}
		clauseStart = false
		add(h)
		add(prev*31 ^ h)
		if c.extra&extraTrigram != 0 {
			add((prev2*31^prev)*31 ^ h ^ seedTrigram)
		}
		if c.extra&extraSkip != 0 {
			add(prev2*37 ^ h ^ seedSkip)
		}
		prev2, prev = prev, h
		if c.negation && negScope > 0 {
			add(h ^ seedNegated)
			negScope--
		}
		if isNegatorHash(w, h) {
			negScope = 3
		}
		if kind == 'w' {
			f.words++
		}
		if letters >= 3 && upper == letters && !notShouting(w) {
			f.shout++
		}
		if len(f.hashes) == 1 {
			// The opening word ("why", "wait", "thanks") and whether the
			// text asks something come out below.
			first = h
		}
		if c.charMax > 0 && kind == 'w' && len(w) >= 3 && len(w) <= 24 {
			f.charGrams(w, c, mask)
		}
		f.word = w[:0]
		upper, letters, kind = 0, 0, 0
	}
	for i := 0; i < len(text); {
		b := text[i]
		if b < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= b && b <= 'z':
				// Take the whole run of lower-case letters at once.
				j := i
				for j+8 <= len(text) {
					if m := notLowerBytes(load64(text, j)); m != 0 {
						j += bits.TrailingZeros64(m) >> 3
						break
					}
					j += 8
				}
				for j < len(text) && 'a' <= text[j] && text[j] <= 'z' {
					j++
				}
				letters += j - i + 1
				if kind == 0 || kind == 'n' {
					kind = 'w'
				}
				f.word = append(f.word, text[i-1:j]...)
				i = j
			case b == ' ':
				// The commonest separator, ahead of the cases below (as
				// the default case does for it).
				if len(f.word) > 0 {
					flush()
				}
			case 'A' <= b && b <= 'Z':
				letters++
				upper++
				if kind == 0 || kind == 'n' {
					kind = 'w'
				}
				f.word = append(f.word, b+'a'-'A')
			case '0' <= b && b <= '9':
				if kind == 0 {
					kind = 'n'
				}
				f.word = append(f.word, b)
			case b == '\'' && len(f.word) > 0 && i < len(text) && isASCIILetter(text[i]):
				f.word = append(f.word, b)
			case b == '@' && len(f.word) == 0:
				kind = 'm'
				f.word = append(f.word, b)
			case (b == '.' || b == '/' || b == ':' || b == '_' || b == '-') && len(f.word) > 0 && (kind == 'm' || kind == 'u' || isURLStart(f.word)):
				if kind != 'm' {
					kind = 'u'
				}
				f.word = append(f.word, b)
			case b == '!' || b == '?':
				flush()
				if b == '!' {
					f.excl++
				} else {
					f.quest++
				}
				// Punctuation runs are tokens of their own: "!", "?", "!!", "?!".
				j := i
				for j < len(text) && (text[j] == '!' || text[j] == '?') {
					if text[j] == '!' {
						f.excl++
					} else {
						f.quest++
					}
					j++
				}
				tok := []byte{b}
				if j > i {
					tok = append(tok, text[j-1])
				}
				i = j
				f.word = append(f.word[:0], tok...)
				kind = 'p'
				flush()
				negScope = 0
			default:
				if len(f.word) > 0 {
					flush() // a no-op on an empty word; most spaces follow punctuation or a flushed word
				}
				if b == '.' || b == ',' || b == ';' || b == ':' {
					negScope = 0
					clauseStart = true
				}
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		if r != utf8.RuneError && unicode.IsLetter(r) {
			if kind == 0 || kind == 'n' {
				kind = 'w'
			}
			letters++
			if unicode.IsUpper(r) {
				upper++
				r = unicode.ToLower(r)
			}
			f.word = utf8.AppendRune(f.word, r)
			i += n
			continue
		}
		flush()
		i += n
		if r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsMark(r) || r == 0xfe0f || r == 0x200d {
			continue
		}
		// An emoji or symbol is a token of its own.
		f.word = utf8.AppendRune(f.word[:0], r)
		kind = 'e'
		flush()
	}
	flush()
	if c.extra&extraCue != 0 {
		if k := confusionCue(f.hashes); k != 0 {
			add(seedCue ^ k)
			add(seedCue)
		}
	}
	if f.shout > 0 && codeLike(text) {
		f.shout = 0
	}
	if f.shout > 0 {
		add(seedShape ^ uint64(min(f.shout, 3)))
	}
	if len(f.hashes) > 0 {
		q := uint64(0)
		if f.quest > 0 {
			q = 1
		}
		add(first ^ seedFirst ^ q)
		// Length bucket: short outbursts read differently from essays.
		add(seedLength ^ uint64(min(len(f.hashes)/4, 8)) ^ q<<8)
	}
}

// charGrams adds the character n-grams of w with boundary marks. The
// hash of each n-gram extends that of the (n-1)-gram at the same start.
func (f *featurizer) charGrams(w []byte, c featureConfig, mask uint64) {
	var arr [26]byte
	b := append(append(append(arr[:0], '<'), w...), '>')
	lo, hi := int(c.charMin), int(c.charMax)
	if lo == 4 && hi == 4 {
		// The shipped model's 4-grams: the same hashes, without the
		// loop over orders. charStart[x] is the hash after the first byte.
		n := len(b) - 3
		k := len(f.chars)
		f.chars = slices.Grow(f.chars, n)[:k+n]
		out := f.chars[k : k+n]
		for s := range out {
			g := b[s : s+4 : s+4]
			h := (charStart[g[0]] ^ uint64(g[1])) * 0x100000001b3
			h = (h ^ uint64(g[2])) * 0x100000001b3
			h = (h ^ uint64(g[3])) * 0x100000001b3
			out[s] = uint32(mix64(h) & mask)
		}
		return
	}
	for s := 0; s+lo <= len(b); s++ {
		h := uint64(seedChar)
		for n := 1; n <= hi && s+n <= len(b); n++ {
			h = (h ^ uint64(b[s+n-1])) * 0x100000001b3
			if n >= lo {
				f.chars = append(f.chars, uint32(mix64(h)&mask))
			}
		}
	}
}

// charStart[x] is the hash of a character n-gram after its first byte x.
var charStart = func() (t [256]uint64) {
	for x := range t {
		t[x] = (seedChar ^ uint64(x)) * 0x100000001b3
	}
	return t
}()

func isASCIILetter(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

func isURLStart(w []byte) bool {
	return len(w) >= 4 && (string(w[:4]) == "http" || string(w[:4]) == "www")
}

// isIntent reports whether w, negated, states an intent ("don't want",
// "do not need").
func isIntent(w []byte) bool {
	switch string(w) {
	case "want", "wanna", "need", "wish", "plan", "intend", "mean":
		return true
	}
	return false
}

// isQuestionWord reports whether w opens a question.
func isQuestionWord(w []byte) bool {
	switch string(w) {
	case "what", "what's", "whats", "how", "which", "where", "can", "could", "is", "are", "do", "does", "any", "should", "would", "will":
		return true
	}
	return false
}

// negators are the words that open a negation scope, besides any word
// ending in "n't".
var negators = newWordSet("not", "no", "never", "cannot", "nothing", "nobody", "none", "neither", "nor", "without",
	"dont", "cant", "wont", "isnt", "didnt", "doesnt", "wasnt", "arent", "havent", "hasnt")

// isNegatorHash reports whether w, whose [wordHash] is h, opens a
// negation scope.
func isNegatorHash(w []byte, h uint64) bool {
	n := len(w)
	return n > 3 && w[n-3] == 'n' && w[n-2] == '\'' && w[n-1] == 't' || negators.has(w, h)
}

// wordSet is a small set of words keyed by [wordHash]: a 1024-bit filter
// on the hash, then the words with that hash compared, cheaper than a
// switch on the string for a word that is not in the set (most).
type wordSet struct {
	bits   [1024 / 64]uint64
	hashes []uint64
	words  []string
}

func newWordSet(words ...string) *wordSet {
	s := &wordSet{words: words}
	for _, w := range words {
		h := wordHash([]byte(w))
		s.hashes = append(s.hashes, h)
		s.bits[h%1024/64] |= 1 << (h % 64)
	}
	return s
}

// has reports whether w, whose wordHash is h, is in the set.
func (s *wordSet) has(w []byte, h uint64) bool {
	if s.bits[h%1024/64]&(1<<(h%64)) == 0 {
		return false
	}
	for i, x := range s.hashes {
		if x == h && s.words[i] == string(w) {
			return true
		}
	}
	return false
}

// confusionCue returns a nonzero code for a confusion phrase in the
// words with hashes hs ("how do i", "what do you mean", "what ... mean",
// "don't get", "don't understand", "confused", "no idea", "makes no
// sense", a question opening with why/how/what). A tuning ablation only
// (extraCue): it added nothing on dev (BENCHMARKS.md, session 9).
func confusionCue(hs []uint64) uint64 {
	is := func(i int, ws ...string) bool {
		if i >= len(hs) {
			return false
		}
		for _, w := range ws {
			if hs[i] == wordHash([]byte(w)) {
				return true
			}
		}
		return false
	}
	what := false
	for i := range hs {
		switch {
		case is(i, "how") && (is(i+1, "do") && is(i+2, "i") || is(i+1, "come")):
			return 1
		case is(i, "what") && is(i+1, "do") && is(i+2, "you") && is(i+3, "mean"):
			return 2
		case is(i, "what"):
			what = true
		case is(i, "mean") && what:
			return 3
		case is(i, "don't", "dont", "not") && (is(i+1, "get", "understand") || is(i+2, "understand")):
			return 4
		case is(i, "confused", "confusing"):
			return 5
		case is(i, "no") && is(i+1, "idea"):
			return 6
		case is(i, "makes") && is(i+1, "no") && is(i+2, "sense"):
			return 7
		}
	}
	if is(0, "why", "how", "what") && slices.Contains(hs, wordHash([]byte("?"))) {
		return 8
	}
	return 0
}
