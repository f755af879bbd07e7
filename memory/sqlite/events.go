package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/memory/internal/sqlstore"
)

// EventConfig configures an [EventSink].
type EventConfig struct {
	// Table is the events table (default "parley_events").
	Table string
}

// An EventSink stores analytics events in a SQLite table, one row per
// event, keyed by [analytics.Event.Hash], so a replayed or retried batch
// adds nothing. It is an [analytics.Sink]; [EventSink.Events] reads the
// events back, for an [analytics.Aggregator] or `parley report`.
//
// An EventSink is safe for concurrent use.
type EventSink struct {
	db     *sql.DB
	events sqlstore.EventTable
}

var _ analytics.Sink = (*EventSink)(nil)

// NewEventSink returns an EventSink over db, which it does not close. It
// does not touch the database; call [EventSink.Migrate] once.
func NewEventSink(db *sql.DB, cfg EventConfig) (*EventSink, error) {
	tb, err := table(db, "sqlite events", cfg.Table, "parley_events")
	if err != nil {
		return nil, err
	}
	return &EventSink{db: db, events: sqlstore.NewEventTable(tb, "INTEGER", "TEXT", "TEXT", quote, "event")}, nil
}

// Migrate creates the table and its index if they do not exist.
func (s *EventSink) Migrate(ctx context.Context) error {
	return s.events.Migrate(ctx)
}

// Write implements [analytics.Sink]: the batch is stored in one
// transaction; events already stored are skipped.
func (s *EventSink) Write(ctx context.Context, events []analytics.Event) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite events: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	st, err := tx.PrepareContext(ctx, s.events.Insert)
	if err != nil {
		return fmt.Errorf("sqlite events: %w", err)
	}
	defer st.Close()
	for i := range events {
		row, err := sqlstore.EventRow(&events[i])
		if err != nil {
			return fmt.Errorf("sqlite events: %w", err)
		}
		if _, err := st.ExecContext(ctx, row...); err != nil {
			return fmt.Errorf("sqlite events: insert: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite events: commit: %w", err)
	}
	return nil
}

// Events yields the stored events with a time in w, in time order. An
// error ends the sequence.
func (s *EventSink) Events(ctx context.Context, w analytics.Window) iter.Seq2[analytics.Event, error] {
	return s.events.Events(ctx, w)
}
