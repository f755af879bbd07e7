package otel_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	parleyotel "github.com/parleyhq/parley/analytics/otel"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/kb/kbbot"
	"github.com/parleyhq/parley/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func newTraced(t *testing.T, h parley.HandlerFunc) (*parley.Bot, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tr := parleyotel.New(tp, parleyotel.WithSystem("openai"))
	bot := parley.NewBot(parley.Chain(h, parleyotel.Middleware(tr)), parley.WithObserver(tr))
	t.Cleanup(func() { require.NoError(t, bot.Shutdown(context.Background())) })
	return bot, rec
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestTurnSpanWithChildren(t *testing.T) {
	callStart := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	bot, rec := newTraced(t, func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
		tn.Emit(ctx, parley.Event{Kind: intent.EventClassified, Attrs: map[string]string{"intent": "cancel", "status": "understood", "confidence": "0.910"}})
		tn.Emit(ctx, parley.Event{Kind: kbbot.EventUnsure, Attrs: map[string]string{"question": "my card 4111 1111 is blocked", "confidence": "0.2"}})
		tn.Emit(ctx, parley.Event{Kind: action.EventModelCall, Time: callStart, Duration: 1500 * time.Millisecond,
			Attrs: map[string]string{"model": "gpt-4o-mini", "input_tokens": "120", "output_tokens": "30"}})
		tn.Emit(ctx, parley.Event{Kind: action.EventCall, Attrs: map[string]string{"action": "pause_subscription", "outcome": "done"}})
		tn.Emit(ctx, parley.Event{Kind: intent.EventFallback, Attrs: map[string]string{"status": "unsure"}})
		return w.Reply(ctx, parley.Text("Paused."))
	})
	turn := &parley.Turn{ConversationID: "conv-1", CustomerID: "cust-secret", Channel: "web", MessageID: "m1", Message: parley.Text("pause it")}
	require.NoError(t, bot.HandleTurn(context.Background(), parley.ReplyFunc(func(context.Context, parley.Message) error { return nil }), turn))

	ended := rec.Ended()
	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range ended {
		byName[s.Name()] = s
	}
	require.Len(t, ended, 5, "a turn span and four children")
	root := byName["parley.turn"]
	require.NotNil(t, root)
	assert.Equal(t, trace.SpanKindServer, root.SpanKind())
	assert.Equal(t, "web", attrs(root)["parley.channel"].AsString())
	assert.Equal(t, "conv-1", attrs(root)["parley.conversation.id"].AsString())
	for _, name := range []string{"parley.classify", "parley.retrieve", "chat gpt-4o-mini", "parley.action"} {
		s := byName[name]
		require.NotNil(t, s, name)
		assert.Equal(t, root.SpanContext().SpanID(), s.Parent().SpanID(), name)
		assert.Equal(t, root.SpanContext().TraceID(), s.SpanContext().TraceID(), name)
	}

	assert.Equal(t, "cancel", attrs(byName["parley.classify"])["parley.intent"].AsString())
	assert.InDelta(t, 0.91, attrs(byName["parley.classify"])["parley.intent.confidence"].AsFloat64(), 1e-9)
	assert.False(t, attrs(byName["parley.retrieve"])["parley.kb.hit"].AsBool())

	llm := byName["chat gpt-4o-mini"]
	assert.Equal(t, trace.SpanKindClient, llm.SpanKind())
	la := attrs(llm)
	assert.Equal(t, "chat", la["gen_ai.operation.name"].AsString())
	assert.Equal(t, "openai", la["gen_ai.system"].AsString())
	assert.Equal(t, "gpt-4o-mini", la["gen_ai.request.model"].AsString())
	assert.Equal(t, int64(120), la["gen_ai.usage.input_tokens"].AsInt64())
	assert.Equal(t, int64(30), la["gen_ai.usage.output_tokens"].AsInt64())
	assert.Equal(t, callStart, llm.StartTime())
	assert.Equal(t, 1500*time.Millisecond, llm.EndTime().Sub(llm.StartTime()))

	assert.Equal(t, "pause_subscription", attrs(byName["parley.action"])["parley.action.name"].AsString())
	assert.Equal(t, codes.Unset, byName["parley.action"].Status().Code)

	var events []string
	for _, ev := range root.Events() {
		events = append(events, ev.Name)
	}
	assert.Contains(t, events, string(intent.EventFallback))
	assert.Contains(t, events, string(parley.EventReply))

	// Nothing the customer typed and no customer ID reaches the trace.
	for _, s := range ended {
		for _, kv := range s.Attributes() {
			assert.NotContains(t, kv.Value.Emit(), "4111", s.Name())
			assert.NotEqual(t, "cust-secret", kv.Value.Emit(), s.Name())
		}
		for _, ev := range s.Events() {
			for _, kv := range ev.Attributes {
				assert.NotContains(t, kv.Value.Emit(), "4111", ev.Name)
			}
		}
	}
}

func TestFailedTurnAndCall(t *testing.T) {
	boom := errors.New("model down")
	bot, rec := newTraced(t, func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
		tn.Emit(ctx, parley.Event{Kind: action.EventModelCall, Duration: time.Second, Err: boom,
			Attrs: map[string]string{"model": "m", "input_tokens": "0", "output_tokens": "0"}})
		tn.Emit(ctx, parley.Event{Kind: action.EventCall, Attrs: map[string]string{"action": "refund", "outcome": "error"}})
		return boom
	})
	turn := &parley.Turn{ConversationID: "conv-2", Channel: "web", MessageID: "m1", Message: parley.Text("refund")}
	_ = bot.HandleTurn(context.Background(), parley.ReplyFunc(func(context.Context, parley.Message) error { return nil }), turn)

	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		byName[s.Name()] = s
	}
	require.Len(t, byName, 3)
	assert.Equal(t, codes.Error, byName["parley.turn"].Status().Code)
	assert.Equal(t, "model down", byName["parley.turn"].Status().Description)
	assert.Equal(t, codes.Error, byName["chat m"].Status().Code)
	assert.Equal(t, codes.Error, byName["parley.action"].Status().Code)
}

func TestObserveOutsideTurnIsIgnored(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tr := parleyotel.New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	tr.Observe(context.Background(), parley.Event{Kind: action.EventModelCall, Attrs: map[string]string{"model": "m"}})
	assert.Empty(t, rec.Ended())
	assert.Empty(t, rec.Started())
}

func TestStoreSpansAroundSession(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tr := parleyotel.New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	store := tr.Store(memory.NewMap())
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
		return w.Reply(ctx, parley.Text("ok"))
	})
	bot := parley.NewBot(h, parley.WithStore(store), parley.WithObserver(tr))
	t.Cleanup(func() { require.NoError(t, bot.Shutdown(context.Background())) })
	traced := parley.Chain(bot, parleyotel.Middleware(tr))
	turn := &parley.Turn{ConversationID: "conv-secret-9", Channel: "web", MessageID: "m1", Message: parley.Text("hi")}
	require.NoError(t, traced.HandleTurn(context.Background(), parley.ReplyFunc(func(context.Context, parley.Message) error { return nil }), turn))

	var root sdktrace.ReadOnlySpan
	var stores []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		switch {
		case s.Name() == "parley.turn":
			root = s
		case strings.HasPrefix(s.Name(), "parley.store "):
			stores = append(stores, s)
		}
	}
	require.NotNil(t, root)
	require.NotEmpty(t, stores)
	ops := map[string]bool{}
	for _, s := range stores {
		assert.Equal(t, root.SpanContext().SpanID(), s.Parent().SpanID(), s.Name())
		ops[attrs(s)["db.operation.name"].AsString()] = true
		for _, kv := range s.Attributes() {
			assert.NotContains(t, kv.Value.Emit(), "conv-secret-9")
		}
	}
	assert.True(t, ops["set"], "the session is saved inside the turn span: %v", ops)

	// Outside a traced turn the store makes no spans.
	before := len(rec.Ended())
	_, err := store.Get(context.Background(), "k")
	require.ErrorIs(t, err, memory.ErrNotFound)
	assert.Len(t, rec.Ended(), before)
}
