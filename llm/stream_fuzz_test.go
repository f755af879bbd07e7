package llm_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/llm"
)

// bodyTransport answers every request with 200 and body.
func bodyTransport(body string) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Request: r,
			Body: io.NopCloser(strings.NewReader(body))}, nil
	})
}

// FuzzStreamDecoders feeds arbitrary event streams to both clients: they
// must end with a response or an error, never panic, and never assemble
// more tool calls than they allow.
func FuzzStreamDecoders(f *testing.F) {
	f.Add(`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}` + "\n\ndata: [DONE]\n\n")
	f.Add(`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"id":"a","function":{"name":"f"}},{"index":-3,"function":{"arguments":"x"}}]},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n")
	f.Add("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"f\"}}\n\ndata: {\"type\":\"message_stop\"}\n\n")
	f.Add("data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{}}\n\n")
	f.Fuzz(func(t *testing.T, body string) {
		oai, err := llm.NewOpenAI(llm.OpenAIConfig{BaseURL: "http://llm.invalid", Model: "m", HTTPClient: &http.Client{Transport: bodyTransport(body)}})
		if err != nil {
			t.Fatal(err)
		}
		ant, err := llm.NewAnthropic(llm.AnthropicConfig{BaseURL: "http://llm.invalid", Model: "m", HTTPClient: &http.Client{Transport: bodyTransport(body)}})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []llm.Streamer{oai, ant} {
			for _, jsonOut := range []bool{false, true} {
				resp, err := llm.Collect(m.Stream(context.Background(), &llm.Request{JSON: jsonOut}))
				if err == nil && len(resp.Message.ToolCalls) > 128 {
					t.Fatalf("%d tool calls", len(resp.Message.ToolCalls))
				}
				if err == nil && resp == nil {
					t.Fatal("no response and no error")
				}
			}
		}
	})
}
