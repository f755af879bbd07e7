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
	"io"
	"math"
	"slices"
)

// ModelVersion is the model file format this version of Parley reads and
// writes. A file of another version is rejected with [ErrModelVersion]:
// retrain it with "parley sentiment train".
//
// Version 2 added the negated-intent question feature ("I don't want to
// cancel, what are my options"); version 3 the pooled pretrained word
// vectors (model/vectors.bin); version 4 reads capitals in code-like text
// and acronyms as no shouting ("Robert'); DROP TABLE orders;--"), which
// changes the features a model was trained on. Files of other versions
// are rejected.
const ModelVersion = 4

// modelMagic opens every model file (inside the gzip stream).
const modelMagic = "PARLEY-SENTIMENT\n"

// Model file errors.
var (
	// ErrModelVersion reports a model file written by another version of
	// Parley.
	ErrModelVersion = errors.New("sentiment: model file version not supported")
	// ErrBadModel reports a file that is not a valid model file.
	ErrBadModel = errors.New("sentiment: not a valid model file")
)

// The model shipped with Parley, trained by "parley sentiment train" on
// GoEmotions (Apache-2.0; see model/NOTICE, shipped next to it).
var (
	//go:embed model/sentiment.model
	embeddedModel []byte
	//go:embed model/NOTICE
	modelNotice string
)

// ModelNotice returns the attribution notice of the data the embedded
// model was trained on (GoEmotions, Apache-2.0), for applications that
// show third-party notices.
func ModelNotice() string { return modelNotice }

// NewModel returns the trained analyzer shipped with Parley. It returns
// an error only if the embedded file is damaged, which a test of this
// package guards against.
func NewModel() (*Model, error) {
	return ReadModel(bytes.NewReader(embeddedModel))
}

// maxModelBits bounds the hash table a model file may ask for (2^22 rows
// of int8 weights, 40 MB).
const maxModelBits = 22

// ReadModel reads a model written by [Model.WriteTo]. It returns an error
// wrapping [ErrModelVersion] for a file of another format version and
// [ErrBadModel] for anything that is not a model file.
func ReadModel(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	defer zr.Close()
	br := bufio.NewReader(zr)
	magic := make([]byte, len(modelMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != modelMagic {
		return nil, fmt.Errorf("%w: no model header", ErrBadModel)
	}
	var head [8]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, fmt.Errorf("%w: short header", ErrBadModel)
	}
	if v := binary.LittleEndian.Uint32(head[:4]); v != ModelVersion {
		return nil, fmt.Errorf("%w: the file is version %d, this Parley reads version %d (retrain with \"parley sentiment train\")", ErrModelVersion, v, ModelVersion)
	}
	n := binary.LittleEndian.Uint32(head[4:])
	if n > 1<<20 {
		return nil, fmt.Errorf("%w: header of %d bytes", ErrBadModel, n)
	}
	js := make([]byte, n)
	if _, err := io.ReadFull(br, js); err != nil {
		return nil, fmt.Errorf("%w: short header", ErrBadModel)
	}
	var p params
	if err := json.Unmarshal(js, &p); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrBadModel, err)
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	w := make([]byte, (1<<p.Bits)*numOutputs)
	if _, err := io.ReadFull(br, w); err != nil {
		return nil, fmt.Errorf("%w: weights: %v", ErrBadModel, err)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data", ErrBadModel)
	}
	p.weights = make([]int8, len(w))
	for i, b := range w {
		p.weights[i] = int8(b)
	}
	p.Info.Version = ModelVersion
	var vec *wordVectors
	if p.VectorsCRC != 0 {
		vec, err = readVectors(embeddedVectors)
		if err != nil {
			return nil, err
		}
		if vec.sum != p.VectorsCRC || vec.dims != p.VectorDims {
			return nil, fmt.Errorf("%w: the model was trained with word vectors %08x (%d dimensions), this Parley has %08x (%d): retrain with \"parley sentiment train\"", ErrBadModel, p.VectorsCRC, p.VectorDims, vec.sum, vec.dims)
		}
	}
	return newModel(p, vec)
}

// check validates the header of a model file.
func (p *params) check() error {
	const nh = numOutputs - numPolarity
	switch {
	case p.Bits < 8 || p.Bits > maxModelBits:
		return fmt.Errorf("hash bits %d out of [8, %d]", p.Bits, maxModelBits)
	case p.CharMax > 8 || p.CharMin > p.CharMax || (p.CharMax > 0 && p.CharMin < 1):
		return fmt.Errorf("character n-grams %d-%d", p.CharMin, p.CharMax)
	case len(p.Scale) != numOutputs || len(p.Bias) != numOutputs || len(p.Dense) != numDense*numOutputs:
		return errors.New("wrong number of outputs or dense weights")
	case len(p.PlattA) != nh || len(p.PlattB) != nh || len(p.Threshold) != nh:
		return errors.New("wrong number of calibration parameters")
	case !(p.Temperature > 0) || !(p.Blend >= 0 && p.Blend <= 1) || !(p.Band >= 0 && p.Band <= 1):
		return errors.New("temperature, blend or band out of range")
	}
	if p.VectorsCRC != 0 {
		if p.VectorDims < 1 || p.VectorDims > maxVectorDims || len(p.Vec) != p.VectorDims*numOutputs {
			return errors.New("wrong number of word vector weights")
		}
		if len(p.VecOutputs) > maxVecOutputs {
			return fmt.Errorf("more than %d outputs read the word vectors", maxVecOutputs)
		}
		for i, k := range p.VecOutputs {
			if k < 0 || k >= numOutputs || slices.Contains(p.VecOutputs[:i], k) {
				return fmt.Errorf("word vector output %d out of range or repeated", k)
			}
		}
	} else if len(p.Vec) != 0 || len(p.VecOutputs) != 0 {
		return errors.New("word vector weights without word vectors")
	}
	for _, xs := range [][]float32{p.Scale, p.Bias, p.Dense, p.PlattA, p.PlattB, p.Threshold, p.Prior[:], p.Vec} {
		for _, x := range xs {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) || math.Abs(float64(x)) > 1e6 {
				return fmt.Errorf("parameter %v out of range", x)
			}
		}
	}
	for _, t := range p.Threshold {
		if !(t > 0 && t < 1) {
			return fmt.Errorf("threshold %v out of (0, 1)", t)
		}
	}
	return nil
}

// WriteTo writes the model in the versioned model file format (gzip of a
// header and the int8 weights) that [ReadModel] reads.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	zw, err := gzip.NewWriterLevel(cw, gzip.BestCompression)
	if err != nil {
		return 0, err
	}
	js, err := json.Marshal(m.p)
	if err != nil {
		return cw.n, fmt.Errorf("sentiment: write model: %w", err)
	}
	var head [8]byte
	binary.LittleEndian.PutUint32(head[:4], ModelVersion)
	binary.LittleEndian.PutUint32(head[4:], uint32(len(js)))
	buf := make([]byte, len(m.p.weights))
	for i, x := range m.p.weights {
		buf[i] = byte(x)
	}
	for _, b := range [][]byte{[]byte(modelMagic), head[:], js, buf} {
		if _, err := zw.Write(b); err != nil {
			return cw.n, fmt.Errorf("sentiment: write model: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return cw.n, fmt.Errorf("sentiment: write model: %w", err)
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
