package sentiment

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// A LexiconError reports a bad line in a lexicon file.
type LexiconError struct {
	Line int
	Err  error
}

// Error implements the error interface.
func (e *LexiconError) Error() string {
	return fmt.Sprintf("sentiment: lexicon line %d: %v", e.Line, e.Err)
}

// Unwrap returns the cause.
func (e *LexiconError) Unwrap() error { return e.Err }

// ParseLexicon reads a lexicon in VADER's format, one entry a line:
// a word, a tab, its valence in [-4, 4], optionally more tab-separated
// fields (ignored). Blank lines and lines starting with "#" are skipped.
// Use it with [WithWords] to add a domain lexicon or another language's:
//
//	words, err := sentiment.ParseLexicon(f)
//	an, err := sentiment.NewLexical(sentiment.WithWords(words))
//
// It returns a [*LexiconError] for the first bad line.
func ParseLexicon(r io.Reader) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, rest, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, &LexiconError{Line: n, Err: fmt.Errorf("want word<TAB>valence, got %q", line)}
		}
		val, _, _ := strings.Cut(rest, "\t")
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return nil, &LexiconError{Line: n, Err: err}
		}
		word = strings.ToLower(strings.TrimSpace(word))
		switch {
		case word == "" || strings.ContainsFunc(word, pyIsSpace):
			return nil, &LexiconError{Line: n, Err: fmt.Errorf("word %q must be one token", word)}
		case math.IsNaN(v) || v < -4 || v > 4:
			return nil, &LexiconError{Line: n, Err: fmt.Errorf("valence %v out of [-4, 4]", v)}
		}
		out[word] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sentiment: read lexicon: %w", err)
	}
	return out, nil
}
