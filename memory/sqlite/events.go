package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"

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
	db               *sql.DB
	qInsert, qSelect string
	qCreate          []string
}

var _ analytics.Sink = (*EventSink)(nil)

// NewEventSink returns an EventSink over db, which it does not close. It
// does not touch the database; call [EventSink.Migrate] once.
func NewEventSink(db *sql.DB, cfg EventConfig) (*EventSink, error) {
	if db == nil {
		return nil, errors.New("sqlite events: nil database")
	}
	if cfg.Table == "" {
		cfg.Table = "parley_events"
	}
	t := `"` + strings.ReplaceAll(cfg.Table, `"`, `""`) + `"`
	idx := `"` + strings.ReplaceAll(cfg.Table+"_time", `"`, `""`) + `"`
	return &EventSink{db: db,
		qCreate: []string{
			"CREATE TABLE IF NOT EXISTS " + t + " (hash INTEGER PRIMARY KEY, time INTEGER NOT NULL, kind TEXT NOT NULL, conversation TEXT NOT NULL, event TEXT NOT NULL)",
			"CREATE INDEX IF NOT EXISTS " + idx + " ON " + t + " (time)",
		},
		qInsert: "INSERT INTO " + t + " (hash, time, kind, conversation, event) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING",
		qSelect: "SELECT event FROM " + t + " WHERE time >= ? AND time < ? ORDER BY time, hash",
	}, nil
}

// Migrate creates the table and its index if they do not exist.
func (s *EventSink) Migrate(ctx context.Context) error {
	for _, q := range s.qCreate {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlite events: migrate: %w", err)
		}
	}
	return nil
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
	st, err := tx.PrepareContext(ctx, s.qInsert)
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
	return sqlstore.Events(w, func(from, to int64) (sqlstore.Rows, func(), error) {
		rows, err := s.db.QueryContext(ctx, s.qSelect, from, to)
		if err != nil {
			return nil, nil, err
		}
		return rows, func() { rows.Close() }, nil
	}, func(err error) error { return fmt.Errorf("sqlite events: %w", err) })
}
