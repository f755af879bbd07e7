package postgres

import (
	"context"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/memory/internal/sqlstore"
)

// EventConfig configures an [EventSink].
type EventConfig struct {
	// Schema, if set, holds the table; it must exist.
	Schema string
	// Table is the events table (default "parley_events").
	Table string
}

// An EventSink stores analytics events in a PostgreSQL table, one row
// per event, keyed by [analytics.Event.Hash], so a replayed or retried
// batch adds nothing. It is an [analytics.Sink]; [EventSink.Events]
// reads the events back, for an [analytics.Aggregator] or `parley
// report`.
//
// An EventSink is safe for concurrent use.
type EventSink struct {
	pool   *pgxpool.Pool
	events sqlstore.EventTable
}

var _ analytics.Sink = (*EventSink)(nil)

// NewEventSink returns an EventSink over the configured pool p, which it
// does not close. It does not contact the server; call
// [EventSink.Migrate] once.
func NewEventSink(p *pgxpool.Pool, cfg EventConfig) (*EventSink, error) {
	tb, err := table(p, "postgres events", cfg.Schema, cfg.Table, "parley_events")
	if err != nil {
		return nil, err
	}
	return &EventSink{pool: p, events: sqlstore.NewEventTable(tb, "bigint", "text", "jsonb", quoteIdent, "event::text")}, nil
}

// Migrate creates the table and its index if they do not exist.
func (s *EventSink) Migrate(ctx context.Context) error {
	return s.events.Migrate(ctx)
}

// Write implements [analytics.Sink]: the batch is sent in one round trip
// and stored in one transaction; events already stored are skipped.
func (s *EventSink) Write(ctx context.Context, events []analytics.Event) error {
	var b pgx.Batch
	for i := range events {
		row, err := sqlstore.EventRow(&events[i])
		if err != nil {
			return fmt.Errorf("postgres events: %w", err)
		}
		b.Queue(s.events.Insert, row...)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return tx.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres events: insert: %w", err)
	}
	return nil
}

// Events yields the stored events with a time in w, in time order. An
// error ends the sequence.
func (s *EventSink) Events(ctx context.Context, w analytics.Window) iter.Seq2[analytics.Event, error] {
	return s.events.Events(ctx, w)
}
