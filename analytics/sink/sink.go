package sink

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"sync"

	"github.com/parleyhq/parley/analytics"
)

// Slog returns an [analytics.Sink] that logs each event at level Info, with
// the conversation ID, kind and attributes.
func Slog(l *slog.Logger) analytics.Sink {
	return analytics.SinkFunc(func(ctx context.Context, events []analytics.Event) error {
		for _, e := range events {
			attrs := make([]slog.Attr, 0, 6)
			attrs = append(attrs, slog.String("kind", string(e.Kind)), slog.String("conversation", e.Conversation),
				slog.Time("at", e.Time))
			if e.Channel != "" {
				attrs = append(attrs, slog.String("channel", e.Channel))
			}
			if e.Duration != 0 {
				attrs = append(attrs, slog.Duration("duration", e.Duration))
			}
			if e.Error != "" {
				attrs = append(attrs, slog.String("error", e.Error))
			}
			if len(e.Attrs) > 0 {
				as := make([]any, 0, len(e.Attrs))
				for k, v := range e.Attrs {
					as = append(as, slog.String(k, v))
				}
				attrs = append(attrs, slog.Group("attrs", as...))
			}
			l.LogAttrs(ctx, slog.LevelInfo, "analytics event", attrs...)
		}
		return nil
	})
}

// A JSONL is an [analytics.Sink] that writes each event as one JSON object per line
// (JSON Lines), the log [ReadJSONL] and `parley report` read. It is safe
// for concurrent use.
type JSONL struct {
	mu sync.Mutex
	w  io.Writer
}

// NewJSONL returns a JSONL sink writing to w. Each batch is written with
// one call to w.Write.
func NewJSONL(w io.Writer) *JSONL { return &JSONL{w: w} }

// Write implements [analytics.Sink].
func (j *JSONL) Write(_ context.Context, events []analytics.Event) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range events {
		if err := enc.Encode(&events[i]); err != nil {
			return fmt.Errorf("analytics: jsonl: %w", err)
		}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("analytics: jsonl: %w", err)
	}
	return nil
}

// A LineError is a line of a JSON Lines log that is not an event.
type LineError struct {
	Line int
	Err  error
}

// Error names the line.
func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the decoding error.
func (e *LineError) Unwrap() error { return e.Err }

// MaxLine is the longest line [ReadJSONL] reads.
const MaxLine = 1 << 20

// ErrNoKind is the [LineError] cause of a JSON object that is no event.
var ErrNoKind = errors.New("analytics: event has no kind")

// ReadJSONL reads a JSON Lines log of events. A malformed line yields a
// [*LineError] with its number and reading goes on; a failure to read
// (or a line longer than [MaxLine]) yields another error and ends the
// sequence. Blank lines are skipped.
func ReadJSONL(r io.Reader) iter.Seq2[analytics.Event, error] {
	return func(yield func(analytics.Event, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), MaxLine)
		n := 0
		for sc.Scan() {
			n++
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			var e analytics.Event
			err := json.Unmarshal(line, &e)
			if err == nil && e.Kind == "" {
				err = ErrNoKind
			}
			if err != nil {
				if !yield(analytics.Event{}, &LineError{Line: n, Err: err}) {
					return
				}
				continue
			}
			if !yield(e, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(analytics.Event{}, fmt.Errorf("analytics: read log after line %d: %w", n, err))
		}
	}
}

// HTTPConfig configures an [HTTP] sink.
type HTTPConfig struct {
	// URL receives a POST per batch with the body {"events": [...]}
	// (application/json). Required.
	URL string
	// Client sends the requests; nil means http.DefaultClient. The
	// Recorder's write timeout bounds each request.
	Client *http.Client
	// Header is added to every request (an Authorization header, say).
	Header http.Header
}

// An HTTP sink posts each batch of events to a collector. A response
// other than 2xx fails the batch. It is safe for concurrent use.
type HTTP struct {
	cfg HTTPConfig
}

// NewHTTP returns an HTTP sink. It returns an error when cfg.URL is not
// an absolute http or https URL.
func NewHTTP(cfg HTTPConfig) (*HTTP, error) {
	req, err := http.NewRequest(http.MethodPost, cfg.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("analytics: http sink: %w", err)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" || req.URL.Host == "" {
		return nil, fmt.Errorf("analytics: http sink: URL %q is not an absolute http(s) URL", cfg.URL)
	}
	if cfg.Client == nil {
		cfg.Client = http.DefaultClient
	}
	return &HTTP{cfg: cfg}, nil
}

// Write implements [analytics.Sink].
func (h *HTTP) Write(ctx context.Context, events []analytics.Event) error {
	body, err := json.Marshal(struct {
		Events []analytics.Event `json:"events"`
	}{events})
	if err != nil {
		return fmt.Errorf("analytics: http sink: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("analytics: http sink: %w", err)
	}
	for k, v := range h.cfg.Header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("analytics: http sink: %w", err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)); err != nil {
		return fmt.Errorf("analytics: http sink: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("analytics: http sink: %s", resp.Status)
	}
	return nil
}
