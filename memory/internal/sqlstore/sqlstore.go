// Package sqlstore is the SQL stores' front over their drivers
// (memory/postgres on pgx, memory/sqlite on database/sql), as database/sql
// is over database/sql/driver: [KV] is the key-value store and [Jobs] the
// job store, with their checks, statements, row scanning and error
// messages, over a [DB] that each adapter makes of its driver in a few
// lines. A dialect gives what differs: whose clock decides expiry and in
// what unit, the claim statement, the table's DDL and how a batch of jobs
// is scheduled. [Events] reads an events table back.
package sqlstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/schedule"
)

// Err is the error of operation op (such as `get "k"`) of the store
// called name (such as "sqlite store") on table: context errors as they
// are, and a missing table (missing reports whether err says so) with
// the advice to call Migrate.
func Err(name, op, table string, missing bool, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if missing {
		return fmt.Errorf("%s: %s: table %s does not exist (call Migrate): %w", name, op, table, err)
	}
	return fmt.Errorf("%s: %s: %w", name, op, err)
}

// check returns ctx's error or key's, if either has one.
func check(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return memory.ValidateKey(key)
}

// checkPut is [check] for a Set: it also refuses a negative TTL and a
// precondition other than memory.AnyVersion, memory.Absent or a version.
func checkPut(ctx context.Context, p memory.Put) error {
	if err := check(ctx, p.Key); err != nil {
		return err
	}
	if p.TTL < 0 {
		return &memory.KeyError{Key: p.Key, Reason: "negative TTL"}
	}
	return checkVersion(p.Key, p.IfVersion)
}

// checkDelete is [check] for a Delete: it also refuses a precondition
// other than memory.AnyVersion, memory.Absent or a version.
func checkDelete(ctx context.Context, key string, ifVersion int64) error {
	if err := check(ctx, key); err != nil {
		return err
	}
	return checkVersion(key, ifVersion)
}

func checkVersion(key string, v int64) error {
	if v != memory.AnyVersion && v != memory.Absent && v <= 0 {
		return &memory.KeyError{Key: key, Reason: fmt.Sprintf("bad precondition %d", v)}
	}
	return nil
}

// touched is the result of a statement of operation op that must change
// a row: its error mapped by mapErr, none if it changed no row (n == 0),
// or nil.
func touched(n int64, err error, none error, mapErr func(op string, err error) error, op string) error {
	if err != nil {
		return mapErr(op, err)
	}
	if n == 0 {
		return none
	}
	return nil
}

// record is the record read for key: a corrupt one (version below 1) is
// a *memory.CorruptError, and a NULL value is empty.
func record(key string, value []byte, version int64, expires time.Time) (memory.Record, error) {
	if version < 1 {
		return memory.Record{}, &memory.CorruptError{Key: key, Err: fmt.Errorf("bad version %d", version)}
	}
	if value == nil {
		value = []byte{}
	}
	return memory.Record{Key: key, Value: value, Version: version, ExpiresAt: expires}, nil
}

// value is p's value as stored: never NULL.
func value(p memory.Put) []byte {
	if p.Value == nil {
		return []byte{}
	}
	return p.Value
}

// successor returns the smallest byte string greater than every string
// with prefix p, or false if there is none (p is empty or all 0xff): the
// upper bound of a prefix scan.
func successor(p []byte) ([]byte, bool) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] != 0xff {
			s := append([]byte(nil), p[:i+1]...)
			s[i]++
			return s, true
		}
	}
	return nil, false
}

// readKeys reads rows of one key column to the end.
func readKeys(rows Rows) ([]string, error) {
	var keys []string
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		keys = append(keys, string(b))
	}
	return keys, rows.Err()
}

// claims reads the rows a claim statement returned (id, kind, key, due
// and late_window in Unix microseconds, payload, attempt, prev_at) as
// claims with token until until, in the order the jobs came due (prev_at,
// then ID): RETURNING comes in no particular order.
func claims(rows Rows, token string, until time.Time) ([]schedule.Claim, error) {
	type row struct {
		c    schedule.Claim
		prev int64
	}
	var out []row
	for rows.Next() {
		var r row
		var due, win, attempt int64
		j := &r.c.Job
		if err := rows.Scan(&j.ID, &j.Kind, &j.Key, &due, &win, &j.Payload, &attempt, &r.prev); err != nil {
			return nil, err
		}
		j.Due, j.Window, j.Attempt = time.UnixMicro(due).UTC(), time.Duration(win), int(attempt)
		r.c.Token, r.c.Until = token, until
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.prev, b.prev), strings.Compare(a.c.Job.ID, b.c.Job.ID))
	})
	cs := make([]schedule.Claim, len(out))
	for i, r := range out {
		cs[i] = r.c
	}
	return cs, nil
}

// Payload is j's payload as stored: never NULL.
func Payload(j schedule.Job) []byte {
	if j.Payload == nil {
		return []byte{}
	}
	return j.Payload
}

// EventRow is the row of e in an events table: hash, time (Unix
// nanoseconds), kind, conversation and the event as JSON text.
func EventRow(e *analytics.Event) ([]any, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return []any{int64(e.Hash()), e.Time.UnixNano(), string(e.Kind), e.Conversation, string(data)}, nil
}

// EventTable is a table of analytics events, one row per event keyed by
// [analytics.Event.Hash] (hash, time in Unix nanoseconds, kind,
// conversation, event as JSON), with its statements: Create, then Insert
// ($1 to $5, the row of [EventRow]; a row already stored is skipped) and
// Select (the events' JSON text with $1 <= time < $2, in time order).
type EventTable struct {
	Table
	Create         []string
	Insert, Select string
}

// NewEventTable writes the statements of t in a dialect: integer, text and
// json are its column types, quote quotes the index's name and event reads
// the event column as text.
func NewEventTable(t Table, integer, text, json string, quote func(string) string, event string) EventTable {
	return EventTable{
		Table: t,
		Create: []string{
			"CREATE TABLE IF NOT EXISTS " + t.Table + " (hash " + integer + " PRIMARY KEY, time " + integer + " NOT NULL, kind " + text +
				" NOT NULL, conversation " + text + " NOT NULL, event " + json + " NOT NULL)",
			"CREATE INDEX IF NOT EXISTS " + quote(t.ID+"_time") + " ON " + t.Table + " (time)",
		},
		Insert: "INSERT INTO " + t.Table + " (hash, time, kind, conversation, event) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING",
		Select: "SELECT " + event + " FROM " + t.Table + " WHERE time >= $1 AND time < $2 ORDER BY time, hash",
	}
}

// Migrate creates the table and its index if they do not exist.
func (t *EventTable) Migrate(ctx context.Context) error {
	return t.Table.Migrate(ctx, t.Create...)
}

// Events yields the stored events with a time in w, in time order. An
// error ends the sequence.
func (t *EventTable) Events(ctx context.Context, w analytics.Window) iter.Seq2[analytics.Event, error] {
	wrap := func(err error) error { return fmt.Errorf("%s: %w", t.Name, err) }
	return func(yield func(analytics.Event, error) bool) {
		from, to := int64(-1<<63), int64(1<<63-1)
		if !w.From.IsZero() {
			from = w.From.UnixNano()
		}
		if !w.To.IsZero() {
			to = w.To.UnixNano()
		}
		rows, err := t.DB.Query(ctx, t.Select, from, to)
		if err != nil {
			yield(analytics.Event{}, wrap(err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var data string
			var e analytics.Event
			if err := rows.Scan(&data); err != nil {
				yield(analytics.Event{}, wrap(err))
				return
			}
			if err := json.Unmarshal([]byte(data), &e); err != nil {
				yield(analytics.Event{}, wrap(err))
				return
			}
			if !yield(e, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(analytics.Event{}, wrap(err))
		}
	}
}
