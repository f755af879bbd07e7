// Package textnorm normalises text the way the intent classifier and
// its language detector see it. It is shared by package intent and
// intent/train.
package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// maxTextBytes bounds the text the classifier looks at; a longer paste is
// truncated at a rune boundary so classification stays fast.
const maxTextBytes = 4096

// Normalize returns text in the form the classifier sees it: Unicode NFKC,
// case-folded, with runs of white space collapsed to one space.
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

// Tokens splits normalised text into words: runs of letters, marks and
// digits. Apostrophes inside a word are dropped ("don't" becomes "dont").
func Tokens(text string) []string {
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
