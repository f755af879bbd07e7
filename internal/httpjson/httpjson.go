// Package httpjson sends JSON requests to the web APIs Parley's
// integrations call (help desks, CRMs): credentials set per request,
// bounded retries of 429, 5xx and unanswered requests after their
// Retry-After, and answers outside 2xx as a [StatusError] that keeps the
// status and body for the caller to map to its own errors.
package httpjson

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Client sends JSON requests to one API.
type Client struct {
	Base string       // scheme and host, no trailing slash
	HTTP *http.Client // nil means http.DefaultClient
	// Auth sets a request's credentials.
	Auth func(*http.Request)
	// Attempts bounds the tries of one request when the API answers 429
	// or 5xx or does not answer (at least one); MaxWait caps one
	// Retry-After wait: a longer one ends the tries at once.
	Attempts int
	MaxWait  time.Duration
	// MaxBody bounds the answer read (default 1 MiB).
	MaxBody int64
}

// StatusError is an answer outside 2xx: one that is not retried, or the
// last 429 or 5xx when the tries ran out or its Retry-After was longer
// than MaxWait.
type StatusError struct {
	Code int
	Body []byte
	Wait time.Duration // the answer's Retry-After
}

func (e *StatusError) Error() string {
	if e.Temporary() {
		return fmt.Sprintf("HTTP %d, retry after %v: %s", e.Code, e.Wait, bytes.TrimSpace(e.Body))
	}
	return fmt.Sprintf("HTTP %d: %s", e.Code, bytes.TrimSpace(e.Body))
}

// Temporary reports whether the API asked to be tried again later (429
// or 5xx).
func (e *StatusError) Temporary() bool {
	return e.Code == http.StatusTooManyRequests || e.Code >= 500
}

// Do sends in as JSON (no body when nil) to path, relative to Base
// unless it is an absolute http(s) URL, and decodes a 2xx answer into out
// (skipped when nil or the answer is empty). 429 and 5xx answers are
// tried again after their Retry-After, requests with no answer at once.
// The error is ctx's when it ended the call, a *StatusError, the last
// transport error, or the encoding or decoding error.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	u := path
	if !strings.HasPrefix(path, "http://") && !strings.HasPrefix(path, "https://") {
		u = c.Base + path
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	maxBody := c.MaxBody
	if maxBody <= 0 {
		maxBody = 1 << 20
	}
	attempts := max(c.Attempts, 1)
	var last error
	for attempt := range attempts {
		req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
		if err != nil {
			return err
		}
		if c.Auth != nil {
			c.Auth(req)
		}
		req.Header.Set("Accept", "application/json")
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			last = err
			continue
		}
		msg, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			last = err
			continue
		}
		se := &StatusError{Code: resp.StatusCode, Body: msg}
		switch {
		case se.Code >= 200 && se.Code < 300:
			if out == nil || len(bytes.TrimSpace(msg)) == 0 {
				return nil
			}
			return json.Unmarshal(msg, out)
		case se.Temporary():
			last, se.Wait = se, RetryAfter(resp.Header.Get("Retry-After"))
			if se.Wait > c.MaxWait {
				return se
			}
			if attempt+1 < attempts {
				if err := Sleep(ctx, se.Wait); err != nil {
					return err
				}
			}
		default:
			return se
		}
	}
	return last
}

// RetryAfter reads a Retry-After header in seconds (the form Zendesk,
// Freshdesk and HubSpot send); a missing or unreadable one means one
// second.
func RetryAfter(h string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h))
	if err != nil || n < 0 {
		return time.Second
	}
	return time.Duration(n) * time.Second
}

// Sleep waits for d, or until ctx is done (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
