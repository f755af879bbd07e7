package proactive

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/memory"
)

// Headers of a signed event request (see [Sign]).
const (
	headerTimestamp = "Parley-Timestamp"
	headerSignature = "Parley-Signature"
)

// replayWindow is how far a signed request's timestamp may be from the
// receiver's clock. Within it a request is taken once: a second copy is
// refused with [ErrReplayed].
const replayWindow = 5 * time.Minute

// maxEventBody is the largest event request body accepted.
const maxEventBody = 64 << 10

// Errors of the event endpoint: the causes of its refusals (requestError).
var (
	// ErrBadSignature: the signature header is missing or does not match
	// the body and timestamp under the shared secret.
	ErrBadSignature = errors.New("proactive: bad signature")
	// ErrStale: the timestamp is missing or more than 5 minutes from
	// the receiver's clock.
	ErrStale = errors.New("proactive: timestamp outside the replay window")
	// ErrReplayed: this exact signed request was taken already.
	ErrReplayed = errors.New("proactive: request replayed")
	// errBadRequest: the body is not one JSON event, or is too large.
	errBadRequest = errors.New("proactive: malformed event request")
)

// A requestError is the endpoint's refusal of a request: the HTTP status
// it answered with and the cause (one of the errors above, or an
// [*EventError]). The body of the answer is {"error": Code, "message": ...}.
type requestError struct {
	Status int
	Code   string
	Err    error
}

// Error implements the error interface.
func (e *requestError) Error() string {
	return fmt.Sprintf("proactive: event request refused (%d %s): %v", e.Status, e.Code, e.Err)
}

// Unwrap returns the cause.
func (e *requestError) Unwrap() error { return e.Err }

// Sign returns the Parley-Signature header of a request whose body is
// sent at ts: "v1=" and the hex HMAC-SHA256, under secret, of the Unix
// timestamp, a dot and the body. Senders set the Parley-Timestamp header
// to the same Unix timestamp (strconv.FormatInt(ts.Unix(), 10)). The
// receiver takes a request within 5 minutes of its clock, once.
func Sign(secret []byte, ts time.Time, body []byte) string {
	return "v1=" + hex.EncodeToString(mac(secret, strconv.FormatInt(ts.Unix(), 10), body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Endpoint returns an HTTP handler that takes one business event per
// POST, as the JSON of an [Event], signed with secret (see [Sign]). It
// answers 202 when the event is taken, 200 for a duplicate event, and
// otherwise a refusal's status: 401 for a bad signature, a stale
// timestamp or a replay, 400 for a malformed body, 422 for an unknown
// event type, an unknown customer or an invalid time zone, 503 when the
// store is down (send again later). Nothing is recorded for a refused
// request. It returns an error, and no handler, if secret is shorter
// than 16 bytes.
func (e *Engine) Endpoint(secret []byte) (http.Handler, error) {
	if len(secret) < minSecret {
		return nil, fmt.Errorf("proactive: Endpoint secret is %d bytes, want at least %d", len(secret), minSecret)
	}
	secret = bytes.Clone(secret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeRefusal(w, &requestError{Status: http.StatusMethodNotAllowed, Code: "method", Err: errBadRequest})
			return
		}
		dup, err := e.serveEvent(r.Context(), secret, r)
		if err != nil {
			var re *requestError
			if !errors.As(err, &re) {
				re = &requestError{Status: http.StatusServiceUnavailable, Code: "unavailable", Err: err}
			}
			writeRefusal(w, re)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if dup {
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, `{"status":"duplicate"}`+"\n") // the client may be gone; nothing to do
			return
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"accepted"}`+"\n") // as above
	}), nil
}

// minSecret is the shortest secret Endpoint takes, in bytes.
const minSecret = 16

// verifyRequest checks a signed request's timestamp and signature
// against body at now, without recording anything.
func verifyRequest(secret []byte, h http.Header, body []byte, now time.Time) error {
	ts := h.Get(headerTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return &requestError{Status: http.StatusUnauthorized, Code: "stale", Err: ErrStale}
	}
	if d := now.Sub(time.Unix(sec, 0)); d > replayWindow || d < -replayWindow {
		return &requestError{Status: http.StatusUnauthorized, Code: "stale", Err: ErrStale}
	}
	got, ok := strings.CutPrefix(h.Get(headerSignature), "v1=")
	sig, err := hex.DecodeString(got)
	if !ok || err != nil || !hmac.Equal(sig, mac(secret, ts, body)) {
		return &requestError{Status: http.StatusUnauthorized, Code: "signature", Err: ErrBadSignature}
	}
	return nil
}

func (e *Engine) serveEvent(ctx context.Context, secret []byte, r *http.Request) (dup bool, err error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxEventBody))
	if err != nil {
		return false, &requestError{Status: http.StatusBadRequest, Code: "body", Err: fmt.Errorf("%w: %v", errBadRequest, err)}
	}
	if err := verifyRequest(secret, r.Header, body, time.Now()); err != nil {
		return false, err
	}
	var ev Event
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil || dec.More() {
		return false, &requestError{Status: http.StatusBadRequest, Code: "json", Err: fmt.Errorf("%w: not one JSON event", errBadRequest)}
	}
	// The signature is claimed last before the event, so that a request
	// refused for any reason above may be sent again as it was.
	sigKey := "proactive/sig/" + strings.TrimPrefix(r.Header.Get(headerSignature), "v1=")
	if _, err := e.store().Get(ctx, sigKey); err == nil {
		return false, &requestError{Status: http.StatusUnauthorized, Code: "replayed", Err: ErrReplayed}
	} else if !errors.Is(err, memory.ErrNotFound) {
		return false, err
	}
	err = e.Ingest(ctx, ev)
	var ee *EventError
	switch {
	case errors.Is(err, ErrDuplicateEvent):
		dup = true
	case errors.As(err, &ee):
		return false, &requestError{Status: http.StatusUnprocessableEntity, Code: eventCode(ee), Err: err}
	case err != nil:
		return false, err
	}
	_, err = e.store().Set(ctx, memory.Put{Key: sigKey, Value: []byte{1}, IfVersion: memory.Absent, TTL: 2 * replayWindow})
	if errors.Is(err, memory.ErrConflict) {
		// Two copies at once: the event's ID made the second a duplicate.
		return true, nil
	}
	// Any other failure to record the signature leaves the event taken:
	// a resend of this request is then refused as a duplicate event.
	return dup, nil
}

func eventCode(ee *EventError) string {
	switch {
	case errors.Is(ee, ErrUnknownEvent):
		return "unknown_event"
	case errors.Is(ee, ErrUnknownCustomer):
		return "unknown_customer"
	case errors.Is(ee, ErrBadTimeZone):
		return "time_zone"
	}
	return "invalid_event"
}

func writeRefusal(w http.ResponseWriter, re *requestError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(re.Status)
	msg := re.Err.Error()
	// The client may be gone; there is nothing more to do for it.
	_ = json.NewEncoder(w).Encode(map[string]string{"error": re.Code, "message": msg})
}
