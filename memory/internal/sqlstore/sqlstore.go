// Package sqlstore holds what the SQL stores (memory/postgres on pgx and
// memory/sqlite on database/sql) share above their drivers: the checks
// and results of the key-value store's operations, error messages, the
// claim rows of the job store and the rows of the events table. The SQL
// itself stays with each driver, whose dialects and placeholders differ.
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

// Rows is the part of a driver's result set the shared code reads;
// *sql.Rows and pgx.Rows have it. The caller closes the rows.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

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

// Check returns ctx's error or key's, if either has one.
func Check(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return memory.ValidateKey(key)
}

// CheckPut is [Check] for a Set: it also refuses a negative TTL and a
// precondition other than memory.AnyVersion, memory.Absent or a version.
func CheckPut(ctx context.Context, p memory.Put) error {
	if err := Check(ctx, p.Key); err != nil {
		return err
	}
	if p.TTL < 0 {
		return &memory.KeyError{Key: p.Key, Reason: "negative TTL"}
	}
	return checkVersion(p.Key, p.IfVersion)
}

// CheckDelete is [Check] for a Delete: it also refuses a precondition
// other than memory.AnyVersion, memory.Absent or a version.
func CheckDelete(ctx context.Context, key string, ifVersion int64) error {
	if err := Check(ctx, key); err != nil {
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

// Touched is the result of a statement of operation op that must change
// a row: its error mapped by mapErr, none if it changed no row (n == 0),
// or nil.
func Touched(n int64, err error, none error, mapErr func(op string, err error) error, op string) error {
	if err != nil {
		return mapErr(op, err)
	}
	if n == 0 {
		return none
	}
	return nil
}

// Record is the record read for key: a corrupt one (version below 1) is
// a *memory.CorruptError, and a NULL value is empty.
func Record(key string, value []byte, version int64, expires time.Time) (memory.Record, error) {
	if version < 1 {
		return memory.Record{}, &memory.CorruptError{Key: key, Err: fmt.Errorf("bad version %d", version)}
	}
	if value == nil {
		value = []byte{}
	}
	return memory.Record{Key: key, Value: value, Version: version, ExpiresAt: expires}, nil
}

// Value is p's value as stored: never NULL.
func Value(p memory.Put) []byte {
	if p.Value == nil {
		return []byte{}
	}
	return p.Value
}

// Successor returns the smallest byte string greater than every string
// with prefix p, or false if there is none (p is empty or all 0xff): the
// upper bound of a prefix scan.
func Successor(p []byte) ([]byte, bool) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] != 0xff {
			s := append([]byte(nil), p[:i+1]...)
			s[i]++
			return s, true
		}
	}
	return nil, false
}

// Keys reads rows of one key column to the end.
func Keys(rows Rows) ([]string, error) {
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

// Yield calls yield with each key, in order, until it returns false.
func Yield(keys []string, yield func(string) bool) {
	for _, k := range keys {
		if !yield(k) {
			return
		}
	}
}

// Claims reads the rows a claim statement returned (id, kind, key, due
// and late_window in Unix microseconds, payload, attempt, prev_at) as
// claims with token until until, in the order the jobs came due (prev_at,
// then ID): RETURNING comes in no particular order.
func Claims(rows Rows, token string, until time.Time) ([]schedule.Claim, error) {
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

// Events yields the events of window w, in the order query returns them:
// query selects the JSON text of the events with from <= time < to (Unix
// nanoseconds; an open end of w is the int64 bound) and returns the rows
// and a func that closes them. Errors, wrapped by wrap, end the sequence.
func Events(w analytics.Window, query func(from, to int64) (Rows, func(), error), wrap func(error) error) iter.Seq2[analytics.Event, error] {
	return func(yield func(analytics.Event, error) bool) {
		from, to := int64(-1<<63), int64(1<<63-1)
		if !w.From.IsZero() {
			from = w.From.UnixNano()
		}
		if !w.To.IsZero() {
			to = w.To.UnixNano()
		}
		rows, done, err := query(from, to)
		if err != nil {
			yield(analytics.Event{}, wrap(err))
			return
		}
		defer done()
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
