package kbbot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbbot"
	"github.com/parleyhq/parley/llm"
)

// sent is a message as a user saw it: streamed or not, and whether its
// stream broke.
type sent struct {
	Text     string
	Streamed bool
	Broken   bool
}

// streamRecorder is a ReplyWriter that streams, like a web chat.
type streamRecorder struct{ msgs []sent }

func (r *streamRecorder) Reply(_ context.Context, m parley.Message) error {
	r.msgs = append(r.msgs, sent{Text: m.Text})
	return nil
}

func (r *streamRecorder) StreamReply(_ context.Context, chunks iter.Seq2[string, error]) error {
	m := sent{Streamed: true}
	defer func() { r.msgs = append(r.msgs, m) }()
	for c, err := range chunks {
		if err != nil {
			m.Broken = true
			return err
		}
		m.Text += c
	}
	return nil
}

var _ parley.Streamer = (*streamRecorder)(nil)

// openAISSE serves Chat Completions streams: the deltas, then (if whole)
// the finish reason and [DONE]; a broken stream ends the response after
// the deltas, as a dropped connection does.
func openAISSE(t *testing.T, deltas []string, whole bool) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		event := func(v any) {
			b, err := json.Marshal(v)
			if err != nil {
				t.Error(err)
				return
			}
			fmt.Fprintf(w, "data: %s\n\n", b)
			w.(http.Flusher).Flush()
		}
		type delta struct {
			Content string `json:"content"`
		}
		type choice struct {
			Index        int     `json:"index"`
			Delta        delta   `json:"delta"`
			FinishReason *string `json:"finish_reason"`
		}
		chunk := func(c choice) map[string]any {
			return map[string]any{"id": "c1", "object": "chat.completion.chunk", "model": "gpt-test", "choices": []choice{c}}
		}
		for _, d := range deltas {
			event(chunk(choice{Delta: delta{Content: d}}))
		}
		if !whole {
			return
		}
		stop := "stop"
		event(chunk(choice{FinishReason: &stop}))
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
}

func openAI(t *testing.T, srv *httptest.Server) llm.Model {
	t.Helper()
	m, err := llm.NewOpenAI(llm.OpenAIConfig{BaseURL: srv.URL, Model: "gpt-test", HTTPClient: srv.Client()})
	require.NoError(t, err)
	return m
}

// TestStreamBrokenMidReply streams answers from a real OpenAI-format SSE
// server through llm's client: when the stream breaks mid-reply, or the
// model finds no answer or cites nothing, the user's last message is the
// extractive answer or a hand-off, never the half sentence.
func TestStreamBrokenMidReply(t *testing.T) {
	const source = "\n\nSource: How do I get a refund? (https://help.example.com/refunds)"
	tests := []struct {
		name   string
		deltas []string
		whole  bool
		want   []sent
	}{
		{name: "whole", deltas: []string{"Refunds are ", "paid within ", "5 days [1]."}, whole: true,
			want: []sent{{Text: "Refunds are paid within 5 days [1]." + source, Streamed: true}}},
		{name: "broken mid-reply", deltas: []string{"Refunds are ", "paid wi"},
			want: []sent{{Text: "Refunds are paid wi", Streamed: true, Broken: true}, {Text: "Refunds are paid within 5 days." + source}}},
		{name: "broken before any text", deltas: nil,
			want: []sent{{Text: "Refunds are paid within 5 days." + source}}},
		{name: "uncited", deltas: []string{"Sure, a full refund ", "and a gift!"}, whole: true,
			want: []sent{{Text: "Sure, a full refund and a gift!", Streamed: true, Broken: true}, {Text: "Refunds are paid within 5 days." + source}}},
		{name: "not in sources hands off", deltas: []string{"NOT_IN", "_SOURCES"}, whole: true,
			want: []sent{{Text: kbbot.Specialist}, {Text: "An agent will join shortly."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openAISSE(t, tt.deltas, tt.whole)
			defer srv.Close()
			desk := dialog.HandOfferFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn, _ dialog.HandoffRequest) error {
				return w.Reply(ctx, parley.Text("An agent will join shortly."))
			})
			h := kbbot.New(kb.NewAnswerer(index(t), kb.WithModel(openAI(t, srv))), kbbot.WithHandOffer(desk))
			var w streamRecorder
			require.NoError(t, h.HandleTurn(context.Background(), &w, turn("how do I get a refund")))
			assert.Equal(t, tt.want, w.msgs)
			last := w.msgs[len(w.msgs)-1]
			assert.False(t, last.Broken)
			assert.True(t, strings.HasSuffix(last.Text, ".") || strings.HasSuffix(last.Text, ")"), "last message %q is a whole sentence", last.Text)
		})
	}
}
