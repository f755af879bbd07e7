package train

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// ModelFormat is the version of the model file format this package writes
// and reads. Files of another version give a [*VersionError]; retrain or
// convert them with the matching Parley release.
const ModelFormat = 1

// maxModelBytes bounds the model files [ReadModel] accepts.
const maxModelBytes = 1 << 30

const modelMagic = "PARLEYIM"

// ErrModelFile is wrapped by errors about files that are not intact
// Parley intent models (wrong magic, truncated, checksum mismatch).
var ErrModelFile = errors.New("intent: not a valid model file")

// A VersionError reports a model file written in another format version.
type VersionError struct {
	Got, Want int
}

// Error says which versions are involved.
func (e *VersionError) Error() string {
	return fmt.Sprintf("intent: model file format version %d, this build reads version %d; retrain the model or use a matching Parley release", e.Got, e.Want)
}

// quantize rounds each weight row to int8 with a per-row scale, in place,
// so that a model behaves identically before and after a save and load.
func quantize(lin *linear) {
	C := lin.C
	for f := 0; f < lin.F; f++ {
		row := lin.W[f*C : f*C+C]
		s := rowScale(row)
		for c, w := range row {
			row[c] = float32(quantByte(w, s)) * s
		}
	}
}

func rowScale(row []float32) float32 {
	mx := float32(0)
	for _, w := range row {
		mx = max(mx, float32(math.Abs(float64(w))))
	}
	if mx == 0 {
		return 0
	}
	return mx / 127
}

func quantByte(w, scale float32) int8 {
	if scale == 0 {
		return 0
	}
	q := math.Round(float64(w / scale))
	return int8(max(-127, min(127, q)))
}

// WriteTo writes the model in the versioned binary format. Weights are
// stored as 8-bit integers with a scale per feature; the model in memory
// already uses the same rounded weights, so a loaded model classifies
// exactly like the saved one.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	le := binary.LittleEndian
	u32 := func(v uint32) { b.Write(le.AppendUint32(nil, v)) }
	str := func(s string) { u32(uint32(len(s))); b.WriteString(s) }
	b.WriteString(modelMagic)
	u32(ModelFormat)
	b.WriteByte(byte(m.algorithm))
	cfg := m.fx.cfg
	str(cfg.Lang)
	u32(uint32(cfg.CharMin))
	u32(uint32(cfg.CharMax))
	u32(uint32(cfg.MaxChars))
	if cfg.Bigrams {
		b.WriteByte(1)
	} else {
		b.WriteByte(0)
	}
	b.Write(le.AppendUint64(nil, math.Float64bits(m.temp)))
	u32(uint32(m.topK))
	u32(uint32(int32(m.oos)))
	u32(uint32(len(m.labels)))
	for _, l := range m.labels {
		str(l)
	}
	F, C := m.lin.F, m.lin.C
	u32(uint32(F))
	for f := 0; f < F; f++ {
		b.Write(le.AppendUint64(nil, m.voc.hashes[f]))
		b.Write(le.AppendUint32(nil, math.Float32bits(m.voc.idf[f])))
		b.WriteByte(m.voc.group[f])
	}
	for _, v := range m.lin.B {
		u32(math.Float32bits(v))
	}
	row8 := make([]byte, C)
	for f := 0; f < F; f++ {
		row := m.lin.W[f*C : f*C+C]
		s := rowScale(row)
		u32(math.Float32bits(s))
		for c, w := range row {
			row8[c] = byte(quantByte(w, s))
		}
		b.Write(row8)
	}
	u32(crc32.ChecksumIEEE(b.Bytes()))
	n, err := w.Write(b.Bytes())
	if err != nil {
		return int64(n), fmt.Errorf("intent: write model: %w", err)
	}
	return int64(n), nil
}

// MarshalBinary returns the model file bytes (see [Model.WriteTo]).
func (m *Model) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ReadModel reads a model written by [Model.WriteTo]. A file of another
// format version gives a [*VersionError]; a damaged or foreign file an
// error wrapping [ErrModelFile].
func ReadModel(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxModelBytes+1))
	if err != nil {
		return nil, fmt.Errorf("intent: read model: %w", err)
	}
	if len(data) > maxModelBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrModelFile, maxModelBytes)
	}
	return UnmarshalModel(data)
}

// UnmarshalModel decodes model file bytes; see [ReadModel].
func UnmarshalModel(data []byte) (*Model, error) {
	if len(data) < len(modelMagic)+4 || string(data[:8]) != modelMagic {
		return nil, fmt.Errorf("%w: bad magic", ErrModelFile)
	}
	le := binary.LittleEndian
	if v := int(le.Uint32(data[8:12])); v != ModelFormat {
		return nil, &VersionError{Got: v, Want: ModelFormat}
	}
	if len(data) < 16 {
		return nil, fmt.Errorf("%w: truncated", ErrModelFile)
	}
	body, sum := data[:len(data)-4], le.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch (truncated or damaged)", ErrModelFile)
	}
	d := &decoder{b: body[12:]}
	m := &Model{}
	m.algorithm = Algorithm(d.byte())
	var cfg featureConfig
	cfg.Lang = d.str()
	cfg.CharMin = int(d.u32())
	cfg.CharMax = int(d.u32())
	cfg.MaxChars = int(d.u32())
	cfg.Bigrams = d.byte() == 1
	m.temp = math.Float64frombits(d.u64())
	m.topK = int(d.u32())
	m.oos = int(int32(d.u32()))
	nl := d.count(4)
	m.labels = make([]string, 0, nl)
	for range nl {
		m.labels = append(m.labels, d.str())
	}
	F := d.count(13)
	C := len(m.labels)
	v := &vocab{hashes: make([]uint64, F), idf: make([]float32, F), group: make([]uint8, F), index: make(map[uint64]int32, F)}
	for f := 0; f < F && d.err == nil; f++ {
		v.hashes[f] = d.u64()
		v.idf[f] = math.Float32frombits(d.u32())
		v.group[f] = d.byte()
		v.index[v.hashes[f]] = int32(f)
	}
	if d.err == nil && int64(len(d.b)) != int64(C)*4+int64(F)*int64(4+C) {
		d.err = errors.New("weights do not match the vocabulary and labels")
	}
	if d.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrModelFile, d.err)
	}
	lin := &linear{F: F, C: C, W: make([]float32, F*C), B: make([]float32, C)}
	for c := range C {
		lin.B[c] = math.Float32frombits(d.u32())
	}
	for f := range F {
		s := math.Float32frombits(d.u32())
		row := d.take(C)
		for c, q := range row {
			lin.W[f*C+c] = float32(int8(q)) * s
		}
	}
	switch {
	case d.err != nil:
	case m.algorithm != Softmax && m.algorithm != Centroid && m.algorithm != Ensemble:
		d.err = fmt.Errorf("unknown algorithm %d", m.algorithm)
	case C < 1 || m.oos < -1 || m.oos >= C:
		d.err = errors.New("bad labels")
	case cfg.CharMin < 0 || cfg.CharMax > 16 || cfg.MaxChars > 1024 || m.topK < 1:
		d.err = errors.New("bad feature settings")
	case !(m.temp > 0) || math.IsInf(m.temp, 0):
		d.err = errors.New("bad temperature")
	}
	for _, g := range v.group {
		if g >= numGroups && d.err == nil {
			d.err = errors.New("bad feature group")
		}
	}
	if d.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrModelFile, d.err)
	}
	m.fx = newExtractor(cfg)
	v.setMaxIDF()
	m.voc = v
	m.lin = lin
	m.init()
	return m, nil
}

// decoder reads little-endian values and remembers the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.err = errors.New("truncated")
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) byte() byte {
	p := d.take(1)
	if p == nil {
		return 0
	}
	return p[0]
}

func (d *decoder) u32() uint32 {
	p := d.take(4)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(p)
}

func (d *decoder) u64() uint64 {
	p := d.take(8)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(p)
}

// count reads a length and checks that that many items of at least
// minSize bytes can follow.
func (d *decoder) count(minSize int) int {
	n := int(d.u32())
	if d.err == nil && n > len(d.b)/minSize {
		d.err = errors.New("count exceeds data")
		return 0
	}
	return n
}

func (d *decoder) str() string {
	n := int(d.u32())
	return string(d.take(n))
}
