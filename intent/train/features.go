package train

import (
	"math"
	"slices"
	"strings"

	"github.com/parleyhq/parley/intent/internal/textnorm"
)

// Feature groups. Each group's block of the feature vector is L2
// normalised on its own, so that words and character n-grams weigh the
// same whatever their counts (as a union of two TF-IDF vectorisers).
const (
	groupWord = iota // stemmed words and word bigrams
	groupChar        // character n-grams inside word boundaries
	numGroups
)

// featureConfig fixes how text becomes features. It is saved with a model.
type featureConfig struct {
	Lang     string // base language for stemming ("en"); "" for none
	CharMin  int    // smallest character n-gram
	CharMax  int    // largest character n-gram
	Bigrams  bool   // word bigrams
	MaxChars int    // words longer than this contribute no n-grams
}

func defaultFeatureConfig(lang string) featureConfig {
	return featureConfig{Lang: lang, CharMin: 1, CharMax: 5, Bigrams: true, MaxChars: 30}
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func hashByte(h uint64, b byte) uint64 {
	h ^= uint64(b)
	h *= fnvPrime
	return h
}

// rawFeature is a hashed feature before vocabulary lookup.
type rawFeature struct {
	hash  uint64
	group uint8
	// soft features (from words with digits: order numbers, amounts)
	// do not count towards the norm when unseen: an unknown order number
	// is no sign of an unknown topic.
	soft bool
}

// extractor turns normalised text into hashed features. It is immutable.
type extractor struct {
	cfg  featureConfig
	stem stemFunc
}

func newExtractor(cfg featureConfig) *extractor {
	return &extractor{cfg: cfg, stem: stemmerFor(cfg.Lang)}
}

// raw appends the hashed features of normalised text to dst. A feature may
// appear more than once; counts are its term frequency.
func (x *extractor) raw(dst []rawFeature, text string) []rawFeature {
	words := textnorm.Tokens(text)
	prev := uint64(0)
	for i, w := range words {
		s := w
		if x.stem != nil {
			s = x.stem(w)
		}
		soft := strings.ContainsAny(w, "0123456789")
		hw := hashString(hashByte(fnvOffset, 'w'), s)
		dst = append(dst, rawFeature{hw, groupWord, soft})
		if x.cfg.Bigrams && i > 0 {
			hb := hashString(hashByte(hashByte(prev, ' '), 'b'), s)
			dst = append(dst, rawFeature{hb, groupWord, soft})
		}
		prev = hashString(hashByte(fnvOffset, 'b'), s)
		dst = x.chars(dst, w, soft)
	}
	return dst
}

// chars appends the character n-grams of " w ".
func (x *extractor) chars(dst []rawFeature, w string, soft bool) []rawFeature {
	rs := make([]rune, 0, len(w)+2)
	rs = append(rs, ' ')
	for _, r := range w {
		rs = append(rs, r)
	}
	rs = append(rs, ' ')
	if len(rs)-2 > x.cfg.MaxChars {
		return dst
	}
	var buf [4]byte
	for i := range rs {
		h := hashByte(fnvOffset, 'c')
		for n := 1; n <= x.cfg.CharMax && i+n <= len(rs); n++ {
			r := rs[i+n-1]
			if r < 0x80 {
				h = hashByte(h, byte(r))
			} else {
				k := encodeRune(buf[:], r)
				for _, b := range buf[:k] {
					h = hashByte(h, b)
				}
			}
			if n >= x.cfg.CharMin {
				dst = append(dst, rawFeature{h, groupChar, soft})
			}
		}
	}
	return dst
}

func encodeRune(p []byte, r rune) int {
	switch {
	case r < 0x800:
		p[0] = byte(0xC0 | r>>6)
		p[1] = byte(0x80 | r&0x3F)
		return 2
	case r < 0x10000:
		p[0] = byte(0xE0 | r>>12)
		p[1] = byte(0x80 | (r>>6)&0x3F)
		p[2] = byte(0x80 | r&0x3F)
		return 3
	default:
		p[0] = byte(0xF0 | r>>18)
		p[1] = byte(0x80 | (r>>12)&0x3F)
		p[2] = byte(0x80 | (r>>6)&0x3F)
		p[3] = byte(0x80 | r&0x3F)
		return 4
	}
}

// unknownWeight is the squared weight, in units of the largest IDF, that
// each feature unseen in training adds to its group's norm. Chosen on the
// CLINC150 validation set (1, 2, 3, 5 tried; 2 maximised accuracy).
const unknownWeight = 2

// sparse is a sparse feature vector: vocabulary indices (ascending) and
// values.
type sparse struct {
	idx []int32
	val []float32
}

// vocab maps feature hashes to indices and holds each feature's IDF weight.
type vocab struct {
	index map[uint64]int32
	// hashes[i] is the hash of feature i; idf[i] its weight; group[i] its group.
	hashes []uint64
	idf    []float32
	group  []uint8
	maxIDF float64 // weight given to unknown features
}

// buildVocab collects every feature of docs. Indices follow ascending hash
// order, so the same data always gives the same vocabulary.
func buildVocab(docs [][]rawFeature) *vocab {
	df := make(map[uint64]int)
	grp := make(map[uint64]uint8)
	seen := make(map[uint64]bool)
	for _, d := range docs {
		clear(seen)
		for _, f := range d {
			if !seen[f.hash] {
				seen[f.hash] = true
				df[f.hash]++
				grp[f.hash] = f.group
			}
		}
	}
	hashes := make([]uint64, 0, len(df))
	for h := range df {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	v := &vocab{
		index:  make(map[uint64]int32, len(hashes)),
		hashes: hashes,
		idf:    make([]float32, len(hashes)),
		group:  make([]uint8, len(hashes)),
	}
	n := float64(len(docs))
	for i, h := range hashes {
		v.index[h] = int32(i)
		v.idf[i] = float32(math.Log((1+n)/(1+float64(df[h]))) + 1)
		v.group[i] = grp[h]
	}
	v.setMaxIDF()
	return v
}

// vectorize maps raw features to a TF-IDF vector with sublinear term
// frequency, each group L2-normalised and the whole scaled to unit length.
// Features outside the vocabulary are counted in unknown.
func (v *vocab) vectorize(raw []rawFeature) (s sparse, known, total int) {
	ids := make([]int32, 0, len(raw))
	var unknown [numGroups]float64
	for _, f := range raw {
		if i, ok := v.index[f.hash]; ok {
			ids = append(ids, i)
			known++
		} else if !f.soft {
			// Unknown features still count towards the norm (each as a
			// single rare occurrence), so that a text made mostly of
			// unseen words gets a short vector and a low confidence.
			unknown[f.group] += unknownWeight * v.maxIDF * v.maxIDF
		}
	}
	total = len(raw)
	slices.Sort(ids)
	s.idx = make([]int32, 0, len(ids))
	s.val = make([]float32, 0, len(ids))
	norms := unknown
	for j := 0; j < len(ids); {
		k := j
		for k < len(ids) && ids[k] == ids[j] {
			k++
		}
		i := ids[j]
		w := (1 + math.Log(float64(k-j))) * float64(v.idf[i])
		s.idx = append(s.idx, i)
		s.val = append(s.val, float32(w))
		norms[v.group[i]] += w * w
		j = k
	}
	groups := 0
	for g := range norms {
		if norms[g] > 0 {
			norms[g] = math.Sqrt(norms[g])
			groups++
		}
	}
	if groups == 0 {
		return s, known, total
	}
	scale := 1 / math.Sqrt(float64(groups))
	for j, i := range s.idx {
		s.val[j] = float32(float64(s.val[j]) / norms[v.group[i]] * scale)
	}
	return s, known, total
}

func (v *vocab) setMaxIDF() {
	v.maxIDF = 1
	for _, w := range v.idf {
		v.maxIDF = max(v.maxIDF, float64(w))
	}
}
