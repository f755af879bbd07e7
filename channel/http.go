package channel

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
)

// A Call is one outbound API request, for [Do].
type Call struct {
	Method string // default POST
	URL    string
	Header http.Header
	Body   []byte
	// Idempotent reports that repeating the request cannot deliver twice
	// (the platform de-duplicates it, or it is a read), so a failure after
	// the request was written may be retried.
	Idempotent bool
	// Check turns the platform's answer into an error, typically a
	// [*PlatformError]; nil means any 2xx is success and anything else is a
	// PlatformError whose reason is the body.
	Check func(status int, h http.Header, body []byte) error
}

// Do makes one attempt at c with client and returns the answer's body. A
// failure before the request was written is a temporary [*PlatformError]
// (nothing reached the platform, so the Adapter retries it); a failure
// after it is [ErrAmbiguous] unless c is Idempotent; an answer that is not
// a success is c.Check's error.
func Do(ctx context.Context, client *http.Client, c Call) ([]byte, error) {
	method := c.Method
	if method == "" {
		method = http.MethodPost
	}
	var written atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { written.Store(true) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, c.URL, bytes.NewReader(c.Body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		wrote := written.Load()
		if ctx.Err() != nil && !wrote {
			return nil, ctx.Err()
		}
		if wrote && !c.Idempotent {
			return nil, fmt.Errorf("%w: %w", ErrAmbiguous, err)
		}
		// Nothing reached the platform (or repeating is harmless): retry.
		return nil, &PlatformError{Reason: err.Error(), Temporary: true}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil && resp.StatusCode/100 != 2 {
		return nil, &PlatformError{Status: resp.StatusCode, Reason: err.Error(),
			Temporary: resp.StatusCode == 429 || resp.StatusCode >= 500}
	}
	// A 2xx whose body could not be read is still a success: the platform
	// accepted the message, and retrying would send it twice.
	if c.Check != nil {
		return body, c.Check(resp.StatusCode, resp.Header, body)
	}
	if resp.StatusCode/100 == 2 {
		return body, nil
	}
	return body, NewPlatformError(resp.StatusCode, resp.Header, "", string(bytes.TrimSpace(body)))
}

// EqualSecret compares a received secret or signature with the expected
// one in constant time. An empty expected value never matches.
func EqualSecret(got, want []byte) bool {
	return len(want) > 0 && hmac.Equal(got, want)
}

// HMACHex returns the lower-case hex HMAC of msg under secret with the
// hash h, the form of X-Hub-Signature-256 and Slack's signature.
func HMACHex(h func() hash.Hash, secret, msg []byte) string {
	m := hmac.New(h, secret)
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}
