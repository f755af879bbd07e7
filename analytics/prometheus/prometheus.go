// Package prometheus exports a bot's events as Prometheus metrics.
//
// An [Observer] counts turns, replies, fallbacks, escalations, hand-offs,
// knowledge-base hits and misses, model calls with their tokens and
// latency, and action outcomes, and keeps a histogram of response times.
// It is a [prometheus.Collector]: register it with a registry and serve
// the registry with promhttp.
//
// Labels are bounded: customer and conversation IDs never become labels,
// and each open-ended label (channel, intent, flow, model, action, reason)
// keeps at most 50 distinct values ([WithMaxValues]); later values are
// counted as "other", and an empty value as "unknown".
package prometheus

import (
	"context"
	"slices"
	"strconv"
	"sync"

	"github.com/parleyhq/parley"
	prom "github.com/prometheus/client_golang/prometheus"
)

// Event kinds the Observer understands. They are spelled out here rather
// than imported so this module depends only on the core parley package.
const (
	kindClassified    = "intent.classified"
	kindFallback      = "fallback"
	kindEscTriggered  = "escalation.triggered"
	kindEscRequested  = "escalation.requested"
	kindKBAnswered    = "kb.answered"
	kindKBUnsure      = "kb.unsure"
	kindModelCall     = "llm.call"
	kindActionCall    = "action.call"
	kindFlowStart     = "flow.start"
	kindFlowEnd       = "flow.end"
	defaultMaxValues  = 50
	otherLabelValue   = "other"
	unknownLabelValue = "unknown"
)

// An Option configures an [Observer].
type Option func(*config)

type config struct {
	namespace string
	maxValues int
	buckets   []float64
}

// WithNamespace prefixes every metric name with ns (default "parley").
func WithNamespace(ns string) Option {
	return func(c *config) {
		if ns != "" {
			c.namespace = ns
		}
	}
}

// WithMaxValues caps the distinct values of each open-ended label
// (channel, intent, flow, model, action, reason) at n (default 50);
// further values are reported as "other".
func WithMaxValues(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxValues = n
		}
	}
}

// WithBuckets sets the response-time and model-latency histogram buckets,
// in seconds. The default runs from 50 ms (a scripted reply) to 30 s (a
// slow model call with tools): 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30.
func WithBuckets(seconds ...float64) Option {
	return func(c *config) {
		if len(seconds) > 0 {
			c.buckets = slices.Clone(seconds)
		}
	}
}

// An Observer is a [parley.Observer] that maintains Prometheus metrics,
// and the [prom.Collector] that exports them. It is safe for concurrent
// use; Observe does not block beyond a short mutex for new label values.
type Observer struct {
	channel, intent, flow, model, action, reason *capper

	turns, turnErrors, replies, fallbacks *prom.CounterVec
	escalations, handoffs                 *prom.CounterVec
	kb, intents, flows                    *prom.CounterVec
	llmCalls, llmTokens, actions          *prom.CounterVec
	response, llmLatency                  *prom.HistogramVec
	all                                   []prom.Collector
}

// New returns an Observer configured by opts.
func New(opts ...Option) *Observer {
	c := config{namespace: "parley", maxValues: defaultMaxValues,
		buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30}}
	for _, o := range opts {
		o(&c)
	}
	ns, n, buckets := c.namespace, c.maxValues, c.buckets
	counter := func(name, help string, labels ...string) *prom.CounterVec {
		return prom.NewCounterVec(prom.CounterOpts{Namespace: ns, Name: name, Help: help}, labels)
	}
	o := &Observer{
		channel: newCapper(n), intent: newCapper(n), flow: newCapper(n),
		model: newCapper(n), action: newCapper(n), reason: newCapper(n),
		turns:       counter("turns_total", "Turns handled, by channel.", "channel"),
		turnErrors:  counter("turn_errors_total", "Turns that ended in an error and got the fallback reply, by channel.", "channel"),
		replies:     counter("replies_total", "Replies sent, by channel.", "channel"),
		fallbacks:   counter("fallbacks_total", "Messages the bot did not understand, by channel.", "channel"),
		escalations: counter("escalations_total", "Escalation rules that fired, by reason and action (offer or handoff).", "reason", "action"),
		handoffs:    counter("handoffs_total", "Hand-offs to a person requested, by channel and reason.", "channel", "reason"),
		kb:          counter("kb_answers_total", "Knowledge-base questions, by result (hit or miss).", "result"),
		intents:     counter("intents_total", "Classified messages, by intent and status.", "intent", "status"),
		flows:       counter("flows_total", "Flow starts and ends, by flow and event (start or end).", "flow", "event"),
		llmCalls:    counter("llm_calls_total", "Model calls, by model and result (ok or error).", "model", "result"),
		llmTokens:   counter("llm_tokens_total", "Model tokens, by model and type (input or output).", "model", "type"),
		actions:     counter("action_calls_total", "Action calls, by action and outcome.", "action", "outcome"),
		response: prom.NewHistogramVec(prom.HistogramOpts{Namespace: ns, Name: "response_seconds",
			Help: "Response time from a message's arrival to the end of its turn, by channel.", Buckets: buckets}, []string{"channel"}),
		llmLatency: prom.NewHistogramVec(prom.HistogramOpts{Namespace: ns, Name: "llm_call_seconds",
			Help: "Model call latency, by model.", Buckets: buckets}, []string{"model"}),
	}
	o.all = []prom.Collector{o.turns, o.turnErrors, o.replies, o.fallbacks, o.escalations, o.handoffs,
		o.kb, o.intents, o.flows, o.llmCalls, o.llmTokens, o.actions, o.response, o.llmLatency}
	return o
}

// Describe implements [prom.Collector].
func (o *Observer) Describe(ch chan<- *prom.Desc) {
	for _, c := range o.all {
		c.Describe(ch)
	}
}

// Collect implements [prom.Collector].
func (o *Observer) Collect(ch chan<- prom.Metric) {
	for _, c := range o.all {
		c.Collect(ch)
	}
}

// Observe implements [parley.Observer]: it updates the metrics for e.
// Events of kinds it does not know are ignored.
func (o *Observer) Observe(_ context.Context, e parley.Event) {
	a := e.Attrs
	switch e.Kind {
	case parley.EventTurn:
		ch := o.channel.value(e.Channel)
		o.turns.WithLabelValues(ch).Inc()
		o.response.WithLabelValues(ch).Observe(e.Duration.Seconds())
	case parley.EventTurnError:
		o.turnErrors.WithLabelValues(o.channel.value(e.Channel)).Inc()
	case parley.EventReply:
		o.replies.WithLabelValues(o.channel.value(e.Channel)).Inc()
	case kindFallback:
		o.fallbacks.WithLabelValues(o.channel.value(e.Channel)).Inc()
	case kindEscTriggered:
		o.escalations.WithLabelValues(o.reason.value(a["reason"]), oneOf(a["action"], "offer", "handoff")).Inc()
	case kindEscRequested:
		o.handoffs.WithLabelValues(o.channel.value(e.Channel), o.reason.value(a["reason"])).Inc()
	case kindKBAnswered:
		o.kb.WithLabelValues("hit").Inc()
	case kindKBUnsure:
		o.kb.WithLabelValues("miss").Inc()
	case kindClassified:
		o.intents.WithLabelValues(o.intent.value(a["intent"]), oneOf(a["status"], "understood", "ambiguous", "unsure", "out_of_scope")).Inc()
	case kindFlowStart:
		o.flows.WithLabelValues(o.flow.value(a["flow"]), "start").Inc()
	case kindFlowEnd:
		o.flows.WithLabelValues(o.flow.value(a["flow"]), "end").Inc()
	case kindModelCall:
		m := o.model.value(a["model"])
		result := "ok"
		if e.Err != nil {
			result = "error"
		}
		o.llmCalls.WithLabelValues(m, result).Inc()
		o.llmLatency.WithLabelValues(m).Observe(e.Duration.Seconds())
		if n, err := strconv.Atoi(a["input_tokens"]); err == nil && n > 0 {
			o.llmTokens.WithLabelValues(m, "input").Add(float64(n))
		}
		if n, err := strconv.Atoi(a["output_tokens"]); err == nil && n > 0 {
			o.llmTokens.WithLabelValues(m, "output").Add(float64(n))
		}
	case kindActionCall:
		o.actions.WithLabelValues(o.action.value(a["action"]),
			oneOf(a["outcome"], "done", "needs_confirmation", "pending_approval", "invalid", "refused", "error")).Inc()
	}
}

// oneOf returns v if it is one of the allowed values, "unknown" if it is
// empty and "other" otherwise, so a label with a fixed vocabulary stays
// fixed whatever the event says.
func oneOf(v string, allowed ...string) string {
	if v == "" {
		return unknownLabelValue
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	return otherLabelValue
}

// A capper admits the first max distinct values of a label and maps the
// rest to "other".
type capper struct {
	max  int
	mu   sync.RWMutex
	seen map[string]struct{}
}

func newCapper(max int) *capper { return &capper{max: max, seen: make(map[string]struct{})} }

func (c *capper) value(v string) string {
	if v == "" {
		return unknownLabelValue
	}
	c.mu.RLock()
	_, ok := c.seen[v]
	c.mu.RUnlock()
	if ok {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.seen[v]; ok {
		return v
	}
	if len(c.seen) >= c.max {
		return otherLabelValue
	}
	c.seen[v] = struct{}{}
	return v
}
