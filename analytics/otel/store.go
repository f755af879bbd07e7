package otel

import (
	"context"
	"errors"

	"github.com/parleyhq/parley/memory"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Store returns s with a "parley.store {operation}" child span for each
// call made inside a traced turn; calls outside one are passed through
// without a span. Keys are not recorded: they hold conversation and
// customer IDs.
//
// The bot loads and saves the session outside its handler, so for those
// calls to be children of the turn's span, start the span outside the bot
// too: parley.Chain(bot, parleyotel.Middleware(tracer)).
func (tr *Tracer) Store(s memory.Store) memory.Store { return &tracedStore{tr: tr, s: s} }

type tracedStore struct {
	tr *Tracer
	s  memory.Store
}

func (ts *tracedStore) start(ctx context.Context, op string) (context.Context, trace.Span) {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx, nil
	}
	return ts.tr.tracer.Start(ctx, "parley.store "+op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.operation.name", op)))
}

// end ends span, if any, with err's outcome. Not found and a version
// conflict are answers, not failures: they are attributes.
func end(span trace.Span, err error) {
	if span == nil {
		return
	}
	switch {
	case err == nil:
	case errors.Is(err, memory.ErrNotFound):
		span.SetAttributes(attribute.Bool("parley.store.found", false))
	case errors.Is(err, memory.ErrConflict):
		span.SetAttributes(attribute.Bool("parley.store.conflict", true))
	default:
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

func (ts *tracedStore) Get(ctx context.Context, key string) (memory.Record, error) {
	ctx, span := ts.start(ctx, "get")
	r, err := ts.s.Get(ctx, key)
	end(span, err)
	return r, err
}

func (ts *tracedStore) Set(ctx context.Context, p memory.Put) (int64, error) {
	ctx, span := ts.start(ctx, "set")
	v, err := ts.s.Set(ctx, p)
	end(span, err)
	return v, err
}

func (ts *tracedStore) Delete(ctx context.Context, key string, ifVersion int64) error {
	ctx, span := ts.start(ctx, "delete")
	err := ts.s.Delete(ctx, key, ifVersion)
	end(span, err)
	return err
}

func (ts *tracedStore) Keys(ctx context.Context, prefix string, yield func(key string) bool) error {
	ctx, span := ts.start(ctx, "keys")
	err := ts.s.Keys(ctx, prefix, yield)
	end(span, err)
	return err
}
