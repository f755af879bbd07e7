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
	Params Params `json:"params"`
	Docs   []Doc  `json:"docs"`
}

// WriteTo writes the index's parameters and passages to w in the
// versioned index file format. It implements [io.WriterTo].
func (x *Index) WriteTo(w io.Writer) (int64, error) {
	x.mu.RLock()
	p := filePayload{Params: x.p}
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
	if err := p.Params.validate(); err != nil {
		return cr.n, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	fresh := NewIndex(WithAnalyzer(x.an), WithParams(p.Params))
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

// validate reports parameters that would make scores meaningless.
func (p Params) validate() error {
	switch {
	case p.K1 < 0 || p.K1 > 100:
		return fmt.Errorf("k1 %v out of range", p.K1)
	case p.FeedbackDocs < 0 || p.FeedbackTerms < 0 || p.PrefixLen < 0:
		return errors.New("negative count")
	}
	for _, v := range []float64{p.B.Question, p.B.Title, p.B.Text} {
		if v < 0 || v > 1 {
			return fmt.Errorf("b %v out of [0, 1]", v)
		}
	}
	return nil
}
