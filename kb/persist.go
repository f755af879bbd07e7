package kb

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Index file format errors.
var (
	// ErrFormat is returned by [Index.ReadFrom] for input that is not an
	// index file or is damaged.
	ErrFormat = errors.New("kb: malformed index file")
	// ErrVersion is returned by [Index.ReadFrom] for an index file
	// written by a newer, incompatible version.
	ErrVersion = errors.New("kb: unsupported index file version")
)

// The index file: the magic, a version, the payload length as an unsigned
// varint, the JSON payload (parameters and passages) and the payload's
// CRC-32 (IEEE, big-endian). Postings are rebuilt on load, which keeps the
// format stable across changes to the in-memory layout.
const (
	fileMagic   = "PARLEYKB"
	fileVersion = 1
	// maxPayload bounds what ReadFrom allocates for a payload.
	maxPayload = 1 << 30
)

type filePayload struct {
	// Params is a pointer so that a file without them is an error.
	Params *Params `json:"params"`
	Docs   []Doc   `json:"docs"`
}

// WriteTo writes the index's parameters and passages to w in the
// versioned index file format. It implements [io.WriterTo].
func (x *Index) WriteTo(w io.Writer) (int64, error) {
	x.mu.RLock()
	params := x.p
	p := filePayload{Params: &params}
	for _, e := range x.docs {
		if e != nil {
			p.Docs = append(p.Docs, e.doc)
		}
	}
	x.mu.RUnlock()
	body, err := json.Marshal(p)
	if err != nil {
		return 0, fmt.Errorf("kb: encode index: %w", err)
	}
	buf := make([]byte, 0, len(fileMagic)+2+binary.MaxVarintLen64+len(body)+4)
	buf = append(buf, fileMagic...)
	buf = binary.BigEndian.AppendUint16(buf, fileVersion)
	buf = binary.AppendUvarint(buf, uint64(len(body)))
	buf = append(buf, body...)
	buf = binary.BigEndian.AppendUint32(buf, crc32.ChecksumIEEE(body))
	n, err := w.Write(buf)
	if err != nil {
		return int64(n), fmt.Errorf("kb: write index: %w", err)
	}
	return int64(n), nil
}

// ReadFrom replaces the index's content and parameters with an index file
// read from r. On error the index is left unchanged. It implements
// [io.ReaderFrom]; the analyzer is not stored and stays the index's own.
func (x *Index) ReadFrom(r io.Reader) (int64, error) {
	cr := &countReader{r: r}
	br := bufio.NewReader(cr)
	head := make([]byte, len(fileMagic)+2)
	if _, err := io.ReadFull(br, head); err != nil {
		return cr.n, fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	if string(head[:len(fileMagic)]) != fileMagic {
		return cr.n, fmt.Errorf("%w: bad magic", ErrFormat)
	}
	if v := binary.BigEndian.Uint16(head[len(fileMagic):]); v != fileVersion {
		return cr.n, fmt.Errorf("%w: version %d", ErrVersion, v)
	}
	size, err := binary.ReadUvarint(br)
	if err != nil {
		return cr.n, fmt.Errorf("%w: length: %v", ErrFormat, err)
	}
	if size > maxPayload {
		return cr.n, fmt.Errorf("%w: payload of %d bytes", ErrFormat, size)
	}
	// ReadAll grows the buffer as data arrives, so a forged length does
	// not allocate up front.
	body, err := io.ReadAll(io.LimitReader(br, int64(size)))
	if err != nil {
		return cr.n, fmt.Errorf("%w: payload: %v", ErrFormat, err)
	}
	if uint64(len(body)) != size {
		return cr.n, fmt.Errorf("%w: payload: %v", ErrFormat, io.ErrUnexpectedEOF)
	}
	var sum [4]byte
	if _, err := io.ReadFull(br, sum[:]); err != nil {
		return cr.n, fmt.Errorf("%w: checksum: %v", ErrFormat, err)
	}
	if binary.BigEndian.Uint32(sum[:]) != crc32.ChecksumIEEE(body) {
		return cr.n, fmt.Errorf("%w: checksum mismatch", ErrFormat)
	}
	var p filePayload
	if err := json.Unmarshal(body, &p); err != nil {
		return cr.n, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if p.Params == nil {
		return cr.n, fmt.Errorf("%w: no params", ErrFormat)
	}
	if err := p.Params.Validate(); err != nil {
		return cr.n, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	fresh, err := NewIndex(WithAnalyzer(x.an), WithParams(*p.Params))
	if err != nil {
		return cr.n, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if err := fresh.Add(p.Docs...); err != nil {
		return cr.n, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	// fresh is not shared yet: compute its question weights before the
	// swap, so that no search sees the new passages without them.
	fresh.refreshLocked()
	x.mu.Lock()
	defer x.mu.Unlock()
	x.p = fresh.p
	x.gen++
	x.terms, x.words, x.post, x.df, x.deletes = fresh.terms, fresh.words, fresh.post, fresh.df, fresh.deletes
	x.surf = fresh.surf
	x.docs, x.lens, x.byID, x.live, x.sumLen = fresh.docs, fresh.lens, fresh.byID, fresh.live, fresh.sumLen
	x.stale.Store(false)
	// Scratch buffers sized for the old index are resized on demand.
	return cr.n, nil
}

type countReader struct {
	r io.Reader
	n int64
}

// Read implements io.Reader, counting the bytes read.
func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ErrParams is wrapped by the errors of [Params.Validate].
var ErrParams = errors.New("kb: invalid ranking parameters")

// Bounds on [Params], enforced by [Params.Validate].
const (
	maxWeight        = 1000 // any weight or factor
	maxK1            = 100
	maxFeedbackDocs  = 100
	maxFeedbackTerms = 1000
	maxPrefixLen     = 64
)

// Validate reports parameters that are out of range or would make scores
// meaningless, with an error wrapping [ErrParams]: a value that is not a
// finite number, a negative weight, field weights that are all zero, b
// outside [0, 1], k1 above 100, a weight above 1000, FeedbackDocs above
// 100, FeedbackTerms above 1000, PrefixLen above 64, feedback without a
// document or a term to take, or a prefix weight with no prefix length.
// [NewIndex] panics and [Index.ReadFrom] fails on such parameters.
func (p Params) Validate() error {
	if err := p.validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrParams, err)
	}
	return nil
}

func (p Params) validate() error {
	floats := []struct {
		name string
		v    float64
		max  float64
	}{
		{"k1", p.K1, maxK1},
		{"b.question", p.B.Question, 1}, {"b.title", p.B.Title, 1}, {"b.text", p.B.Text, 1},
		{"weights.question", p.Weights.Question, maxWeight}, {"weights.title", p.Weights.Title, maxWeight},
		{"weights.text", p.Weights.Text, maxWeight},
		{"bigram", p.Bigram, maxWeight}, {"typo", p.Typo, maxWeight}, {"feedback", p.Feedback, maxWeight},
		{"stop", p.Stop, maxWeight}, {"prefix", p.Prefix, maxWeight}, {"coverage", p.Coverage, maxWeight},
		{"margin", p.Margin, maxWeight},
	}
	for _, f := range floats {
		// The negated test also catches NaN.
		if !(f.v >= 0 && f.v <= f.max) {
			return fmt.Errorf("%s %v out of [0, %v]", f.name, f.v, f.max)
		}
	}
	ints := []struct {
		name string
		v    int
		max  int
	}{
		{"feedback_docs", p.FeedbackDocs, maxFeedbackDocs},
		{"feedback_terms", p.FeedbackTerms, maxFeedbackTerms},
		{"prefix_len", p.PrefixLen, maxPrefixLen},
	}
	for _, f := range ints {
		if f.v < 0 || f.v > f.max {
			return fmt.Errorf("%s %d out of [0, %d]", f.name, f.v, f.max)
		}
	}
	switch {
	case p.Weights.Question == 0 && p.Weights.Title == 0 && p.Weights.Text == 0:
		return errors.New("all field weights are 0")
	case p.Feedback > 0 && (p.FeedbackDocs == 0 || p.FeedbackTerms == 0):
		return errors.New("feedback needs feedback_docs and feedback_terms")
	case p.Prefix > 0 && p.PrefixLen == 0:
		return errors.New("prefix needs prefix_len")
	}
	return nil
}
