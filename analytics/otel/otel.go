// Package otel traces a bot's turns with OpenTelemetry.
//
// A [Tracer] gives every turn a span ("parley.turn") through its
// [Middleware], and, as a [parley.Observer], turns the events the
// turn emits into child spans: "parley.classify" for a classified
// message, "parley.retrieve" for a knowledge-base lookup, one span per
// model call named after the GenAI semantic conventions ("chat {model}",
// with gen_ai.operation.name, gen_ai.system, gen_ai.request.model,
// gen_ai.usage.input_tokens and gen_ai.usage.output_tokens) and
// "parley.action" per action call. Other events (fallbacks, escalations,
// flow steps) become span events on the turn's span.
//
// Spans carry the channel, the conversation ID and bounded attributes
// (intent, status, model, action, outcome); never the customer ID or the
// customer's words.
package otel

import (
	"context"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the spans.
const ScopeName = "github.com/parleyhq/parley/analytics/otel"

// Event kinds the Tracer turns into spans, spelled out so this module
// depends only on the core parley package.
const (
	kindClassified = "intent.classified"
	kindKBAnswered = "kb.answered"
	kindKBUnsure   = "kb.unsure"
	kindModelCall  = "llm.call"
	kindActionCall = "action.call"
)

// An Option configures a [Tracer].
type Option func(*Tracer)

// WithSystem sets the gen_ai.system attribute of model-call spans to the
// model provider ("openai", "anthropic", "ollama"): model-call events do
// not say. Without it the attribute is left out.
func WithSystem(provider string) Option {
	return func(tr *Tracer) { tr.system = provider }
}

// A Tracer makes spans for turns and their steps. Give it to [Middleware]
// for the outermost middleware of the handler and pass it to the bot as an
// observer. It is safe for concurrent use.
type Tracer struct {
	tracer trace.Tracer
	system string
}

// New returns a Tracer that creates spans with tp.
func New(tp trace.TracerProvider, opts ...Option) *Tracer {
	tr := &Tracer{tracer: tp.Tracer(ScopeName)}
	for _, o := range opts {
		o(tr)
	}
	return tr
}

// Middleware returns middleware that runs each turn inside a
// "parley.turn" span of tr. A handler error marks the span as failed.
func Middleware(tr *Tracer) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			attrs := []attribute.KeyValue{
				attribute.String("parley.channel", t.Channel),
				attribute.String("parley.conversation.id", t.ConversationID),
			}
			if t.Signal != nil {
				attrs = append(attrs, attribute.Bool("parley.signal", true))
			}
			ctx, span := tr.tracer.Start(ctx, "parley.turn", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
			defer span.End()
			err := next.HandleTurn(ctx, w, t)
			if err != nil {
				span.RecordError(err)
				span.SetStatus(codes.Error, err.Error())
			}
			return err
		})
	}
}

// Observe implements [parley.Observer]: an event emitted inside a traced
// turn becomes a child span or an event of the turn's span. Events
// outside a recording span are ignored.
func (tr *Tracer) Observe(ctx context.Context, e parley.Event) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return
	}
	a := e.Attrs
	switch e.Kind {
	case kindClassified:
		tr.child(ctx, e, "parley.classify", trace.SpanKindInternal,
			attribute.String("parley.intent", a["intent"]),
			attribute.String("parley.intent.status", a["status"]),
			floatAttr("parley.intent.confidence", a["confidence"]))
	case kindKBAnswered, kindKBUnsure:
		hit := e.Kind == kindKBAnswered
		tr.child(ctx, e, "parley.retrieve", trace.SpanKindInternal,
			attribute.Bool("parley.kb.hit", hit),
			attribute.String("parley.kb.kind", a["kind"]),
			floatAttr("parley.kb.confidence", a["confidence"]))
	case kindModelCall:
		name := "chat"
		if a["model"] != "" {
			name += " " + a["model"]
		}
		attrs := []attribute.KeyValue{
			attribute.String("gen_ai.operation.name", "chat"),
			attribute.String("gen_ai.request.model", a["model"]),
			intAttr("gen_ai.usage.input_tokens", a["input_tokens"]),
			intAttr("gen_ai.usage.output_tokens", a["output_tokens"]),
		}
		if tr.system != "" {
			attrs = append(attrs, attribute.String("gen_ai.system", tr.system))
		}
		tr.child(ctx, e, name, trace.SpanKindClient, attrs...)
	case kindActionCall:
		tr.child(ctx, e, "parley.action", trace.SpanKindInternal,
			attribute.String("parley.action.name", a["action"]),
			attribute.String("parley.action.outcome", a["outcome"]))
	default:
		// Attrs of other events may hold the customer's words (kb.unsure's
		// "question"), so only the kind is recorded.
		opts := []trace.EventOption{trace.WithAttributes(attribute.String("parley.event", string(e.Kind)))}
		if !e.Time.IsZero() {
			opts = append(opts, trace.WithTimestamp(e.Time))
		}
		parent.AddEvent(string(e.Kind), opts...)
		if e.Kind == parley.EventTurnError && e.Err != nil {
			parent.SetStatus(codes.Error, e.Err.Error())
		}
	}
}

// child records a finished span for e. A model call's Time is when it
// started; other events are stamped when they happened, so their span
// ends at Time and starts Duration earlier. An event without a time is
// stamped now.
func (tr *Tracer) child(ctx context.Context, e parley.Event, name string, kind trace.SpanKind, attrs ...attribute.KeyValue) {
	at := e.Time
	if at.IsZero() {
		at = time.Now()
	}
	start, end := at.Add(-e.Duration), at
	if e.Kind == kindModelCall {
		start, end = at, at.Add(e.Duration)
	}
	_, span := tr.tracer.Start(ctx, name, trace.WithSpanKind(kind), trace.WithTimestamp(start), trace.WithAttributes(attrs...))
	if e.Err != nil {
		span.RecordError(e.Err, trace.WithTimestamp(end))
		span.SetStatus(codes.Error, e.Err.Error())
	} else if e.Kind == kindActionCall && (e.Attrs["outcome"] == "error" || e.Attrs["outcome"] == "invalid") {
		span.SetStatus(codes.Error, "action "+e.Attrs["outcome"])
	}
	span.End(trace.WithTimestamp(end))
}

// intAttr is an int attribute from an event's decimal string; a missing
// or malformed value records -1 rather than dropping the key silently.
func intAttr(key, v string) attribute.KeyValue {
	n, err := strconv.Atoi(v)
	if err != nil {
		n = -1
	}
	return attribute.Int(key, n)
}

// floatAttr is a float attribute from an event's decimal string, -1 if
// missing or malformed.
func floatAttr(key, v string) attribute.KeyValue {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		f = -1
	}
	return attribute.Float64(key, f)
}
