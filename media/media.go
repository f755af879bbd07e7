// Package media lets a bot understand voice notes and screenshots as it
// understands text, and answer with speech where a channel plays audio.
//
// Three small interfaces, in the style of llm.Model, hide the providers:
// a [Transcriber] turns speech into text, a [Describer] turns an image into
// a description plus structured facts (error codes, order numbers, product
// names), and a [Speaker] turns text into speech. [OpenAI] implements all
// three over the OpenAI-compatible endpoints that OpenAI, LocalAI,
// whisper.cpp's server and Ollama's vision models speak.
//
// [Middleware] runs before intent, sentiment and escalation: it replaces a
// voice note with a text turn (keeping the audio on the turn), adds a
// screenshot's description to the turn's text, and, when it cannot, asks
// the customer politely to type instead. [ImageRoute] sends a described
// screenshot to the knowledge base (a kbbot.Handler), searching for the
// error codes and products it shows, and [HandOffer] attaches the image
// to the hand-off when the knowledge base cannot answer.
//
// # Limits
//
// Nothing from the customer is trusted: [CheckAudio] and [CheckImage] bound
// the size, sniff the type with [net/http.DetectContentType] (ignoring the
// type the channel claims), parse WAV headers for the duration and decode
// image headers, and report a typed error ([ErrTooLarge], [ErrType],
// [ErrCorrupt], [ErrTooLong]).
//
// # Resilience
//
// A [Guard] gives a provider the retries, attempt timeouts and circuit
// breaker of package llm ([llm.Do], [llm.Breaker]); Middleware's timeout
// bounds the whole wait, so a provider that hangs, is down or answers
// garbage costs the customer at most that long before being asked to type.
//
// # Errors
//
// *llm.StatusError for an HTTP error reply from a provider; [ErrBadResponse]
// for a reply that cannot be decoded; ctx.Err() when the context ends or a
// client's Timeout passes; [llm.ErrCircuitOpen] from a Guard whose breaker
// is open.
package media

import (
	"context"
	"errors"
	"time"
)

// A Transcriber turns speech into text.
type Transcriber interface {
	// Transcribe returns the text spoken in a. It does not retry.
	Transcribe(ctx context.Context, a *Audio) (*Transcript, error)
}

// A Describer describes an image, typically a customer's screenshot.
type Describer interface {
	// Describe returns what img shows and the facts read from it.
	Describe(ctx context.Context, img *Image) (*Description, error)
}

// A Speaker turns text into speech.
type Speaker interface {
	// Speak returns text spoken aloud, as audio data.
	Speak(ctx context.Context, text string) (*Audio, error)
}

// Audio is a sound recording held in memory.
type Audio struct {
	// Data is the encoded audio (WAV, Ogg/Opus, MP3, WebM, MP4).
	Data []byte
	// MIMEType is the sniffed type of Data; a client sniffs it if empty.
	MIMEType string
	// Name is a file name for the upload; a default is derived if empty.
	Name string
	// Language is a hint, an ISO 639-1 code such as "es"; empty: detect.
	Language string
}

// A Transcript is the text of a recording.
type Transcript struct {
	// Text is what was said.
	Text string
	// Language is the detected language, if the provider reports it.
	Language string
	// Duration is the length of the recording, if known.
	Duration time.Duration
}

// Image is a picture held in memory.
type Image struct {
	// Data is the encoded image (PNG, JPEG, GIF or WebP).
	Data []byte
	// MIMEType is the sniffed type of Data; a client sniffs it if empty.
	MIMEType string
}

// A Description is what an image shows, in words and as facts.
type Description struct {
	// Text describes the image in one or two sentences.
	Text string
	// ErrorCodes are error codes or messages visible in the image.
	ErrorCodes []string
	// OrderNumbers are order or reference numbers visible in the image.
	OrderNumbers []string
	// Products are product names visible in the image.
	Products []string
}

var (
	// ErrTooLarge reports media over the size limit.
	ErrTooLarge = errors.New("media: too large")
	// ErrTooLong reports a recording over the duration limit.
	ErrTooLong = errors.New("media: recording too long")
	// ErrType reports content whose sniffed type is not accepted (an
	// "image" that is not an image).
	ErrType = errors.New("media: unsupported content type")
	// ErrCorrupt reports a corrupt or truncated file.
	ErrCorrupt = errors.New("media: corrupt or truncated")
	// ErrBadResponse reports a provider reply that cannot be decoded.
	ErrBadResponse = errors.New("media: malformed response")
)
