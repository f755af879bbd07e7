package llm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parleyhq/parley/llm"
)

const benchChunks = 500

func openAIStreamBody() string {
	var b strings.Builder
	for i := range benchChunks {
		fmt.Fprintf(&b, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok%d \"},\"finish_reason\":null}]}\n\n", i)
	}
	b.WriteString("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	return b.String()
}

// BenchmarkOpenAIStream measures decoding a 500-chunk streamed reply
// through the client, HTTP round trip to a local server included.
func BenchmarkOpenAIStream(b *testing.B) {
	body := openAIStreamBody()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	c, err := llm.NewOpenAI(llm.OpenAIConfig{BaseURL: srv.URL, Model: "m", HTTPClient: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	req := &llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}
	for b.Loop() {
		if _, err := llm.Collect(c.Stream(context.Background(), req)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchChunks, "ns/chunk")
}

// BenchmarkJSONChunksOnly is the floor for BenchmarkOpenAIStream: the same
// chunks decoded with encoding/json alone, no HTTP and no SSE framing.
func BenchmarkJSONChunksOnly(b *testing.B) {
	var lines []string
	for l := range strings.SplitSeq(openAIStreamBody(), "\n\n") {
		if d, ok := strings.CutPrefix(l, "data: "); ok && d != "[DONE]" {
			lines = append(lines, d)
		}
	}
	for b.Loop() {
		for _, l := range lines {
			var v struct {
				Choices []struct {
					Delta struct {
						Content *string `json:"content"`
					} `json:"delta"`
				} `json:"choices"`
			}
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchChunks, "ns/chunk")
}
