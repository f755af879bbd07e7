package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// OpenAIConfig configures an [OpenAI] client. It speaks the Chat
// Completions and Embeddings wire format that OpenAI, Azure OpenAI,
// Ollama, vLLM, llama.cpp server, LM Studio and Groq accept.
type OpenAIConfig struct {
	// BaseURL is the API root; default "https://api.openai.com/v1".
	// Requests go to BaseURL + "/chat/completions" and "/embeddings".
	BaseURL string
	// APIKey is sent as a bearer token, if set.
	APIKey string
	// Model is the chat model. Required for Generate and Stream.
	Model string
	// EmbeddingModel is the embedding model. Required for Embed.
	EmbeddingModel string
	// HTTPClient sends requests; default http.DefaultClient.
	HTTPClient *http.Client
	// Timeout bounds one request, streaming included; default 60s.
	Timeout time.Duration
	// MaxTokens is the default reply bound; 0 leaves it to the server.
	MaxTokens int
	// Header holds extra headers (Azure's "api-key", an organisation).
	Header http.Header
	// Query holds extra query parameters (Azure's "api-version").
	Query url.Values
}

// OpenAI is a client for OpenAI-compatible chat and embedding APIs. It
// implements [Model], [Streamer] and [Embedder], and is safe for
// concurrent use.
type OpenAI struct {
	cfg OpenAIConfig
	api *endpoint
}

var (
	_ Model    = (*OpenAI)(nil)
	_ Streamer = (*OpenAI)(nil)
	_ Embedder = (*OpenAI)(nil)
)

// NewOpenAI returns a client, or an error if the configuration is invalid.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	api, err := newEndpoint("openai", cfg.BaseURL, "https://api.openai.com/v1", cfg.HTTPClient, cfg.Timeout)
	if err != nil {
		return nil, err
	}
	if cfg.Model == "" && cfg.EmbeddingModel == "" {
		return nil, errors.New("llm: openai: Model or EmbeddingModel is required")
	}
	if cfg.Header != nil {
		api.header = cfg.Header.Clone()
	}
	if cfg.APIKey != "" {
		api.header.Set("Authorization", "Bearer "+cfg.APIKey)
	}
	return &OpenAI{cfg: cfg, api: api}, nil
}

func (c *OpenAI) url(path string) string {
	u := c.api.base + path
	if len(c.cfg.Query) > 0 {
		u += "?" + c.cfg.Query.Encode()
	}
	return u
}

type oaiMessage struct {
	Role       string        `json:"role"`
	Content    *string       `json:"content"`
	ToolCalls  []oaiToolCall `json:"tool_calls,omitempty"`
	ToolCallID string        `json:"tool_call_id,omitempty"`
}

type oaiToolCall struct {
	Index    *int   `json:"index,omitempty"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type oaiTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description,omitempty"`
		Parameters  json.RawMessage `json:"parameters"`
	} `json:"function"`
}

type oaiRequest struct {
	Model          string       `json:"model"`
	Messages       []oaiMessage `json:"messages"`
	Tools          []oaiTool    `json:"tools,omitempty"`
	MaxTokens      int          `json:"max_tokens,omitempty"`
	Temperature    *float64     `json:"temperature,omitempty"`
	ResponseFormat *struct {
		Type string `json:"type"`
	} `json:"response_format,omitempty"`
	Stream        bool `json:"stream,omitempty"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options,omitempty"`
}

type oaiUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

type oaiResponse struct {
	Model   string `json:"model"`
	Choices []struct {
		Message      oaiMessage `json:"message"`
		Delta        oaiMessage `json:"delta"`
		FinishReason *string    `json:"finish_reason"`
	} `json:"choices"`
	Usage *oaiUsage `json:"usage"`
}

func (c *OpenAI) request(req *Request, stream bool) oaiRequest {
	r := oaiRequest{Model: c.cfg.Model, MaxTokens: req.MaxTokens, Temperature: req.Temperature, Stream: stream}
	if r.MaxTokens == 0 {
		r.MaxTokens = c.cfg.MaxTokens
	}
	if req.System != "" {
		s := req.System
		r.Messages = append(r.Messages, oaiMessage{Role: "system", Content: &s})
	}
	for _, m := range req.Messages {
		content := m.Content
		om := oaiMessage{Role: string(m.Role), Content: &content, ToolCallID: m.ToolCallID}
		for _, tc := range m.ToolCalls {
			var otc oaiToolCall
			otc.ID, otc.Type = tc.ID, "function"
			otc.Function.Name, otc.Function.Arguments = tc.Name, string(tc.Arguments)
			om.ToolCalls = append(om.ToolCalls, otc)
		}
		if len(om.ToolCalls) > 0 && content == "" {
			om.Content = nil
		}
		r.Messages = append(r.Messages, om)
	}
	for _, t := range req.Tools {
		var ot oaiTool
		ot.Type = "function"
		ot.Function.Name, ot.Function.Description, ot.Function.Parameters = t.Name, t.Description, t.Parameters
		r.Tools = append(r.Tools, ot)
	}
	if req.JSON {
		r.ResponseFormat = &struct {
			Type string `json:"type"`
		}{Type: "json_object"}
	}
	if stream {
		r.StreamOptions = &struct {
			IncludeUsage bool `json:"include_usage"`
		}{IncludeUsage: true}
	}
	return r
}

func normStop(s string) string {
	switch s {
	case "stop", "end_turn", "stop_sequence":
		return "stop"
	case "tool_calls", "tool_use", "function_call":
		return "tool_calls"
	case "length", "max_tokens":
		return "max_tokens"
	}
	return s
}

// Generate implements [Model].
func (c *OpenAI) Generate(ctx context.Context, req *Request) (*Response, error) {
	var or oaiResponse
	if err := c.api.call(ctx, c.url("/chat/completions"), c.request(req, false), &or); err != nil {
		return nil, err
	}
	if len(or.Choices) == 0 {
		return nil, fmt.Errorf("%w: openai: no choices", ErrBadResponse)
	}
	ch := or.Choices[0]
	out := &Response{Model: or.Model, Message: Message{Role: RoleAssistant}}
	if ch.Message.Content != nil {
		out.Message.Content = *ch.Message.Content
	}
	for _, tc := range ch.Message.ToolCalls {
		out.Message.ToolCalls = append(out.Message.ToolCalls, ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: json.RawMessage(tc.Function.Arguments)})
	}
	if ch.FinishReason != nil {
		out.StopReason = normStop(*ch.FinishReason)
	}
	if or.Usage != nil {
		out.Usage = Usage{InputTokens: or.Usage.PromptTokens, OutputTokens: or.Usage.CompletionTokens}
	}
	if req.JSON && len(out.Message.ToolCalls) == 0 && !jsonObject(out.Message.Content) {
		return nil, withUsage(fmt.Errorf("%w: openai: reply is not a JSON object", ErrBadResponse), out.Usage)
	}
	return out, nil
}

// Stream implements [Streamer]: text deltas as they arrive, then the
// complete response with tool calls assembled from their deltas.
func (c *OpenAI) Stream(ctx context.Context, req *Request) iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		out := &Response{Message: Message{Role: RoleAssistant}}
		var text strings.Builder
		var calls toolCalls
		// fail yields err, with the usage reported so far.
		fail := func(err error) { yield(Chunk{}, withUsage(err, out.Usage)) }
		finished := false
		for ev, err := range c.api.events(ctx, c.url("/chat/completions"), c.request(req, true)) {
			if err != nil {
				fail(err)
				return
			}
			if ev.Data == "[DONE]" {
				if !finished {
					fail(fmt.Errorf("%w: openai: [DONE] without finish_reason", ErrIncomplete))
					return
				}
				out.Message.Content = text.String()
				out.Message.ToolCalls = calls.assemble()
				if req.JSON && len(out.Message.ToolCalls) == 0 && !jsonObject(out.Message.Content) {
					fail(fmt.Errorf("%w: openai: streamed reply is not a JSON object", ErrBadResponse))
					return
				}
				yield(Chunk{Response: out}, nil)
				return
			}
			var or oaiResponse
			if err := json.Unmarshal([]byte(ev.Data), &or); err != nil {
				fail(fmt.Errorf("%w: openai: stream event: %v", ErrBadResponse, err))
				return
			}
			if or.Model != "" {
				out.Model = or.Model
			}
			if or.Usage != nil {
				out.Usage = Usage{InputTokens: or.Usage.PromptTokens, OutputTokens: or.Usage.CompletionTokens}
			}
			for _, ch := range or.Choices {
				d := ch.Delta
				for _, tc := range d.ToolCalls {
					if err := calls.add(tc); err != nil {
						fail(err)
						return
					}
				}
				if ch.FinishReason != nil && *ch.FinishReason != "" {
					out.StopReason = normStop(*ch.FinishReason)
					finished = true
				}
				if d.Content != nil && *d.Content != "" {
					text.WriteString(*d.Content)
					if !yield(Chunk{Text: *d.Content}, nil) {
						return
					}
				}
			}
		}
		fail(streamErr(ctx, "openai", fmt.Errorf("%w: stream ended without [DONE]", ErrIncomplete)))
	}
}

// maxToolCalls bounds the tool calls of one streamed reply.
const maxToolCalls = 128

// toolCalls assembles streamed tool-call deltas. OpenAI sends each call's
// id, type and name on its first delta and then argument fragments under
// the same index. Two known departures are handled too: a delta without
// an index (Ollama before 0.4.7, ollama#7881) carrying an id starts a new
// call, one without either continues the last call; and a different id
// under an index already in use (Ollama sending index 0 for every call,
// ollama#15457) starts a new call, to which later fragments under that
// index go.
type toolCalls struct {
	calls []ToolCall
	args  []strings.Builder
	// slot maps the provider's index to the call that receives its
	// fragments.
	slot map[int]int
}

func (t *toolCalls) add(tc oaiToolCall) error {
	i := -1
	switch {
	case tc.Index == nil && tc.ID == "" && len(t.calls) > 0:
		i = len(t.calls) - 1
	case tc.Index != nil:
		if j, ok := t.slot[*tc.Index]; ok && (tc.ID == "" || t.calls[j].ID == "" || t.calls[j].ID == tc.ID) {
			i = j
		}
	}
	if i < 0 {
		if len(t.calls) == maxToolCalls {
			return fmt.Errorf("%w: openai: over %d tool calls", ErrBadResponse, maxToolCalls)
		}
		i = len(t.calls)
		t.calls = append(t.calls, ToolCall{})
		t.args = append(t.args, strings.Builder{})
		if tc.Index != nil {
			if t.slot == nil {
				t.slot = map[int]int{}
			}
			t.slot[*tc.Index] = i
		}
	}
	if tc.ID != "" {
		t.calls[i].ID = tc.ID
	}
	t.calls[i].Name += tc.Function.Name
	t.args[i].WriteString(tc.Function.Arguments)
	return nil
}

// assemble returns the complete calls, or nil if there are none.
func (t *toolCalls) assemble() []ToolCall {
	if len(t.calls) == 0 {
		return nil
	}
	out := make([]ToolCall, len(t.calls))
	for i, c := range t.calls {
		c.Arguments = json.RawMessage(t.args[i].String())
		out[i] = c
	}
	return out
}

// streamErr prefers the context's error when it ended the stream.
func streamErr(ctx context.Context, provider string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, ErrBadResponse) || errors.Is(err, ErrIncomplete) {
		return err
	}
	return fmt.Errorf("%w: %s: %v", ErrIncomplete, provider, err)
}

// Embed implements [Embedder].
func (c *OpenAI) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if c.cfg.EmbeddingModel == "" {
		return nil, errors.New("llm: openai: no EmbeddingModel configured")
	}
	if len(texts) == 0 {
		return nil, nil
	}
	body := map[string]any{"model": c.cfg.EmbeddingModel, "input": texts}
	var er struct {
		Data []struct {
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		} `json:"data"`
	}
	if err := c.api.call(ctx, c.url("/embeddings"), body, &er); err != nil {
		return nil, err
	}
	out := make([][]float32, len(texts))
	for _, d := range er.Data {
		if d.Index < 0 || d.Index >= len(out) {
			return nil, fmt.Errorf("%w: openai: embedding index %d", ErrBadResponse, d.Index)
		}
		out[d.Index] = d.Embedding
	}
	for i, v := range out {
		if v == nil {
			return nil, fmt.Errorf("%w: openai: no embedding for input %d", ErrBadResponse, i)
		}
	}
	return out, nil
}
