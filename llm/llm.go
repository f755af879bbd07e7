package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
)

// Errors returned by models and the wrappers in this package.
var (
	// ErrBadResponse is returned when a provider's reply cannot be
	// decoded: garbage, a missing field, invalid JSON output.
	ErrBadResponse = errors.New("llm: malformed response")
	// ErrIncomplete is returned when a stream ends before the provider
	// says the reply is complete (a dropped connection, half a stream).
	ErrIncomplete = errors.New("llm: incomplete stream")
	// ErrCircuitOpen is returned by a [Breaker] that is refusing calls.
	ErrCircuitOpen = errors.New("llm: circuit open")
	// ErrNoModel is returned by an empty [Fallback].
	ErrNoModel = errors.New("llm: no model")
	// ErrTimeBudget is returned (wrapped) by [Retry] and [Within] when
	// the call's total time budget runs out, or would run out before the
	// next try could start.
	ErrTimeBudget = errors.New("llm: time budget exhausted")
)

// A StatusError is an HTTP error reply from a provider.
type StatusError struct {
	Provider   string
	StatusCode int
	// RetryAfter is the delay the provider asked for (Retry-After), or 0.
	RetryAfter time.Duration
	// Message is the provider's error message, if it sent one.
	Message string
}

// Error implements the error interface.
func (e *StatusError) Error() string {
	return fmt.Sprintf("llm: %s: HTTP %d: %s", e.Provider, e.StatusCode, e.Message)
}

// Temporary reports whether retrying may succeed: rate limits (429),
// overload (529) and server errors (5xx).
func (e *StatusError) Temporary() bool { return e.StatusCode == 429 || e.StatusCode >= 500 }

// Role says who wrote a [Message].
type Role string

// Roles. The system prompt is not a message: it is [Request.System].
const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	// RoleTool carries the result of a tool call (ToolCallID says which).
	RoleTool Role = "tool"
)

// A Message is one message of a conversation with a model.
type Message struct {
	Role    Role   `json:"role"`
	Content string `json:"content,omitempty"`
	// ToolCalls are the calls an assistant message asks for.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// ToolCallID names the call a tool message answers.
	ToolCallID string `json:"tool_call_id,omitempty"`
}

// A ToolCall is a model's request to run a tool.
type ToolCall struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Arguments is the JSON object the model produced. It is not
	// validated here: it may be anything, including invalid JSON.
	Arguments json.RawMessage `json:"arguments"`
}

// A Tool is a function the model may call.
type Tool struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Parameters is the JSON Schema of the arguments object.
	Parameters json.RawMessage `json:"parameters"`
}

// A Request asks a model for the next assistant message.
type Request struct {
	// System is the system prompt: the instructions the model follows.
	System   string
	Messages []Message
	Tools    []Tool
	// JSON asks for a reply that is a single JSON object. The clients
	// check the reply: Generate fails with [ErrBadResponse] if it is not
	// one (unless the reply is a tool call). A stream is checked once
	// assembled: its text deltas have already been yielded by then, so a
	// reply that is not a JSON object ends the stream with
	// [ErrBadResponse] instead of the final chunk, and [Collect] returns
	// that error. Do not show a JSON reply's deltas to a user; collect it.
	JSON bool
	// MaxTokens bounds the reply; 0 means the client's default.
	MaxTokens int
	// Temperature, if set, overrides the provider's default.
	Temperature *float64
	// Conversation identifies the conversation for usage accounting
	// ([Meter]); it is not sent to the provider.
	Conversation string
}

// Usage is the number of tokens a call read (the prompt, tools and
// history) and wrote, as the provider reported them; [Meter] adds them up
// per conversation.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// Add returns u + v.
func (u Usage) Add(v Usage) Usage {
	return Usage{InputTokens: u.InputTokens + v.InputTokens, OutputTokens: u.OutputTokens + v.OutputTokens}
}

// A Response is a model's reply.
type Response struct {
	Message Message
	// StopReason is why the model stopped: "stop", "tool_calls",
	// "max_tokens", as the provider says it (normalised to these three
	// where known).
	StopReason string
	Usage      Usage
	// Model names the model that answered; a [Fallback] sets it to the
	// one that succeeded.
	Model string
}

// A Chunk is a piece of a streamed reply: a text delta, and on the last
// chunk the complete [Response], with tool calls assembled from their
// deltas.
type Chunk struct {
	Text     string
	Response *Response
}

// A Model generates replies. Implementations are safe for concurrent use.
// Generate returns a [*StatusError] for an HTTP error from the provider,
// [ErrBadResponse] for a reply it cannot decode, and ctx.Err() when the
// context ends. A Model may also implement [Streamer].
type Model interface {
	Generate(ctx context.Context, req *Request) (*Response, error)
}

// ModelFunc adapts a function to a [Model].
type ModelFunc func(ctx context.Context, req *Request) (*Response, error)

// Generate calls f(ctx, req).
func (f ModelFunc) Generate(ctx context.Context, req *Request) (*Response, error) { return f(ctx, req) }

// A Streamer is a [Model] that can stream its reply. The sequence yields
// text chunks, then a last chunk carrying the Response; it yields an error
// instead if the stream fails ([ErrIncomplete] if it ends early).
type Streamer interface {
	Stream(ctx context.Context, req *Request) iter.Seq2[Chunk, error]
}

// An Embedder turns texts into vectors, one per text, in order.
// Implementations are safe for concurrent use.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// EmbedderFunc adapts a function to an [Embedder].
type EmbedderFunc func(ctx context.Context, texts []string) ([][]float32, error)

// Embed calls f(ctx, texts).
func (f EmbedderFunc) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return f(ctx, texts)
}

// Stream streams m's reply if m is a [Streamer], and otherwise yields its
// whole reply as one chunk.
func Stream(ctx context.Context, m Model, req *Request) iter.Seq2[Chunk, error] {
	if s, ok := m.(Streamer); ok {
		return s.Stream(ctx, req)
	}
	return func(yield func(Chunk, error) bool) {
		resp, err := m.Generate(ctx, req)
		if err != nil {
			yield(Chunk{}, err)
			return
		}
		yield(Chunk{Text: resp.Message.Content, Response: resp}, nil)
	}
}

// Collect drains a stream and returns its final Response. A stream that
// ends without one gives [ErrIncomplete].
func Collect(chunks iter.Seq2[Chunk, error]) (*Response, error) {
	var text strings.Builder
	for c, err := range chunks {
		if err != nil {
			return nil, err
		}
		text.WriteString(c.Text)
		if c.Response != nil {
			return c.Response, nil
		}
	}
	return nil, fmt.Errorf("%w: no final response after %d bytes", ErrIncomplete, text.Len())
}

// TextDeltas turns a stream into the text deltas that
// [github.com/parleyhq/parley.Stream] sends to a user.
func TextDeltas(chunks iter.Seq2[Chunk, error]) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		done := false
		for c, err := range chunks {
			if err != nil {
				yield("", err)
				return
			}
			if c.Text != "" && !yield(c.Text, nil) {
				return
			}
			if c.Response != nil {
				done = true
			}
		}
		if !done {
			yield("", ErrIncomplete)
		}
	}
}
