package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	neturl "net/url"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/kb"
)

// Ingestion errors, wrapped in a [*DocumentError] naming the document.
var (
	// ErrTooLarge is returned for a document over the size limit.
	ErrTooLarge = errors.New("extract: document too large")
	// ErrUnsupported is returned for a format the ingester cannot read.
	ErrUnsupported = errors.New("extract: unsupported document format")
	// ErrMalformed is returned for a document that cannot be parsed, or
	// that has no text.
	ErrMalformed = errors.New("extract: malformed document")
	// ErrDuplicate is returned for a document whose name (or an FAQ
	// entry whose ID) was already used in the same call: passage IDs
	// derive from it, so the second would silently replace the first.
	ErrDuplicate = errors.New("extract: duplicate document name")
)

// A DocumentError reports a document that could not be ingested.
type DocumentError struct {
	// Name is the document's name or URL.
	Name string
	Err  error
}

// Error implements the error interface.
func (e *DocumentError) Error() string { return fmt.Sprintf("%s: %v", e.Name, e.Err) }

// Unwrap returns the underlying error.
func (e *DocumentError) Unwrap() error { return e.Err }

// Format names a document format.
type Format string

// Formats the ingester reads. An empty Format is detected from the name,
// the MIME type and the content.
const (
	FormatText     Format = "text"
	FormatMarkdown Format = "markdown"
	FormatHTML     Format = "html"
	FormatPDF      Format = "pdf"
	FormatDOCX     Format = "docx"
)

// A Source is a document to ingest.
type Source struct {
	// Name identifies the document in citations and errors (a file name).
	Name string
	// URL locates the document, if it has one.
	URL string
	// Title overrides the title found in the document.
	Title string
	// Format is the document's format; empty means detect it.
	Format Format
	// MIMEType helps detection when Format is empty.
	MIMEType string
	// Body is the document's content.
	Body []byte
}

// An Ingester turns documents into passages: it extracts their text,
// splits it by headings and paragraphs into overlapping chunks, and keeps
// source, title, URL and position for citations.
//
// An Ingester is safe for concurrent use.
type Ingester struct {
	client    *http.Client
	maxBytes  int64
	timeout   time.Duration
	chunkSize int
	overlap   int
}

// An Option configures an [Ingester].
type Option func(*Ingester)

// WithHTTPClient sets the client used by [Ingester.Fetch]; the default is
// a client with no redirects beyond Go's default of 10.
func WithHTTPClient(c *http.Client) Option { return func(in *Ingester) { in.client = c } }

// WithMaxBytes sets the largest document accepted, fetched or given; the
// default is 20 MiB.
func WithMaxBytes(n int64) Option { return func(in *Ingester) { in.maxBytes = n } }

// WithFetchTimeout bounds one fetch; the default is 15 seconds.
func WithFetchTimeout(d time.Duration) Option { return func(in *Ingester) { in.timeout = d } }

// WithChunkSize sets the target chunk length in words and the overlap in
// words carried from one chunk into the next; defaults 180 and 30.
func WithChunkSize(words, overlap int) Option {
	return func(in *Ingester) { in.chunkSize, in.overlap = words, overlap }
}

// NewIngester returns an Ingester with the defaults (fetches of at most
// 20 MB and 15 seconds over a plain http.Client, chunks of about 180
// words overlapping by 30) changed by opts. An overlap above half the
// chunk size is lowered to it. The Ingester is safe for concurrent use.
func NewIngester(opts ...Option) *Ingester {
	in := &Ingester{client: &http.Client{}, maxBytes: 20 << 20, timeout: 15 * time.Second, chunkSize: 180, overlap: 30}
	for _, o := range opts {
		o(in)
	}
	if in.chunkSize < 1 {
		in.chunkSize = 1
	}
	in.overlap = max(0, min(in.overlap, in.chunkSize/2))
	return in
}

// Ingest extracts and chunks each source. A source that fails is skipped
// and reported in the returned error (a join of [*DocumentError]s); the
// others are still returned, so one bad file never blocks the rest.
//
// Passage IDs are the source's name (else its URL) followed by "#" and
// the chunk's position, so that ingesting a document again replaces its
// passages; add them with [kb.Index.ReplaceSources], which also drops
// the passages of a document that got shorter. Sources must therefore
// have distinct names: a source whose name an earlier source of the same
// call had is skipped and reported with [ErrDuplicate].
func (in *Ingester) Ingest(ctx context.Context, srcs ...Source) ([]kb.Doc, error) {
	var docs []kb.Doc
	var errs []error
	first := make(map[string]int, len(srcs))
	for i, s := range srcs {
		if err := ctx.Err(); err != nil {
			return docs, errors.Join(append(errs, err)...)
		}
		if j, ok := first[s.name()]; ok {
			errs = append(errs, &DocumentError{Name: s.name(),
				Err: fmt.Errorf("%w: source %d has the name of source %d; give each source a distinct Name", ErrDuplicate, i+1, j+1)})
			continue
		}
		first[s.name()] = i
		d, err := in.ingest(s)
		if err != nil {
			errs = append(errs, &DocumentError{Name: s.name(), Err: err})
			continue
		}
		docs = append(docs, d...)
	}
	return docs, errors.Join(errs...)
}

func (s Source) name() string {
	if s.Name != "" {
		return s.Name
	}
	if s.URL != "" {
		return s.URL
	}
	return "(unnamed)"
}

func (in *Ingester) ingest(s Source) ([]kb.Doc, error) {
	if int64(len(s.Body)) > in.maxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(s.Body), in.maxBytes)
	}
	f := s.Format
	if f == "" {
		f = detect(s.Name, s.MIMEType, s.Body)
	}
	var (
		text, title string
		err         error
	)
	switch f {
	case FormatText:
		text, err = plainText(s.Body)
	case FormatMarkdown:
		text, err = plainText(s.Body)
		text = markdownText(text)
	case FormatHTML:
		text, title = htmlText(s.Body)
	case FormatPDF:
		text, err = pdfText(s.Body, in.maxBytes)
	case FormatDOCX:
		text, err = docxText(s.Body, in.maxBytes)
	default:
		return nil, fmt.Errorf("%w %q", ErrUnsupported, f)
	}
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("%w: no text", ErrMalformed)
	}
	if s.Title != "" {
		title = s.Title
	}
	if title == "" {
		title = strings.TrimSuffix(path.Base(s.Name), path.Ext(s.Name))
	}
	docs := chunk(text, kb.Doc{Title: title, Source: s.name(), URL: s.URL}, in.chunkSize, in.overlap)
	if len(docs) == 0 {
		return nil, fmt.Errorf("%w: no text outside headings", ErrMalformed)
	}
	return docs, nil
}

func plainText(b []byte) (string, error) {
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%w: not UTF-8 text", ErrMalformed)
	}
	return string(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))), nil
}

// detect guesses a format from the name, the MIME type and the first
// bytes.
func detect(name, mimeType string, b []byte) Format {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return FormatPDF
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return FormatDOCX
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".pdf":
		return FormatPDF
	case ".docx":
		return FormatDOCX
	case ".html", ".htm", ".xhtml":
		return FormatHTML
	case ".md", ".markdown":
		return FormatMarkdown
	case ".txt", ".text":
		return FormatText
	}
	if mt, _, err := mime.ParseMediaType(mimeType); err == nil {
		switch mt {
		case "application/pdf":
			return FormatPDF
		case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
			return FormatDOCX
		case "text/html", "application/xhtml+xml":
			return FormatHTML
		case "text/markdown":
			return FormatMarkdown
		case "text/plain":
			return FormatText
		}
	}
	head := strings.ToLower(string(b[:min(len(b), 512)]))
	if strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html") || strings.Contains(head, "<body") {
		return FormatHTML
	}
	return FormatText
}

// Fetch downloads a document over HTTP(S) within the ingester's size and
// time limits. Errors are [*DocumentError]s naming the URL.
func (in *Ingester) Fetch(ctx context.Context, url string) (Source, error) {
	src, err := in.fetch(ctx, url)
	if err != nil {
		return Source{}, &DocumentError{Name: url, Err: err}
	}
	return src, nil
}

func (in *Ingester) fetch(ctx context.Context, url string) (Source, error) {
	ctx, cancel := context.WithTimeout(ctx, in.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Source{}, err
	}
	resp, err := in.client.Do(req)
	if err != nil {
		return Source{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return Source{}, fmt.Errorf("HTTP status %s", resp.Status)
	}
	if resp.ContentLength > in.maxBytes {
		return Source{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, resp.ContentLength, in.maxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, in.maxBytes+1))
	if err != nil {
		return Source{}, err
	}
	if int64(len(body)) > in.maxBytes {
		return Source{}, fmt.Errorf("%w: over %d bytes", ErrTooLarge, in.maxBytes)
	}
	return Source{Name: fetchName(req.URL), URL: url, MIMEType: resp.Header.Get("Content-Type"), Body: body}, nil
}

// fetchName names a fetched document by its host, path and query, so
// that pages with the same file name on different paths or hosts get
// distinct passage IDs.
func fetchName(u *neturl.URL) string {
	name := u.Host + strings.TrimSuffix(u.EscapedPath(), "/")
	if u.RawQuery != "" {
		name += "?" + u.RawQuery
	}
	return name
}

// IngestURLs fetches each URL and ingests the documents in one
// [Ingester.Ingest] call; a failure is reported and skipped. A fetched
// document is named by its host, path and query.
func (in *Ingester) IngestURLs(ctx context.Context, urls ...string) ([]kb.Doc, error) {
	var srcs []Source
	var errs []error
	for _, u := range urls {
		src, err := in.Fetch(ctx, u)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		srcs = append(srcs, src)
	}
	docs, err := in.Ingest(ctx, srcs...)
	return docs, errors.Join(append(errs, err)...)
}
