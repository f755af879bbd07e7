package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"time"
)

// AnthropicConfig configures an [Anthropic] client.
type AnthropicConfig struct {
	// BaseURL is the API root; default "https://api.anthropic.com/v1".
	BaseURL string
	// APIKey is sent in the x-api-key header.
	APIKey string
	// Model is the model name. Required.
	Model string
	// HTTPClient sends requests; default http.DefaultClient.
	HTTPClient *http.Client
	// Timeout bounds one request, streaming included; default 60s.
	Timeout time.Duration
	// MaxTokens is the default reply bound (the API requires one);
	// default 1024.
	MaxTokens int
	// Version is the anthropic-version header; default "2023-06-01".
	Version string
}

// Anthropic is a client for the Anthropic Messages API. It implements
// [Model] and [Streamer] and is safe for concurrent use.
type Anthropic struct {
	cfg AnthropicConfig
	api *endpoint
}

var (
	_ Model    = (*Anthropic)(nil)
	_ Streamer = (*Anthropic)(nil)
)

// NewAnthropic returns a client, or an error if the configuration is
// invalid.
func NewAnthropic(cfg AnthropicConfig) (*Anthropic, error) {
	api, err := newEndpoint("anthropic", cfg.BaseURL, "https://api.anthropic.com/v1", cfg.HTTPClient, cfg.Timeout)
	if err != nil {
		return nil, err
	}
	if cfg.Model == "" {
		return nil, errors.New("llm: anthropic: Model is required")
	}
	if cfg.MaxTokens <= 0 {
		cfg.MaxTokens = 1024
	}
	if cfg.Version == "" {
		cfg.Version = "2023-06-01"
	}
	api.header.Set("anthropic-version", cfg.Version)
	if cfg.APIKey != "" {
		api.header.Set("x-api-key", cfg.APIKey)
	}
	return &Anthropic{cfg: cfg, api: api}, nil
}

type antBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Input     json.RawMessage `json:"input,omitempty"`
	ToolUseID string          `json:"tool_use_id,omitempty"`
	Content   string          `json:"content,omitempty"`
}

type antMessage struct {
	Role    string     `json:"role"`
	Content []antBlock `json:"content"`
}

type antTool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
}

type antRequest struct {
	Model       string       `json:"model"`
	MaxTokens   int          `json:"max_tokens"`
	System      string       `json:"system,omitempty"`
	Messages    []antMessage `json:"messages"`
	Tools       []antTool    `json:"tools,omitempty"`
	Temperature *float64     `json:"temperature,omitempty"`
	Stream      bool         `json:"stream,omitempty"`
}

type antUsage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

type antResponse struct {
	Model      string     `json:"model"`
	Content    []antBlock `json:"content"`
	StopReason string     `json:"stop_reason"`
	Usage      antUsage   `json:"usage"`
}

// jsonInstruction is appended to the system prompt when a request asks
// for JSON, since the Messages API has no JSON mode.
const jsonInstruction = "\n\nReply with a single JSON object and nothing else."

func (c *Anthropic) request(req *Request, stream bool) antRequest {
	r := antRequest{Model: c.cfg.Model, MaxTokens: req.MaxTokens, System: req.System, Temperature: req.Temperature, Stream: stream}
	if r.MaxTokens == 0 {
		r.MaxTokens = c.cfg.MaxTokens
	}
	if req.JSON {
		r.System += jsonInstruction
	}
	for _, m := range req.Messages {
		var am antMessage
		switch m.Role {
		case RoleTool:
			am = antMessage{Role: "user", Content: []antBlock{{Type: "tool_result", ToolUseID: m.ToolCallID, Content: m.Content}}}
		default:
			am.Role = string(m.Role)
			if m.Content != "" {
				am.Content = append(am.Content, antBlock{Type: "text", Text: m.Content})
			}
			for _, tc := range m.ToolCalls {
				in := tc.Arguments
				if !json.Valid(in) {
					in = json.RawMessage("{}")
				}
				am.Content = append(am.Content, antBlock{Type: "tool_use", ID: tc.ID, Name: tc.Name, Input: in})
			}
		}
		// Consecutive tool results go in one user message.
		if n := len(r.Messages); n > 0 && m.Role == RoleTool && r.Messages[n-1].Role == "user" &&
			len(r.Messages[n-1].Content) > 0 && r.Messages[n-1].Content[0].Type == "tool_result" {
			r.Messages[n-1].Content = append(r.Messages[n-1].Content, am.Content...)
			continue
		}
		r.Messages = append(r.Messages, am)
	}
	for _, t := range req.Tools {
		r.Tools = append(r.Tools, antTool{Name: t.Name, Description: t.Description, InputSchema: t.Parameters})
	}
	return r
}

func (c *Anthropic) response(ar *antResponse) *Response {
	out := &Response{Model: ar.Model, StopReason: normStop(ar.StopReason), Message: Message{Role: RoleAssistant},
		Usage: Usage{InputTokens: ar.Usage.InputTokens, OutputTokens: ar.Usage.OutputTokens}}
	var text strings.Builder
	for _, b := range ar.Content {
		switch b.Type {
		case "text":
			text.WriteString(b.Text)
		case "tool_use":
			out.Message.ToolCalls = append(out.Message.ToolCalls, ToolCall{ID: b.ID, Name: b.Name, Arguments: b.Input})
		}
	}
	out.Message.Content = text.String()
	return out
}

// Generate implements [Model].
func (c *Anthropic) Generate(ctx context.Context, req *Request) (*Response, error) {
	var ar antResponse
	if err := c.api.call(ctx, c.api.base+"/messages", c.request(req, false), &ar); err != nil {
		return nil, err
	}
	if ar.StopReason == "" && len(ar.Content) == 0 {
		return nil, fmt.Errorf("%w: anthropic: empty message", ErrBadResponse)
	}
	out := c.response(&ar)
	if req.JSON && len(out.Message.ToolCalls) == 0 && !jsonObject(out.Message.Content) {
		return nil, withUsage(fmt.Errorf("%w: anthropic: reply is not a JSON object", ErrBadResponse), out.Usage)
	}
	return out, nil
}

type antEvent struct {
	Type         string          `json:"type"`
	Index        int             `json:"index"`
	Message      *antResponse    `json:"message"`
	ContentBlock *antBlock       `json:"content_block"`
	Delta        json.RawMessage `json:"delta"`
	Usage        *antUsage       `json:"usage"`
	Error        *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

type antDelta struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	PartialJSON string `json:"partial_json"`
	StopReason  string `json:"stop_reason"`
}

// Stream implements [Streamer]: text deltas as they arrive, then the
// complete response with tool inputs assembled from input_json_delta
// events.
func (c *Anthropic) Stream(ctx context.Context, req *Request) iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		var msg antResponse
		var blocks []*antBlock
		var inputs []*strings.Builder
		// fail yields err, with the usage reported so far.
		fail := func(err error) {
			yield(Chunk{}, withUsage(err, Usage{InputTokens: msg.Usage.InputTokens, OutputTokens: msg.Usage.OutputTokens}))
		}
		for ev, err := range c.api.events(ctx, c.api.base+"/messages", c.request(req, true)) {
			if err != nil {
				fail(err)
				return
			}
			var e antEvent
			if err := json.Unmarshal([]byte(ev.Data), &e); err != nil {
				fail(fmt.Errorf("%w: anthropic: stream event: %v", ErrBadResponse, err))
				return
			}
			switch e.Type {
			case "message_start":
				if e.Message != nil {
					msg.Model, msg.Usage = e.Message.Model, e.Message.Usage
				}
			case "content_block_start":
				if e.ContentBlock == nil || e.Index != len(blocks) {
					fail(fmt.Errorf("%w: anthropic: content block %d out of order", ErrBadResponse, e.Index))
					return
				}
				b := *e.ContentBlock
				b.Input = nil
				blocks = append(blocks, &b)
				inputs = append(inputs, &strings.Builder{})
			case "content_block_delta":
				if e.Index < 0 || e.Index >= len(blocks) {
					fail(fmt.Errorf("%w: anthropic: delta for unknown block %d", ErrBadResponse, e.Index))
					return
				}
				var d antDelta
				if err := json.Unmarshal(e.Delta, &d); err != nil {
					fail(fmt.Errorf("%w: anthropic: delta: %v", ErrBadResponse, err))
					return
				}
				switch d.Type {
				case "text_delta":
					blocks[e.Index].Text += d.Text
					if d.Text != "" && !yield(Chunk{Text: d.Text}, nil) {
						return
					}
				case "input_json_delta":
					inputs[e.Index].WriteString(d.PartialJSON)
				}
			case "message_delta":
				var d antDelta
				if len(e.Delta) > 0 {
					if err := json.Unmarshal(e.Delta, &d); err != nil {
						fail(fmt.Errorf("%w: anthropic: message delta: %v", ErrBadResponse, err))
						return
					}
				}
				if d.StopReason != "" {
					msg.StopReason = d.StopReason
				}
				if e.Usage != nil {
					msg.Usage.OutputTokens = e.Usage.OutputTokens
					if e.Usage.InputTokens > 0 {
						msg.Usage.InputTokens = e.Usage.InputTokens
					}
				}
			case "message_stop":
				for i, b := range blocks {
					if b.Type == "tool_use" {
						in := inputs[i].String()
						if in == "" {
							in = "{}"
						}
						b.Input = json.RawMessage(in)
					}
					msg.Content = append(msg.Content, *b)
				}
				out := c.response(&msg)
				if req.JSON && len(out.Message.ToolCalls) == 0 && !jsonObject(out.Message.Content) {
					fail(fmt.Errorf("%w: anthropic: streamed reply is not a JSON object", ErrBadResponse))
					return
				}
				yield(Chunk{Response: out}, nil)
				return
			case "error":
				se := &StatusError{Provider: "anthropic", StatusCode: http.StatusInternalServerError}
				if e.Error != nil {
					se.Message = e.Error.Message
					if e.Error.Type == "overloaded_error" {
						se.StatusCode = 529
					}
				}
				fail(se)
				return
			}
		}
		fail(streamErr(ctx, "anthropic", fmt.Errorf("%w: stream ended without message_stop", ErrIncomplete)))
	}
}
