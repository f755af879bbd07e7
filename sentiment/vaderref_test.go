package sentiment

// This file is a straight, unoptimised port of vaderSentiment.py
// (C.J. Hutto, MIT) used as the reference the fast engine's VADER mode is
// checked against, and as the speed peer in benchmarks. It keeps the
// original's structure (strings, slices and maps built per call) on
// purpose.

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type refVADER struct {
	lexicon map[string]float64
	emojis  map[rune]string
}

func newRefVADER() *refVADER {
	r := &refVADER{lexicon: map[string]float64{}, emojis: map[rune]string{}}
	for line := range strings.SplitSeq(vaderLexicon, "\n") {
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		r.lexicon[f[0]] = v
	}
	for line := range strings.SplitSeq(emojiLexicon, "\n") {
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(f) < 2 {
			continue
		}
		if c, n := utf8.DecodeRuneInString(f[0]); n == len(f[0]) {
			r.emojis[c] = f[1]
		}
	}
	return r
}

var refNegate = []string{"aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
	"ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
	"dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
	"don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
	"neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
	"oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
	"oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
	"without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite"}

func refNegated(words []string) bool {
	for _, w := range words {
		w = strings.ToLower(w)
		for _, n := range refNegate {
			if w == n {
				return true
			}
		}
	}
	for _, w := range words {
		if strings.Contains(strings.ToLower(w), "n't") {
			return true
		}
	}
	return false
}

func refNormalize(score float64) float64 {
	n := score / math.Sqrt(score*score+15)
	return max(-1, min(1, n))
}

func pyIsUpper(s string) bool {
	cased := false
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) || unicode.IsTitle(r) {
			cased = true
		}
	}
	return cased
}

func refAllCapDifferential(words []string) bool {
	all := 0
	for _, w := range words {
		if pyIsUpper(w) {
			all++
		}
	}
	d := len(words) - all
	return d > 0 && d < len(words)
}

func refScalarIncDec(word string, valence float64, capDiff bool) float64 {
	scalar := 0.0
	if b, ok := boosterWords[strings.ToLower(word)]; ok {
		scalar = b
		if valence < 0 {
			scalar *= -1
		}
		if pyIsUpper(word) && capDiff {
			if valence > 0 {
				scalar += cIncr
			} else {
				scalar -= cIncr
			}
		}
	}
	return scalar
}

func refWords(text string) []string {
	wes := strings.FieldsFunc(text, pyIsSpace)
	out := make([]string, 0, len(wes))
	for _, w := range wes {
		s := strings.Trim(w, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
		if utf8.RuneCountInString(s) <= 2 {
			out = append(out, w)
		} else {
			out = append(out, s)
		}
	}
	return out
}

func (r *refVADER) polarity(text string) (compound, pos, neg, neu float64) {
	var b strings.Builder
	prevSpace := true
	for _, c := range text {
		if d, ok := r.emojis[c]; ok {
			if !prevSpace {
				b.WriteByte(' ')
			}
			b.WriteString(d)
			prevSpace = false
		} else {
			b.WriteRune(c)
			prevSpace = c == ' '
		}
	}
	text = strings.TrimFunc(b.String(), pyIsSpace)
	words := refWords(text)
	capDiff := refAllCapDifferential(words)
	var sentiments []float64
	for i, item := range words {
		lw := strings.ToLower(item)
		if _, ok := boosterWords[lw]; ok {
			sentiments = append(sentiments, 0)
			continue
		}
		if i < len(words)-1 && lw == "kind" && strings.ToLower(words[i+1]) == "of" {
			sentiments = append(sentiments, 0)
			continue
		}
		sentiments = append(sentiments, r.valence(words, capDiff, item, i))
	}
	sentiments = refButCheck(words, sentiments)
	return r.scoreValence(sentiments, text)
}

func (r *refVADER) valence(words []string, capDiff bool, item string, i int) float64 {
	lower := make([]string, len(words))
	for j, w := range words {
		lower[j] = strings.ToLower(w)
	}
	li := lower[i]
	v, ok := r.lexicon[li]
	if !ok {
		return 0
	}
	if li == "no" && i != len(words)-1 {
		if _, ok := r.lexicon[lower[i+1]]; ok {
			v = 0
		}
	}
	if (i > 0 && lower[i-1] == "no") || (i > 1 && lower[i-2] == "no") ||
		(i > 2 && lower[i-3] == "no" && (lower[i-1] == "or" || lower[i-1] == "nor")) {
		v = r.lexicon[li] * nScalar
	}
	if pyIsUpper(item) && capDiff {
		if v > 0 {
			v += cIncr
		} else {
			v -= cIncr
		}
	}
	for start := 0; start < 3; start++ {
		if i > start {
			if _, in := r.lexicon[lower[i-(start+1)]]; !in {
				s := refScalarIncDec(words[i-(start+1)], v, capDiff)
				if start == 1 && s != 0 {
					s *= 0.95
				}
				if start == 2 && s != 0 {
					s *= 0.9
				}
				v += s
				v = refNegationCheck(v, lower, start, i)
				if start == 2 {
					v = refSpecialIdioms(v, lower, i)
				}
			}
		}
	}
	return r.leastCheck(v, lower, i)
}

func (r *refVADER) leastCheck(v float64, lower []string, i int) float64 {
	if i > 1 {
		if _, in := r.lexicon[lower[i-1]]; !in && lower[i-1] == "least" {
			if lower[i-2] != "at" && lower[i-2] != "very" {
				v *= nScalar
			}
			return v
		}
	}
	if i > 0 {
		if _, in := r.lexicon[lower[i-1]]; !in && lower[i-1] == "least" {
			v *= nScalar
		}
	}
	return v
}

func refNegationCheck(v float64, lower []string, start, i int) float64 {
	switch start {
	case 0:
		if refNegated([]string{lower[i-1]}) {
			v *= nScalar
		}
	case 1:
		if lower[i-2] == "never" && (lower[i-1] == "so" || lower[i-1] == "this") {
			v *= 1.25
		} else if lower[i-2] == "without" && lower[i-1] == "doubt" {
		} else if refNegated([]string{lower[i-2]}) {
			v *= nScalar
		}
	case 2:
		if lower[i-3] == "never" && (lower[i-2] == "so" || lower[i-2] == "this") || (lower[i-1] == "so" || lower[i-1] == "this") {
			v *= 1.25
		} else if lower[i-3] == "without" && (lower[i-2] == "doubt" || lower[i-1] == "doubt") {
		} else if refNegated([]string{lower[i-3]}) {
			v *= nScalar
		}
	}
	return v
}

func refSpecialIdioms(v float64, lower []string, i int) float64 {
	onezero := lower[i-1] + " " + lower[i]
	twoonezero := lower[i-2] + " " + lower[i-1] + " " + lower[i]
	twoone := lower[i-2] + " " + lower[i-1]
	threetwoone := lower[i-3] + " " + lower[i-2] + " " + lower[i-1]
	threetwo := lower[i-3] + " " + lower[i-2]
	for _, seq := range []string{onezero, twoonezero, twoone, threetwoone, threetwo} {
		if s, ok := specialCases[seq]; ok {
			v = s
			break
		}
	}
	if len(lower)-1 > i {
		if s, ok := specialCases[lower[i]+" "+lower[i+1]]; ok {
			v = s
		}
	}
	if len(lower)-1 > i+1 {
		if s, ok := specialCases[lower[i]+" "+lower[i+1]+" "+lower[i+2]]; ok {
			v = s
		}
	}
	for _, ng := range []string{threetwoone, threetwo, twoone} {
		if b, ok := boosterWords[ng]; ok {
			v += b
		}
	}
	return v
}

// refButCheck reproduces the original, including its use of
// list.index(value), which finds the first equal value.
func refButCheck(words []string, s []float64) []float64 {
	bi := -1
	for i, w := range words {
		if strings.ToLower(w) == "but" {
			bi = i
			break
		}
	}
	if bi < 0 {
		return s
	}
	for k := 0; k < len(s); k++ {
		v := s[k]
		si := 0
		for s[si] != v {
			si++
		}
		if si < bi {
			s[si] = v * 0.5
		} else if si > bi {
			s[si] = v * 1.5
		}
	}
	return s
}

func (r *refVADER) scoreValence(s []float64, text string) (compound, pos, neg, neu float64) {
	if len(s) == 0 {
		return 0, 0, 0, 0
	}
	sum := 0.0
	for _, v := range s {
		sum += v
	}
	ep := min(strings.Count(text, "!"), 4)
	amp := float64(ep) * 0.292
	if qm := strings.Count(text, "?"); qm > 1 {
		if qm <= 3 {
			amp += float64(qm) * 0.18
		} else {
			amp += 0.96
		}
	}
	if sum > 0 {
		sum += amp
	} else if sum < 0 {
		sum -= amp
	}
	compound = refNormalize(sum)
	var ps, ns float64
	nc := 0
	for _, v := range s {
		if v > 0 {
			ps += v + 1
		}
		if v < 0 {
			ns += v - 1
		}
		if v == 0 {
			nc++
		}
	}
	if ps > math.Abs(ns) {
		ps += amp
	} else if ps < math.Abs(ns) {
		ns -= amp
	}
	total := ps + math.Abs(ns) + float64(nc)
	return compound, math.Abs(ps / total), math.Abs(ns / total), math.Abs(float64(nc) / total)
}
