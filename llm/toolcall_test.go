package llm_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/llm"
)

// The event bytes below follow what the servers send: OpenAI's chat
// completion chunks (id, type and name on a call's first delta, argument
// fragments after it under the same index, parallel calls under indexes
// 0, 1, ...), Ollama's OpenAI-compatible endpoint (each call whole in one
// delta; before 0.4.7 without an index, ollama#7881; later with index 0
// for every call, ollama#15457).
func TestOpenAIStreamToolCallVariants(t *testing.T) {
	const (
		ollamaPrefix = `data: {"id":"chatcmpl-18","object":"chat.completion.chunk","created":1744446075,"model":"qwen2.5-coder:7b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"",`
		ollamaFinish = `data: {"id":"chatcmpl-18","object":"chat.completion.chunk","created":1744446075,"model":"qwen2.5-coder:7b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"tool_calls"}]}`
		oaiPrefix    = `data: {"id":"chatcmpl-9p","object":"chat.completion.chunk","created":1721984997,"model":"gpt-4o","system_fingerprint":null,"choices":[{"index":0,"delta":{`
		oaiFinish    = `data: {"id":"chatcmpl-9p","object":"chat.completion.chunk","created":1721984997,"model":"gpt-4o","system_fingerprint":null,"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}`
	)
	lookup := func(id, order string) llm.ToolCall {
		return llm.ToolCall{ID: id, Name: "lookup_order", Arguments: json.RawMessage(`{"order_id":"` + order + `"}`)}
	}
	tests := []struct {
		name   string
		events []string
		want   []llm.ToolCall
	}{
		{
			name: "openai parallel calls split across deltas",
			events: []string{
				oaiPrefix + `"role":"assistant","content":null},"logprobs":null,"finish_reason":null}]}`,
				oaiPrefix + `"tool_calls":[{"index":0,"id":"call_A","type":"function","function":{"name":"lookup_order","arguments":""}}]},"logprobs":null,"finish_reason":null}]}`,
				oaiPrefix + `"tool_calls":[{"index":0,"function":{"arguments":"{\"order_"}}]},"logprobs":null,"finish_reason":null}]}`,
				oaiPrefix + `"tool_calls":[{"index":0,"function":{"arguments":"id\": \"A1\"}"}}]},"logprobs":null,"finish_reason":null}]}`,
				oaiPrefix + `"tool_calls":[{"index":1,"id":"call_B","type":"function","function":{"name":"lookup_order","arguments":""}}]},"logprobs":null,"finish_reason":null}]}`,
				oaiPrefix + `"tool_calls":[{"index":1,"function":{"arguments":"{\"order_id\": "}}]},"logprobs":null,"finish_reason":null}]}`,
				oaiPrefix + `"tool_calls":[{"index":1,"function":{"arguments":"\"B2\"}"}}]},"logprobs":null,"finish_reason":null}]}`,
				oaiFinish, `data: [DONE]`,
			},
			want: []llm.ToolCall{
				{ID: "call_A", Name: "lookup_order", Arguments: json.RawMessage(`{"order_id": "A1"}`)},
				{ID: "call_B", Name: "lookup_order", Arguments: json.RawMessage(`{"order_id": "B2"}`)},
			},
		},
		{
			name: "openai index not starting at zero",
			events: []string{
				oaiPrefix + `"tool_calls":[{"index":1,"id":"call_A","type":"function","function":{"name":"lookup_order","arguments":""}}]},"logprobs":null,"finish_reason":null}]}`,
				oaiPrefix + `"tool_calls":[{"index":1,"function":{"arguments":"{\"order_id\":\"A1\"}"}}]},"logprobs":null,"finish_reason":null}]}`,
				oaiFinish, `data: [DONE]`,
			},
			want: []llm.ToolCall{lookup("call_A", "A1")},
		},
		{
			name: "ollama one call",
			events: []string{
				ollamaPrefix + `"tool_calls":[{"id":"call_wteop8bt","index":0,"type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"A1\"}"}}]},"finish_reason":null}]}`,
				ollamaFinish, `data: [DONE]`,
			},
			want: []llm.ToolCall{lookup("call_wteop8bt", "A1")},
		},
		{
			name: "ollama without index (ollama#7881)",
			events: []string{
				ollamaPrefix + `"tool_calls":[{"id":"call_ywbp5mb8","type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"A1\"}"}}]},"finish_reason":null}]}`,
				ollamaPrefix + `"tool_calls":[{"id":"call_rk2xye1l","type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"B2\"}"}}]},"finish_reason":null}]}`,
				ollamaFinish, `data: [DONE]`,
			},
			want: []llm.ToolCall{lookup("call_ywbp5mb8", "A1"), lookup("call_rk2xye1l", "B2")},
		},
		{
			name: "ollama index 0 reused for every call (ollama#15457)",
			events: []string{
				ollamaPrefix + `"tool_calls":[{"id":"call_wteop8bt","index":0,"type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"A1\"}"}}]},"finish_reason":null}]}`,
				ollamaPrefix + `"tool_calls":[{"id":"call_rk2xye1l","index":0,"type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"B2\"}"}}]},"finish_reason":null}]}`,
				ollamaFinish, `data: [DONE]`,
			},
			want: []llm.ToolCall{lookup("call_wteop8bt", "A1"), lookup("call_rk2xye1l", "B2")},
		},
		{
			name: "ollama two calls in one delta, both index 0",
			events: []string{
				ollamaPrefix + `"tool_calls":[{"id":"call_1","index":0,"type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"A1\"}"}},{"id":"call_2","index":0,"type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"B2\"}"}}]},"finish_reason":null}]}`,
				ollamaFinish, `data: [DONE]`,
			},
			want: []llm.ToolCall{lookup("call_1", "A1"), lookup("call_2", "B2")},
		},
		{
			name: "no index, id only on the first delta",
			events: []string{
				oaiPrefix + `"tool_calls":[{"id":"call_A","type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":"}}]},"finish_reason":null}]}`,
				oaiPrefix + `"tool_calls":[{"function":{"arguments":"\"A1\"}"}}]},"finish_reason":null}]}`,
				oaiFinish, `data: [DONE]`,
			},
			want: []llm.ToolCall{lookup("call_A", "A1")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := openAIServer(t, func(w http.ResponseWriter, _ map[string]any) { sse(w, tt.events...) })
			resp, err := llm.Collect(c.Stream(context.Background(), &llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "where are A1 and B2?"}}}))
			require.NoError(t, err)
			if diff := cmp.Diff(tt.want, resp.Message.ToolCalls); diff != "" {
				t.Errorf("tool calls (-want +got):\n%s", diff)
			}
			require.Equal(t, "tool_calls", resp.StopReason)
		})
	}
}

func TestOpenAIStreamTooManyToolCalls(t *testing.T) {
	c, _ := openAIServer(t, func(w http.ResponseWriter, _ map[string]any) {
		events := make([]string, 0, 130)
		for range 130 {
			events = append(events, `data: {"choices":[{"index":0,"delta":{"tool_calls":[{"id":"x","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":null}]}`)
		}
		sse(w, events...)
	})
	_, err := llm.Collect(c.Stream(context.Background(), &llm.Request{}))
	require.ErrorIs(t, err, llm.ErrBadResponse)
}
