package prometheus_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	parleyprom "github.com/parleyhq/parley/analytics/prometheus"
	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

func observeAll(o *parleyprom.Observer, events ...parley.Event) {
	for _, e := range events {
		o.Observe(context.Background(), e)
	}
}

func TestObserverCounts(t *testing.T) {
	o := parleyprom.New(parleyprom.WithBuckets(0.5, 1))
	observeAll(o,
		parley.Event{Kind: parley.EventTurn, Channel: "web", CustomerID: "c-1", Duration: 300 * time.Millisecond},
		parley.Event{Kind: parley.EventTurn, Channel: "web", CustomerID: "c-2", Duration: 800 * time.Millisecond},
		parley.Event{Kind: parley.EventTurn, Channel: "whatsapp", Duration: 2 * time.Second},
		parley.Event{Kind: parley.EventTurnError, Channel: "whatsapp", Err: errors.New("boom")},
		parley.Event{Kind: parley.EventReply, Channel: "web"},
		parley.Event{Kind: parley.EventReply, Channel: "web"},
		parley.Event{Kind: "fallback", Channel: "web"},
		parley.Event{Kind: "escalation.triggered", Attrs: map[string]string{"reason": "anger", "action": "offer"}},
		parley.Event{Kind: "escalation.requested", Channel: "web", Attrs: map[string]string{"reason": "anger", "ticket": "T-99"}},
		parley.Event{Kind: "kb.answered"},
		parley.Event{Kind: "kb.unsure", Attrs: map[string]string{"question": "my card 4111 is blocked"}},
		parley.Event{Kind: "kb.unsure"},
		parley.Event{Kind: "intent.classified", Attrs: map[string]string{"intent": "cancel", "status": "understood"}},
		parley.Event{Kind: "flow.start", Attrs: map[string]string{"flow": "cancel"}},
		parley.Event{Kind: "flow.end", Attrs: map[string]string{"flow": "cancel", "status": "done"}},
		parley.Event{Kind: "llm.call", Duration: 700 * time.Millisecond, Attrs: map[string]string{"model": "gpt-x", "input_tokens": "120", "output_tokens": "30"}},
		parley.Event{Kind: "llm.call", Duration: 2 * time.Second, Err: errors.New("timeout"), Attrs: map[string]string{"model": "gpt-x", "input_tokens": "0", "output_tokens": "0"}},
		parley.Event{Kind: "action.call", Attrs: map[string]string{"action": "pause_subscription", "outcome": "done"}},
		parley.Event{Kind: "action.call", Attrs: map[string]string{"action": "pause_subscription", "outcome": "something-new"}},
		parley.Event{Kind: "some.other.kind", Channel: "web"},
	)
	want := `
# HELP parley_turns_total Turns handled, by channel.
# TYPE parley_turns_total counter
parley_turns_total{channel="web"} 2
parley_turns_total{channel="whatsapp"} 1
# HELP parley_turn_errors_total Turns that ended in an error and got the fallback reply, by channel.
# TYPE parley_turn_errors_total counter
parley_turn_errors_total{channel="whatsapp"} 1
# HELP parley_replies_total Replies sent, by channel.
# TYPE parley_replies_total counter
parley_replies_total{channel="web"} 2
# HELP parley_fallbacks_total Messages the bot did not understand, by channel.
# TYPE parley_fallbacks_total counter
parley_fallbacks_total{channel="web"} 1
# HELP parley_escalations_total Escalation rules that fired, by reason and action (offer or handoff).
# TYPE parley_escalations_total counter
parley_escalations_total{action="offer",reason="anger"} 1
# HELP parley_handoffs_total Hand-offs to a person requested, by channel and reason.
# TYPE parley_handoffs_total counter
parley_handoffs_total{channel="web",reason="anger"} 1
# HELP parley_kb_answers_total Knowledge-base questions, by result (hit or miss).
# TYPE parley_kb_answers_total counter
parley_kb_answers_total{result="hit"} 1
parley_kb_answers_total{result="miss"} 2
# HELP parley_intents_total Classified messages, by intent and status.
# TYPE parley_intents_total counter
parley_intents_total{intent="cancel",status="understood"} 1
# HELP parley_flows_total Flow starts and ends, by flow and event (start or end).
# TYPE parley_flows_total counter
parley_flows_total{event="end",flow="cancel"} 1
parley_flows_total{event="start",flow="cancel"} 1
# HELP parley_llm_calls_total Model calls, by model and result (ok or error).
# TYPE parley_llm_calls_total counter
parley_llm_calls_total{model="gpt-x",result="error"} 1
parley_llm_calls_total{model="gpt-x",result="ok"} 1
# HELP parley_llm_tokens_total Model tokens, by model and type (input or output).
# TYPE parley_llm_tokens_total counter
parley_llm_tokens_total{model="gpt-x",type="input"} 120
parley_llm_tokens_total{model="gpt-x",type="output"} 30
# HELP parley_action_calls_total Action calls, by action and outcome.
# TYPE parley_action_calls_total counter
parley_action_calls_total{action="pause_subscription",outcome="done"} 1
parley_action_calls_total{action="pause_subscription",outcome="other"} 1
# HELP parley_response_seconds Response time from a message's arrival to the end of its turn, by channel.
# TYPE parley_response_seconds histogram
parley_response_seconds_bucket{channel="web",le="0.5"} 1
parley_response_seconds_bucket{channel="web",le="1"} 2
parley_response_seconds_bucket{channel="web",le="+Inf"} 2
parley_response_seconds_sum{channel="web"} 1.1
parley_response_seconds_count{channel="web"} 2
parley_response_seconds_bucket{channel="whatsapp",le="0.5"} 0
parley_response_seconds_bucket{channel="whatsapp",le="1"} 0
parley_response_seconds_bucket{channel="whatsapp",le="+Inf"} 1
parley_response_seconds_sum{channel="whatsapp"} 2
parley_response_seconds_count{channel="whatsapp"} 1
# HELP parley_llm_call_seconds Model call latency, by model.
# TYPE parley_llm_call_seconds histogram
parley_llm_call_seconds_bucket{model="gpt-x",le="0.5"} 0
parley_llm_call_seconds_bucket{model="gpt-x",le="1"} 1
parley_llm_call_seconds_bucket{model="gpt-x",le="+Inf"} 2
parley_llm_call_seconds_sum{model="gpt-x"} 2.7
parley_llm_call_seconds_count{model="gpt-x"} 2
`
	require.NoError(t, testutil.CollectAndCompare(o, strings.NewReader(want)))
}

// TestObserverCapsLabels shows that an unbounded label (here, intents
// named after customers by a misconfigured classifier) cannot grow the
// series beyond MaxValues + "other" + "unknown".
func TestObserverCapsLabels(t *testing.T) {
	o := parleyprom.New(parleyprom.WithMaxValues(3))
	for i := range 100 {
		o.Observe(context.Background(), parley.Event{Kind: "intent.classified",
			Attrs: map[string]string{"intent": fmt.Sprintf("customer-%d", i), "status": "understood"}})
	}
	o.Observe(context.Background(), parley.Event{Kind: "intent.classified", Attrs: map[string]string{"intent": "customer-1", "status": "weird"}})
	o.Observe(context.Background(), parley.Event{Kind: "intent.classified"})
	want := `
# HELP parley_intents_total Classified messages, by intent and status.
# TYPE parley_intents_total counter
parley_intents_total{intent="customer-0",status="understood"} 1
parley_intents_total{intent="customer-1",status="other"} 1
parley_intents_total{intent="customer-1",status="understood"} 1
parley_intents_total{intent="customer-2",status="understood"} 1
parley_intents_total{intent="other",status="understood"} 97
parley_intents_total{intent="unknown",status="unknown"} 1
`
	require.NoError(t, testutil.CollectAndCompare(o, strings.NewReader(want), "parley_intents_total"))
}

func TestObserverScrape(t *testing.T) {
	reg := prom.NewRegistry()
	o := parleyprom.New(parleyprom.WithNamespace("support"))
	reg.MustRegister(o)
	observeAll(o,
		parley.Event{Kind: parley.EventTurn, Channel: "web", CustomerID: "cust-secret-42", ConversationID: "conv-7", Duration: time.Second},
		parley.Event{Kind: "llm.call", Duration: time.Second, Attrs: map[string]string{"model": "m", "input_tokens": "5", "output_tokens": "7"}},
	)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	text := string(body)
	require.Contains(t, text, `support_turns_total{channel="web"} 1`)
	require.Contains(t, text, `support_llm_tokens_total{model="m",type="output"} 7`)
	require.Contains(t, text, `support_response_seconds_count{channel="web"} 1`)
	require.NotContains(t, text, "cust-secret-42")
	require.NotContains(t, text, "conv-7")
}

func TestObserverConcurrent(t *testing.T) {
	o := parleyprom.New(parleyprom.WithMaxValues(4))
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 200 {
				o.Observe(context.Background(), parley.Event{Kind: parley.EventTurn, Channel: fmt.Sprintf("ch-%d", (g*200+i)%10)})
			}
		}()
	}
	for range 4 {
		<-done
	}
	require.Equal(t, 5, testutil.CollectAndCount(o, "parley_turns_total"))
	require.InDelta(t, 800, sumCounter(t, o), 0)
}

func sumCounter(t *testing.T, c prom.Collector) float64 {
	t.Helper()
	reg := prom.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != "parley_turns_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}
