package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds a non-streamed reply body.
const maxBody = 16 << 20

// post sends a JSON request and returns the response, mapping non-2xx
// replies to a *StatusError. The caller closes the body.
func post(ctx context.Context, c *http.Client, provider, url string, header http.Header, body any) (*http.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("llm: %s: encode request: %w", provider, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("llm: %s: %w", provider, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("llm: %s: %w", provider, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		se := &StatusError{Provider: provider, StatusCode: resp.StatusCode, RetryAfter: retryAfter(resp.Header, time.Now())}
		raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if err != nil {
			se.Message = "(error body unreadable: " + err.Error() + ")"
		} else {
			se.Message = errorMessage(raw)
		}
		return nil, se
	}
	return resp, nil
}

// retryAfter parses Retry-After (seconds or an HTTP date) and the
// retry-after-ms header some providers send.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if ms := h.Get("Retry-After-Ms"); ms != "" {
		if v, err := strconv.ParseFloat(ms, 64); err == nil && v > 0 {
			return time.Duration(v * float64(time.Millisecond))
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// errorMessage extracts {"error": {"message": ...}} (both providers'
// shape) or returns the raw text, shortened.
func errorMessage(raw []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
			Type    string `json:"type"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil && e.Error.Message != "" {
		return e.Error.Message
	}
	s := strings.TrimSpace(string(raw))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func decodeBody(provider string, r io.Reader, v any) error {
	raw, err := io.ReadAll(io.LimitReader(r, maxBody))
	if err != nil {
		return fmt.Errorf("llm: %s: read reply: %w", provider, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrBadResponse, provider, err)
	}
	return nil
}

// jsonObject reports whether s holds one JSON object.
func jsonObject(s string) bool {
	var v map[string]any
	return json.Unmarshal([]byte(strings.TrimSpace(s)), &v) == nil
}

// endpoint is where and how a client sends its requests, the part of a
// client both providers share.
type endpoint struct {
	provider string
	base     string // no trailing slash
	client   *http.Client
	timeout  time.Duration
	header   http.Header
}

// newEndpoint checks and defaults the settings both providers' configs
// have: base (defaultBase when empty), the HTTP client
// (http.DefaultClient) and the timeout of one request (60s).
func newEndpoint(provider, base, defaultBase string, client *http.Client, timeout time.Duration) (*endpoint, error) {
	if base == "" {
		base = defaultBase
	}
	if _, err := url.Parse(base); err != nil {
		return nil, fmt.Errorf("llm: %s: base URL: %w", provider, err)
	}
	if client == nil {
		client = http.DefaultClient
	}
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	return &endpoint{provider: provider, base: strings.TrimRight(base, "/"), client: client, timeout: timeout, header: http.Header{}}, nil
}

// call posts body to url and decodes the reply into out, within the
// timeout.
func (e *endpoint) call(ctx context.Context, url string, body, out any) error {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	resp, err := post(ctx, e.client, e.provider, url, e.header, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decodeBody(e.provider, resp.Body, out)
}

// events posts body to url and yields the events of the streamed reply,
// within the timeout. An error ends the sequence: the request's, or the
// stream's as [streamErr] reports it.
func (e *endpoint) events(ctx context.Context, url string, body any) iter.Seq2[sseEvent, error] {
	return func(yield func(sseEvent, error) bool) {
		ctx, cancel := context.WithTimeout(ctx, e.timeout)
		defer cancel()
		resp, err := post(ctx, e.client, e.provider, url, e.header, body)
		if err != nil {
			yield(sseEvent{}, err)
			return
		}
		defer resp.Body.Close()
		for ev, err := range readSSE(resp.Body) {
			if err != nil {
				yield(sseEvent{}, streamErr(ctx, e.provider, err))
				return
			}
			if !yield(ev, nil) {
				return
			}
		}
	}
}
