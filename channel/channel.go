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

// A Platform is one messaging platform's driver, as database/sql/driver is
// a database's: it knows the platform's wire format and nothing else. The
// [Adapter] does the rest once for every platform: body limits, the order
// of the checks, numbered options, identity linking, [parley.Bot.Enqueue]
// (which de-duplicates), rendering, rate limits and retries.
//
// The platform packages (whatsapp, messenger, telegram, slack, sms, email)
// implement it; implementations must be safe for concurrent use.
type Platform interface {
	// Verify checks that r, whose body (at most Config.MaxBody bytes) is
	// body, comes from the platform: a signature over the body, a shared
	// secret, a verification token. It returns an error wrapping
	// [ErrSignature] or [ErrReplay] otherwise. It must not trust anything
	// in body before checking it.
	Verify(r *http.Request, body []byte) error
	// Parse reads a verified request. It returns an error wrapping
	// [ErrMalformed] for a body that is not the platform's.
	Parse(r *http.Request, body []byte) (*Batch, error)
	// Send makes one attempt to deliver one rendered part. A failure the
	// platform reports is a [*PlatformError] (Temporary for rate limits
	// and server errors, which the Adapter retries); a request that may
	// have reached the platform without an answer is [ErrAmbiguous]
	// (never retried). [Do] does both for HTTP APIs.
	Send(ctx context.Context, o *Outgoing) error
}

// A Batch is what one verified webhook carried.
type Batch struct {
	// Inbound are the user messages, in order.
	Inbound []Inbound
	// Events are reported to the Adapter's Observer: delivery statuses
	// ([EventStatus]), kinds that are not passed on ([EventUnsupported]),
	// opt-outs ([EventOptOut]). The Adapter fills in Channel and Time.
	Events []parley.Event
	// Body, when set, is the answer the platform expects in the response
	// (a verification challenge, TwiML, a Telegram method), sent with
	// status 200 and ContentType.
	Body        []byte
	ContentType string
}

// An Inbound is one user message from a webhook.
type Inbound struct {
	// Turn is the message as a turn: ConversationID (stable per user and
	// business number, chat or thread), MessageID (the platform's, for
	// de-duplication), Recipient (where replies go, in the platform's
	// terms), Time, Locale and Message. The Adapter sets Channel,
	// CustomerID and a zero Time.
	Turn *parley.Turn
	// UserID is the sender's platform ID, for the [Linker].
	UserID string
	// Verified is a contact the platform vouches for (the phone number of
	// a WhatsApp or SMS sender); zero when none.
	Verified Contact
}

// An Outgoing is one part of a reply, for [Platform.Send].
type Outgoing struct {
	// To is the conversation; To.Recipient is the platform's address.
	To parley.Address
	// Part is what to send, already fitted to the platform's
	// [Capabilities] by [Render].
	Part Part
	// Index numbers the part within Message, from 0.
	Index int
	// Message is the whole message the part comes from, for platforms
	// that need more of it (WhatsApp templates in Extras).
	Message parley.Message
	// Key is a stable ID for this part ("<message ID>#<index>"), empty when
	// the message has no ID. Pass it to the platform as an idempotency key
	// where it has one, so a re-send after a restart is not delivered twice.
	Key string
}

// Errors shared by the adapters.
var (
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
	// Channel is the adapter's channel name ("whatsapp"); the Adapter
	// fills it in.
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
// HTTP date).
func NewPlatformError(status int, h http.Header, code, reason string) *PlatformError {
	e := &PlatformError{Status: status, Code: code, Reason: reason}
	e.Temporary = status == http.StatusTooManyRequests || status >= 500
	if h != nil {
		e.RetryAfter = parseRetryAfter(h.Get("Retry-After"), time.Now())
	}
	return e
}

// parseRetryAfter parses a Retry-After header value, either delay-seconds
// or an HTTP date, and returns the wait from now; 0 if absent or invalid.
func parseRetryAfter(v string, now time.Time) time.Duration {
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
	// malformed, too large, or the Bot could not accept it). Err is a
	// [*RejectError].
	EventRejected parley.EventKind = "channel.rejected"
	// EventUnsupported: an inbound message of a kind the adapter does not
	// pass on as text (sticker, location, reaction) was acknowledged and
	// dropped. Attrs["type"] names the kind.
	EventUnsupported parley.EventKind = "channel.unsupported"
	// EventStatus: a delivery status callback. Attrs["status"] is sent,
	// delivered, read or failed; Attrs["message_id"] the outbound message.
	// For failed, Err is a [*PlatformError].
	EventStatus parley.EventKind = "channel.status"
	// EventOptOut: a user opted out (STOP) or back in (START);
	// Attrs["action"] says which. The message still reaches the Bot, which
	// records the opt-out on the customer.
	EventOptOut parley.EventKind = "channel.opt_out"
	// EventIdentityError: the identity linker failed; the turn went on
	// without a customer ID.
	EventIdentityError parley.EventKind = "channel.identity_error"
)
