package postgres

import (
	"context"
	"errors"
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
	pool             *pgxpool.Pool
	qInsert, qSelect string
	qCreate          []string
}

var _ analytics.Sink = (*EventSink)(nil)

// NewEventSink returns an EventSink over the configured pool p, which it
// does not close. It does not contact the server; call
// [EventSink.Migrate] once.
func NewEventSink(p *pgxpool.Pool, cfg EventConfig) (*EventSink, error) {
	if p == nil {
		return nil, errors.New("postgres events: nil pool")
	}
	if cfg.Table == "" {
		cfg.Table = "parley_events"
	}
	id := pgx.Identifier{cfg.Table}
	if cfg.Schema != "" {
		id = pgx.Identifier{cfg.Schema, cfg.Table}
	}
	t := id.Sanitize()
	idx := pgx.Identifier{cfg.Table + "_time"}.Sanitize()
	return &EventSink{pool: p,
		qCreate: []string{
			"CREATE TABLE IF NOT EXISTS " + t + " (hash bigint PRIMARY KEY, time bigint NOT NULL, kind text NOT NULL, conversation text NOT NULL, event jsonb NOT NULL)",
			"CREATE INDEX IF NOT EXISTS " + idx + " ON " + t + " (time)",
		},
		qInsert: "INSERT INTO " + t + " (hash, time, kind, conversation, event) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING",
		qSelect: "SELECT event::text FROM " + t + " WHERE time >= $1 AND time < $2 ORDER BY time, hash",
	}, nil
}

// Migrate creates the table and its index if they do not exist.
func (s *EventSink) Migrate(ctx context.Context) error {
	for _, q := range s.qCreate {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("postgres events: migrate: %w", err)
		}
	}
	return nil
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
		b.Queue(s.qInsert, row...)
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
	return sqlstore.Events(w, func(from, to int64) (sqlstore.Rows, func(), error) {
		rows, err := s.pool.Query(ctx, s.qSelect, from, to)
		if err != nil {
			return nil, nil, err
		}
		return rows, rows.Close, nil
	}, func(err error) error { return fmt.Errorf("postgres events: %w", err) })
}
