package web

import (
	"errors"
	"fmt"
)

// Sentinel errors. A rejected request or frame is reported to the client
// as an error frame (or an HTTP error) carrying the code of a
// [*rejectError], and to the [parley.Observer] as an [eventRejected] event
// whose Err wraps one of these.
var (
	// errInvalidToken reports a visitor token that is missing, malformed,
	// forged or expired.
	errInvalidToken = errors.New("web: invalid visitor token")
	// errOrigin reports a request from an origin that is neither the
	// handler's own nor in [Config.AllowedOrigins].
	errOrigin = errors.New("web: origin not allowed")
	// errTooLarge reports a message, frame, request body or upload over
	// its limit.
	errTooLarge = errors.New("web: message too large")
	// errBadFrame reports a frame that is not valid JSON, not a known
	// frame type, or has an invalid field.
	errBadFrame = errors.New("web: malformed frame")
	// errRateLimited reports a conversation sending frames faster than
	// [Config.RateLimit] allows, or opening too many connections.
	errRateLimited = errors.New("web: rate limited")
	// errUploadType reports an upload whose content is not one of
	// [Config.UploadTypes].
	errUploadType = errors.New("web: file type not allowed")
	// errEventNotAllowed reports a track frame whose name is not one of
	// [Config.TrackEvents]: internal signals (agent messages, hand-off
	// lifecycle, approvals) can never come from a browser.
	errEventNotAllowed = errors.New("web: event not allowed")
	// errClosed is returned after [Chat.Close] has begun.
	errClosed = errors.New("web: handler is shut down")
)

// Client-visible error codes, one per sentinel.
const (
	codeInvalidToken = "invalid_token"
	codeOrigin       = "origin"
	codeTooLarge     = "too_large"
	codeBadFrame     = "bad_frame"
	codeRateLimited  = "rate_limited"
	codeUploadType   = "upload_type"
	codeEventRefused = "event_not_allowed"
	codeInternal     = "internal"
)

// A rejectError reports inbound input the handler refused. Code is the
// machine-readable code sent to the client, Reason a short human-readable
// explanation; Unwrap returns the matching sentinel, so
// errors.Is(err, errRateLimited) works.
type rejectError struct {
	Code           string
	Reason         string
	ConversationID string
	// MessageID is the client's ID of the rejected frame, if known.
	MessageID string
	err       error
}

// Error returns the sentinel's text and the reason.
func (e *rejectError) Error() string {
	if e.Reason == "" {
		return e.err.Error()
	}
	return fmt.Sprintf("%v: %s", e.err, e.Reason)
}

// Unwrap returns the sentinel error for the code.
func (e *rejectError) Unwrap() error { return e.err }

// status is the HTTP status for the rejection.
func (e *rejectError) status() int {
	switch e.Code {
	case codeInvalidToken:
		return 401
	case codeOrigin:
		return 403
	case codeTooLarge:
		return 413
	case codeRateLimited:
		return 429
	case codeUploadType:
		return 415
	case codeEventRefused:
		return 403
	case codeInternal:
		return 500
	}
	return 400
}

func reject(sentinel error, reason string) *rejectError {
	code := codeInternal
	switch sentinel {
	case errInvalidToken:
		code = codeInvalidToken
	case errOrigin:
		code = codeOrigin
	case errTooLarge:
		code = codeTooLarge
	case errBadFrame:
		code = codeBadFrame
	case errRateLimited:
		code = codeRateLimited
	case errUploadType:
		code = codeUploadType
	case errEventNotAllowed:
		code = codeEventRefused
	}
	return &rejectError{Code: code, Reason: reason, err: sentinel}
}

// clientText is the message shown to the client: internal errors are not
// spelled out.
func (e *rejectError) clientText() string {
	if e.Code == codeInternal {
		return "web: the bot could not handle the message; please try again"
	}
	return e.Error()
}

// asReject returns err as a *rejectError, wrapping any other error with
// sentinel.
func asReject(err error, sentinel error) *rejectError {
	var re *rejectError
	if errors.As(err, &re) {
		return re
	}
	return reject(sentinel, err.Error())
}
