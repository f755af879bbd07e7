package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/llm"
)

// sse writes Server-Sent Events as the providers do, flushing each.
func sse(w http.ResponseWriter, events ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	for _, e := range events {
		fmt.Fprint(w, e, "\n\n")
		w.(http.Flusher).Flush()
	}
}

func refundTool() llm.Tool {
	return llm.Tool{Name: "refund", Description: "Refund an order", Parameters: json.RawMessage(`{"type":"object","properties":{"order_id":{"type":"string"}}}`)}
}

func openAIServer(t *testing.T, handle func(w http.ResponseWriter, body map[string]any)) (*llm.OpenAI, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer sk-test", r.Header.Get("Authorization"))
		assert.Equal(t, "2024-06-01", r.URL.Query().Get("api-version"))
		var body map[string]any
		require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		body["_path"] = r.URL.Path
		handle(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := llm.NewOpenAI(llm.OpenAIConfig{BaseURL: srv.URL + "/v1", APIKey: "sk-test", Model: "gpt-test", EmbeddingModel: "emb-test",
		HTTPClient: srv.Client(), Query: map[string][]string{"api-version": {"2024-06-01"}}})
	require.NoError(t, err)
	return c, srv
}

func TestOpenAIGenerate(t *testing.T) {
	var got map[string]any
	c, _ := openAIServer(t, func(w http.ResponseWriter, body map[string]any) {
		got = body
		fmt.Fprint(w, `{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-test-0613","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"refund","arguments":"{\"order_id\":\"A1\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":50,"completion_tokens":12,"total_tokens":62}}`)
	})
	resp, err := c.Generate(context.Background(), &llm.Request{
		System:   "You are a support bot.",
		Messages: []llm.Message{{Role: llm.RoleUser, Content: "refund A1"}},
		Tools:    []llm.Tool{refundTool()},
	})
	require.NoError(t, err)
	want := &llm.Response{Model: "gpt-test-0613", StopReason: "tool_calls", Usage: llm.Usage{InputTokens: 50, OutputTokens: 12},
		Message: llm.Message{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "call_1", Name: "refund", Arguments: json.RawMessage(`{"order_id":"A1"}`)}}}}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	assert.Equal(t, "/v1/chat/completions", got["_path"])
	assert.Equal(t, "gpt-test", got["model"])
	msgs := got["messages"].([]any)
	assert.Equal(t, map[string]any{"role": "system", "content": "You are a support bot."}, msgs[0])
	tools := got["tools"].([]any)
	assert.Equal(t, "function", tools[0].(map[string]any)["type"])
}

func TestOpenAIStreamToolCallDeltas(t *testing.T) {
	c, _ := openAIServer(t, func(w http.ResponseWriter, body map[string]any) {
		assert.Equal(t, true, body["stream"])
		assert.Equal(t, map[string]any{"include_usage": true}, body["stream_options"])
		sse(w,
			`data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`,
			`data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"content":"Let me "},"finish_reason":null}]}`,
			`data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"content":"check."},"finish_reason":null}]}`,
			`data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"refund","arguments":""}}]},"finish_reason":null}]}`,
			`data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"order_"}}]},"finish_reason":null}]}`,
			`data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"id\":\"A1\"}"}}]},"finish_reason":null}]}`,
			`data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
			`data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-test","choices":[],"usage":{"prompt_tokens":40,"completion_tokens":9,"total_tokens":49}}`,
			`data: [DONE]`)
	})
	var texts []string
	var final *llm.Response
	for ch, err := range c.Stream(context.Background(), &llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "refund"}}}) {
		require.NoError(t, err)
		if ch.Text != "" {
			texts = append(texts, ch.Text)
		}
		if ch.Response != nil {
			final = ch.Response
		}
	}
	assert.Equal(t, []string{"Let me ", "check."}, texts)
	require.NotNil(t, final)
	assert.Equal(t, "Let me check.", final.Message.Content)
	assert.Equal(t, []llm.ToolCall{{ID: "call_9", Name: "refund", Arguments: json.RawMessage(`{"order_id":"A1"}`)}}, final.Message.ToolCalls)
	assert.Equal(t, llm.Usage{InputTokens: 40, OutputTokens: 9}, final.Usage)
	assert.Equal(t, "tool_calls", final.StopReason)
}

func TestOpenAIFaults(t *testing.T) {
	tests := []struct {
		name   string
		handle func(w http.ResponseWriter)
		stream bool
		check  func(t *testing.T, err error)
	}{
		{name: "rate limited", handle: func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"message":"Rate limit reached","type":"requests"}}`)
		}, check: func(t *testing.T, err error) {
			var se *llm.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 429, se.StatusCode)
			assert.Equal(t, 7*time.Second, se.RetryAfter)
			assert.Equal(t, "Rate limit reached", se.Message)
			assert.True(t, se.Temporary())
		}},
		{name: "garbage", handle: func(w http.ResponseWriter) { fmt.Fprint(w, "<html>502 bad gateway</html>") },
			check: func(t *testing.T, err error) { require.ErrorIs(t, err, llm.ErrBadResponse) }},
		{name: "no choices", handle: func(w http.ResponseWriter) { fmt.Fprint(w, `{"choices":[]}`) },
			check: func(t *testing.T, err error) { require.ErrorIs(t, err, llm.ErrBadResponse) }},
		{name: "half stream", stream: true, handle: func(w http.ResponseWriter) {
			sse(w, `data: {"choices":[{"index":0,"delta":{"content":"Your refund"},"finish_reason":null}]}`)
		}, check: func(t *testing.T, err error) { require.ErrorIs(t, err, llm.ErrIncomplete) }},
		{name: "garbage stream", stream: true, handle: func(w http.ResponseWriter) { sse(w, `data: {not json`) },
			check: func(t *testing.T, err error) { require.ErrorIs(t, err, llm.ErrBadResponse) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := openAIServer(t, func(w http.ResponseWriter, _ map[string]any) { tt.handle(w) })
			req := &llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}
			var err error
			if tt.stream {
				_, err = llm.Collect(c.Stream(context.Background(), req))
			} else {
				_, err = c.Generate(context.Background(), req)
			}
			tt.check(t, err)
		})
	}
}

func TestOpenAITimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := llm.NewOpenAI(llm.OpenAIConfig{BaseURL: srv.URL, Model: "m", HTTPClient: srv.Client(), Timeout: 50 * time.Millisecond})
	require.NoError(t, err)
	_, err = c.Generate(context.Background(), &llm.Request{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestOpenAIEmbed(t *testing.T) {
	c, _ := openAIServer(t, func(w http.ResponseWriter, body map[string]any) {
		assert.Equal(t, "/v1/embeddings", body["_path"])
		assert.Equal(t, []any{"a", "b"}, body["input"])
		fmt.Fprint(w, `{"object":"list","data":[{"object":"embedding","index":1,"embedding":[0,1]},{"object":"embedding","index":0,"embedding":[1,0]}],"model":"emb-test","usage":{"prompt_tokens":2,"total_tokens":2}}`)
	})
	got, err := c.Embed(context.Background(), []string{"a", "b"})
	require.NoError(t, err)
	assert.Equal(t, [][]float32{{1, 0}, {0, 1}}, got)
}

func anthropicServer(t *testing.T, handle func(w http.ResponseWriter, body map[string]any)) *llm.Anthropic {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/v1/messages", r.URL.Path)
		assert.Equal(t, "key", r.Header.Get("x-api-key"))
		assert.Equal(t, "2023-06-01", r.Header.Get("anthropic-version"))
		var body map[string]any
		raw, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &body))
		handle(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := llm.NewAnthropic(llm.AnthropicConfig{BaseURL: srv.URL + "/v1", APIKey: "key", Model: "claude-test", HTTPClient: srv.Client()})
	require.NoError(t, err)
	return c
}

func TestAnthropicGenerate(t *testing.T) {
	var got map[string]any
	c := anthropicServer(t, func(w http.ResponseWriter, body map[string]any) {
		got = body
		fmt.Fprint(w, `{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_1","name":"refund","input":{"order_id":"A1"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":30,"output_tokens":20}}`)
	})
	resp, err := c.Generate(context.Background(), &llm.Request{
		System: "Be brief.",
		Messages: []llm.Message{
			{Role: llm.RoleUser, Content: "refund A1"},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "toolu_0", Name: "lookup", Arguments: json.RawMessage(`{"id":"A1"}`)}}},
			{Role: llm.RoleTool, ToolCallID: "toolu_0", Content: `{"status":"delivered"}`},
		},
		Tools: []llm.Tool{refundTool()},
	})
	require.NoError(t, err)
	assert.Equal(t, "Checking.", resp.Message.Content)
	assert.Equal(t, []llm.ToolCall{{ID: "toolu_1", Name: "refund", Arguments: json.RawMessage(`{"order_id":"A1"}`)}}, resp.Message.ToolCalls)
	assert.Equal(t, "tool_calls", resp.StopReason)
	assert.Equal(t, llm.Usage{InputTokens: 30, OutputTokens: 20}, resp.Usage)

	assert.Equal(t, "Be brief.", got["system"])
	assert.EqualValues(t, 1024, got["max_tokens"])
	msgs := got["messages"].([]any)
	require.Len(t, msgs, 3)
	assert.Equal(t, map[string]any{"type": "tool_use", "id": "toolu_0", "name": "lookup", "input": map[string]any{"id": "A1"}}, msgs[1].(map[string]any)["content"].([]any)[0])
	assert.Equal(t, map[string]any{"role": "user", "content": []any{map[string]any{"type": "tool_result", "tool_use_id": "toolu_0", "content": `{"status":"delivered"}`}}}, msgs[2])
	assert.Equal(t, "input_schema", firstKeyWith(got["tools"].([]any)[0].(map[string]any), "input_schema"))
}

func firstKeyWith(m map[string]any, k string) string {
	if _, ok := m[k]; ok {
		return k
	}
	return ""
}

func TestAnthropicStream(t *testing.T) {
	c := anthropicServer(t, func(w http.ResponseWriter, body map[string]any) {
		assert.Equal(t, true, body["stream"])
		sse(w,
			"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-test\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}",
			"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
			"event: ping\ndata: {\"type\": \"ping\"}",
			"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"One \"}}",
			"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"moment.\"}}",
			"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}",
			"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_2\",\"name\":\"refund\",\"input\":{}}}",
			"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}",
			"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"order_id\\\": \"}}",
			"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"A1\\\"}\"}}",
			"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}",
			"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":31}}",
			"event: message_stop\ndata: {\"type\":\"message_stop\"}")
	})
	var texts []string
	resp, err := llm.Collect(func(yield func(llm.Chunk, error) bool) {
		for ch, err := range c.Stream(context.Background(), &llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}) {
			texts = append(texts, ch.Text)
			if !yield(ch, err) {
				return
			}
		}
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"One ", "moment.", ""}, texts)
	assert.Equal(t, "One moment.", resp.Message.Content)
	assert.Equal(t, []llm.ToolCall{{ID: "toolu_2", Name: "refund", Arguments: json.RawMessage(`{"order_id": "A1"}`)}}, resp.Message.ToolCalls)
	assert.Equal(t, llm.Usage{InputTokens: 25, OutputTokens: 31}, resp.Usage)
	assert.Equal(t, "tool_calls", resp.StopReason)
}

func TestAnthropicFaults(t *testing.T) {
	tests := []struct {
		name   string
		events []string
		status int
		want   error
	}{
		{name: "overloaded event", events: []string{"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"}, want: &llm.StatusError{}},
		{name: "half stream", events: []string{
			"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-test\",\"usage\":{\"input_tokens\":1}}}",
			"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
			"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Your\"}}",
		}, want: llm.ErrIncomplete},
		{name: "delta for unknown block", events: []string{"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}"}, want: llm.ErrBadResponse},
		{name: "http 529", status: 529, want: &llm.StatusError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := anthropicServer(t, func(w http.ResponseWriter, _ map[string]any) {
				if tt.status != 0 {
					w.WriteHeader(tt.status)
					fmt.Fprint(w, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
					return
				}
				sse(w, tt.events...)
			})
			_, err := llm.Collect(c.Stream(context.Background(), &llm.Request{}))
			require.Error(t, err)
			_, wantStatus := tt.want.(*llm.StatusError)
			var se *llm.StatusError
			assert.Equal(t, wantStatus, errors.As(err, &se) && se.Temporary(), "a temporary *StatusError: %v", err)
			assert.True(t, wantStatus || errors.Is(err, tt.want), "%v is not %v", err, tt.want)
		})
	}
}

func TestNewClientErrors(t *testing.T) {
	_, err := llm.NewOpenAI(llm.OpenAIConfig{})
	require.Error(t, err)
	_, err = llm.NewAnthropic(llm.AnthropicConfig{})
	require.Error(t, err)
	_, err = llm.NewOpenAI(llm.OpenAIConfig{Model: "m", BaseURL: "http://[::1"})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "llm: openai"))
}

func TestJSONOutput(t *testing.T) {
	tests := []struct {
		name    string
		content string
		wantErr error
	}{
		{name: "object", content: `{"intent":"refund"}`},
		{name: "not json", content: `Sure! {"intent":`, wantErr: llm.ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run("openai "+tt.name, func(t *testing.T) {
			c, _ := openAIServer(t, func(w http.ResponseWriter, body map[string]any) {
				assert.Equal(t, map[string]any{"type": "json_object"}, body["response_format"])
				b, _ := json.Marshal(tt.content)
				fmt.Fprintf(w, `{"choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}]}`, b)
			})
			_, err := c.Generate(context.Background(), &llm.Request{JSON: true})
			require.ErrorIs(t, err, tt.wantErr) // errors.Is(err, nil) holds only for a nil err
		})
		t.Run("anthropic "+tt.name, func(t *testing.T) {
			c := anthropicServer(t, func(w http.ResponseWriter, body map[string]any) {
				assert.Contains(t, body["system"], "single JSON object")
				b, _ := json.Marshal(tt.content)
				fmt.Fprintf(w, `{"type":"message","role":"assistant","content":[{"type":"text","text":%s}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`, b)
			})
			_, err := c.Generate(context.Background(), &llm.Request{JSON: true, Messages: []llm.Message{{Role: llm.RoleUser, Content: "classify"}}})
			require.ErrorIs(t, err, tt.wantErr) // errors.Is(err, nil) holds only for a nil err
		})
	}
}

func TestRetryAfterDate(t *testing.T) {
	c, _ := openAIServer(t, func(w http.ResponseWriter, _ map[string]any) {
		w.Header().Set("Retry-After", time.Now().Add(30*time.Second).UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	_, err := c.Generate(context.Background(), &llm.Request{})
	var se *llm.StatusError
	require.ErrorAs(t, err, &se)
	assert.InDelta(t, 30, se.RetryAfter.Seconds(), 2)
}

// billed returns the usage a *llm.UsageError in err reports, or none.
func billed(err error) llm.Usage {
	var ue *llm.UsageError
	if errors.As(err, &ue) {
		return ue.Usage
	}
	return llm.Usage{}
}

// content returns the text of a response, or "" for none.
func content(resp *llm.Response) string {
	if resp == nil {
		return ""
	}
	return resp.Message.Content
}

func TestJSONOutputStream(t *testing.T) {
	tests := []struct {
		name        string
		content     []string
		wantErr     error
		wantUsage   llm.Usage // billed although the answer is refused
		wantContent string
	}{
		{name: "object", content: []string{`{"intent":`, `"refund"}`}, wantContent: `{"intent":"refund"}`},
		{name: "not json", content: []string{`Sure! `, `{"intent":`}, wantErr: llm.ErrBadResponse, wantUsage: llm.Usage{InputTokens: 9, OutputTokens: 4}},
		{name: "empty", content: []string{""}, wantErr: llm.ErrBadResponse, wantUsage: llm.Usage{InputTokens: 9, OutputTokens: 4}},
	}
	quote := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	for _, tt := range tests {
		t.Run("openai "+tt.name, func(t *testing.T) {
			c, _ := openAIServer(t, func(w http.ResponseWriter, body map[string]any) {
				assert.Equal(t, map[string]any{"type": "json_object"}, body["response_format"])
				var events []string
				for _, part := range tt.content {
					events = append(events, `data: {"choices":[{"index":0,"delta":{"content":`+quote(part)+`},"finish_reason":null}]}`)
				}
				events = append(events, `data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
					`data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}`, `data: [DONE]`)
				sse(w, events...)
			})
			resp, err := llm.Collect(c.Stream(context.Background(), &llm.Request{JSON: true}))
			require.ErrorIs(t, err, tt.wantErr) // errors.Is(err, nil) holds only for a nil err
			var ue *llm.UsageError
			assert.Equal(t, tt.wantErr != nil, errors.As(err, &ue), "a failed JSON answer reports the billed tokens")
			assert.Equal(t, tt.wantUsage, billed(err))
			assert.Equal(t, tt.wantContent, content(resp))
		})
		t.Run("anthropic "+tt.name, func(t *testing.T) {
			c := anthropicServer(t, func(w http.ResponseWriter, body map[string]any) {
				assert.Contains(t, body["system"], "single JSON object")
				events := []string{
					"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-test\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}",
					"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
				}
				for _, part := range tt.content {
					events = append(events, `event: content_block_delta`+"\n"+`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":`+quote(part)+`}}`)
				}
				events = append(events, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}",
					"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":4}}",
					"event: message_stop\ndata: {\"type\":\"message_stop\"}")
				sse(w, events...)
			})
			resp, err := llm.Collect(c.Stream(context.Background(), &llm.Request{JSON: true, Messages: []llm.Message{{Role: llm.RoleUser, Content: "classify"}}}))
			require.ErrorIs(t, err, tt.wantErr) // errors.Is(err, nil) holds only for a nil err
			var ue *llm.UsageError
			assert.Equal(t, tt.wantErr != nil, errors.As(err, &ue), "a failed JSON answer reports the billed tokens")
			assert.Equal(t, tt.wantUsage, billed(err))
			assert.Equal(t, tt.wantContent, content(resp))
		})
	}
}
