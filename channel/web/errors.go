package web

import (
	"errors"
	"fmt"
)

// Sentinel errors. A rejected request or frame is reported to the client
// as an error frame (or an HTTP error) carrying the code of a
// [*RejectError], and to the [parley.Observer] as an [EventRejected] event
// whose Err wraps one of these.
var (
	// ErrInvalidToken reports a visitor token that is missing, malformed,
	// forged or expired.
	ErrInvalidToken = errors.New("web: invalid visitor token")
	// ErrOrigin reports a request from an origin that is neither the
	// handler's own nor in [Config.AllowedOrigins].
	ErrOrigin = errors.New("web: origin not allowed")
	// ErrTooLarge reports a message, frame, request body or upload over
	// its limit.
	ErrTooLarge = errors.New("web: message too large")
	// ErrBadFrame reports a frame that is not valid JSON, not a known
	// frame type, or has an invalid field.
	ErrBadFrame = errors.New("web: malformed frame")
	// ErrRateLimited reports a conversation sending frames faster than
	// [Config.RateLimit] allows, or opening too many connections.
	ErrRateLimited = errors.New("web: rate limited")
	// ErrUploadType reports an upload whose content is not one of
	// [Config.UploadTypes].
	ErrUploadType = errors.New("web: file type not allowed")
	// ErrNotConnected is returned by [Handler.Push] when the visitor has no
	// open connection.
	ErrNotConnected = errors.New("web: visitor not connected")
	// ErrClosed is returned after [Handler.Close] has begun.
	ErrClosed = errors.New("web: handler is shut down")
)

// Client-visible error codes, one per sentinel.
const (
	CodeInvalidToken = "invalid_token"
	CodeOrigin       = "origin"
	CodeTooLarge     = "too_large"
	CodeBadFrame     = "bad_frame"
	CodeRateLimited  = "rate_limited"
	CodeUploadType   = "upload_type"
	CodeInternal     = "internal"
)

// A RejectError reports inbound input the handler refused. Code is the
// machine-readable code sent to the client, Reason a short human-readable
// explanation; Unwrap returns the matching sentinel, so
// errors.Is(err, ErrRateLimited) works.
type RejectError struct {
	Code           string
	Reason         string
	ConversationID string
	// MessageID is the client's ID of the rejected frame, if known.
	MessageID string
	err       error
}

// Error returns the sentinel's text and the reason.
func (e *RejectError) Error() string {
	if e.Reason == "" {
		return e.err.Error()
	}
	return fmt.Sprintf("%v: %s", e.err, e.Reason)
}

// Unwrap returns the sentinel error for the code.
func (e *RejectError) Unwrap() error { return e.err }

// status is the HTTP status for the rejection.
func (e *RejectError) status() int {
	switch e.Code {
	case CodeInvalidToken:
		return 401
	case CodeOrigin:
		return 403
	case CodeTooLarge:
		return 413
	case CodeRateLimited:
		return 429
	case CodeUploadType:
		return 415
	case CodeInternal:
		return 500
	}
	return 400
}

func reject(sentinel error, reason string) *RejectError {
	code := CodeInternal
	switch sentinel {
	case ErrInvalidToken:
		code = CodeInvalidToken
	case ErrOrigin:
		code = CodeOrigin
	case ErrTooLarge:
		code = CodeTooLarge
	case ErrBadFrame:
		code = CodeBadFrame
	case ErrRateLimited:
		code = CodeRateLimited
	case ErrUploadType:
		code = CodeUploadType
	}
	return &RejectError{Code: code, Reason: reason, err: sentinel}
}

// clientText is the message shown to the client: internal errors are not
// spelled out.
func (e *RejectError) clientText() string {
	if e.Code == CodeInternal {
		return "web: the bot could not handle the message; please try again"
	}
	return e.Error()
}

// asReject returns err as a *RejectError, wrapping any other error with
// sentinel.
func asReject(err error, sentinel error) *RejectError {
	var re *RejectError
	if errors.As(err, &re) {
		return re
	}
	return reject(sentinel, err.Error())
}
