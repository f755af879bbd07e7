package otel_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	parleyotel "github.com/parleyhq/parley/analytics/otel"
	"github.com/parleyhq/parley/memory"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Wrap the handler with the Tracer's middleware and pass the Tracer to the
// bot as an observer; use your exporter's TracerProvider in production.
func Example() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tracer := parleyotel.New(tp, parleyotel.WithSystem("openai"))

	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		// What action.Outcome.Report emits for a model call.
		t.Emit(ctx, parley.Event{Kind: "llm.call", Duration: 800 * time.Millisecond,
			Attrs: map[string]string{"model": "gpt-4o-mini", "input_tokens": "90", "output_tokens": "12"}})
		return w.Reply(ctx, parley.Text("Hi!"))
	})
	bot := parley.NewBot(parley.Chain(h, parleyotel.Middleware(tracer)), parley.WithObserver(tracer))
	defer bot.Shutdown(context.Background())

	t := &parley.Turn{ConversationID: "c1", Channel: "web", MessageID: "m1", Message: parley.Text("hello")}
	if err := bot.HandleTurn(context.Background(), parley.ReplyFunc(func(context.Context, parley.Message) error { return nil }), t); err != nil {
		fmt.Println(err)
	}
	for _, s := range rec.Ended() {
		fmt.Println(s.Name())
	}
	// Output:
	// chat gpt-4o-mini
	// parley.turn
}

// Trace the session's loads and saves: wrap the store, and start the
// turn's span outside the bot so they fall inside it.
func ExampleTracer_Store() {
	rec := tracetest.NewSpanRecorder()
	tracer := parleyotel.New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Hi!"))
	})
	bot := parley.NewBot(h, parley.WithStore(tracer.Store(memory.NewMap())), parley.WithObserver(tracer))
	defer bot.Shutdown(context.Background())
	traced := parley.Chain(bot, parleyotel.Middleware(tracer))

	t := &parley.Turn{ConversationID: "c1", Channel: "web", MessageID: "m1", Message: parley.Text("hello")}
	if err := traced.HandleTurn(context.Background(), parley.ReplyFunc(func(context.Context, parley.Message) error { return nil }), t); err != nil {
		fmt.Println(err)
	}
	seen := map[string]bool{}
	for _, s := range rec.Ended() {
		seen[s.Name()] = true
	}
	fmt.Println(seen["parley.turn"], seen["parley.store set"])
	// Output: true true
}
