package channel

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// An Adapter connects one messaging platform to a [parley.Handler]. Its
// ServeHTTP receives the platform's webhooks: it verifies and parses them,
// acknowledges them at once and hands each message to a worker as a
// [parley.Turn]. Close stops accepting webhooks and waits until every
// acknowledged message has been handled, or ctx ends.
//
// Adapters are safe for concurrent use.
type Adapter interface {
	http.Handler
	Close(ctx context.Context) error
}

// Errors shared by the adapters.
var (
	// ErrClosed is returned when a webhook or a send arrives after Close.
	ErrClosed = errors.New("channel: adapter is closed")
	// ErrQueueFull is returned when the adapter's queue has no room; the
	// webhook is answered 503 so that the platform redelivers it later.
	ErrQueueFull = errors.New("channel: queue is full")
	// ErrBodyTooLarge is returned for a webhook body over the limit.
	ErrBodyTooLarge = errors.New("channel: request body too large")
	// ErrSignature is returned for a webhook with a missing or wrong
	// signature or secret.
	ErrSignature = errors.New("channel: bad or missing signature")
	// ErrReplay is returned for a signed webhook whose timestamp is outside
	// the replay window.
	ErrReplay = errors.New("channel: request outside the replay window")
	// ErrMalformed is returned for a webhook body that cannot be parsed.
	ErrMalformed = errors.New("channel: malformed request")
	// ErrAmbiguous is returned when a send failed after the request reached
	// the platform, so it may or may not have been delivered. It is not
	// retried unless the platform offers idempotency, so that nothing is
	// sent twice.
	ErrAmbiguous = errors.New("channel: send outcome unknown")
	// ErrUnsupported is returned for a message part the platform cannot
	// carry and that has no fallback (an inline file on SMS).
	ErrUnsupported = errors.New("channel: unsupported by the platform")
	// ErrOptedOut is returned when sending to a user who opted out (SMS
	// STOP); nothing is sent.
	ErrOptedOut = errors.New("channel: recipient opted out")
)

// A PlatformError is an error answer from a messaging platform's API. It
// carries the platform's own status, code and reason so that callers can
// tell "rate limited" from "recipient unknown" without parsing strings.
type PlatformError struct {
	// Channel is the adapter's channel name ("whatsapp").
	Channel string
	// Status is the HTTP status (or the SMTP reply code for email).
	Status int
	// Code is the platform's error code, if any ("131047",
	// "channel_not_found", "21211").
	Code string
	// Reason is the platform's human-readable explanation.
	Reason string
	// RetryAfter is how long the platform asked to wait, if it said.
	RetryAfter time.Duration
	// Temporary reports whether retrying later can succeed (rate limits,
	// server errors).
	Temporary bool
}

// Error implements the error interface.
func (e *PlatformError) Error() string {
	var b strings.Builder
	b.WriteString(e.Channel)
	b.WriteString(": platform error ")
	b.WriteString(strconv.Itoa(e.Status))
	if e.Code != "" {
		b.WriteString(" (")
		b.WriteString(e.Code)
		b.WriteString(")")
	}
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	return b.String()
}

// NewPlatformError returns the PlatformError for an HTTP answer: Temporary
// for 429 and 5xx, RetryAfter from the Retry-After header (seconds or an
// HTTP date, relative to now).
func NewPlatformError(channel string, status int, h http.Header, code, reason string, now time.Time) *PlatformError {
	e := &PlatformError{Channel: channel, Status: status, Code: code, Reason: reason}
	e.Temporary = status == http.StatusTooManyRequests || status >= 500
	if h != nil {
		e.RetryAfter = ParseRetryAfter(h.Get("Retry-After"), now)
	}
	return e
}

// ParseRetryAfter parses a Retry-After header value, either delay-seconds
// or an HTTP date, and returns the wait from now; 0 if absent or invalid.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > 86400 {
			n = 86400
		}
		return time.Duration(n) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	if d := t.Sub(now); d > 0 {
		return d
	}
	return 0
}

// A RejectError explains why a webhook was refused: the HTTP status it was
// answered with and the cause ([ErrSignature], [ErrMalformed], ...).
type RejectError struct {
	Status int
	Err    error
}

// Error implements the error interface.
func (e *RejectError) Error() string {
	return fmt.Sprintf("channel: webhook rejected with %d: %v", e.Status, e.Err)
}

// Unwrap returns the underlying error.
func (e *RejectError) Unwrap() error { return e.Err }

// Event kinds emitted by the adapters to the configured [parley.Observer].
const (
	// EventRejected: a webhook was refused (bad signature, replay,
	// malformed, too large). Err is a [*RejectError].
	EventRejected parley.EventKind = "channel.rejected"
	// EventUnsupported: an inbound message of a kind the adapter does not
	// pass on as text (sticker, location, reaction) was acknowledged and
	// dropped. Attrs["type"] names the kind.
	EventUnsupported parley.EventKind = "channel.unsupported"
	// EventDuplicate: a redelivered inbound message was acknowledged and
	// dropped.
	EventDuplicate parley.EventKind = "channel.duplicate"
	// EventStatus: a delivery status callback. Attrs["status"] is sent,
	// delivered, read or failed; Attrs["message_id"] the outbound message.
	// For failed, Err is a [*PlatformError].
	EventStatus parley.EventKind = "channel.status"
	// EventHandlerError: the handler returned an error for an acknowledged
	// message. Err is the error.
	EventHandlerError parley.EventKind = "channel.handler_error"
	// EventOptOut: a user opted out (STOP) or back in (START);
	// Attrs["action"] says which.
	EventOptOut parley.EventKind = "channel.opt_out"
	// EventIdentityError: the identity linker failed; the turn went on
	// without a customer ID.
	EventIdentityError parley.EventKind = "channel.identity_error"
)
