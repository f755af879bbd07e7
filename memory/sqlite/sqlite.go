package sqlite

import (
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/internal/sqlstore"
)

var _ memory.Store = (*Store)(nil)

// Config configures a [Store]. The zero value is valid.
type Config struct {
	// Table is the table's name (default "parley_kv").
	Table string
}

// Store is a [memory.Store] on SQLite through database/sql (the driver is
// modernc.org/sqlite, pure Go, registered as "sqlite"; [Open] opens a file
// with the settings the store needs). Records live in one table:
//
//	key BLOB PRIMARY KEY, value BLOB, version INTEGER, expires_at INTEGER (Unix ms)
//
// Each write is a single statement, so it is atomic without an explicit
// transaction. Expired rows are invisible at once and deleted by
// [Store.Sweep] or by the next write of their key.
//
// A Store is safe for concurrent use; several processes may share the
// file (SQLite serialises writers; the busy timeout makes them wait).
type Store struct {
	db *sql.DB
	kv sqlstore.KV[sql.NullInt64]
}

// Open opens (creating if needed) the SQLite file at path with write-ahead
// logging and a 10-second busy timeout, the settings concurrent writers
// need, and secure_delete, so that deleted records are overwritten with
// zeros (see [Store.Compact] for what else erasure needs).
func Open(path string) (*sql.DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite store: bad path %q", path)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(ON)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite store: open %s: %w", path, err)
	}
	return db, nil
}

// New returns a store over db, which it does not close. It does not touch
// the database; call [Store.Migrate] once to create the table.
func New(db *sql.DB, cfg Config) (*Store, error) {
	t, err := table(db, "sqlite store", cfg.Table, "parley_kv")
	if err != nil {
		return nil, err
	}
	return &Store{db: db, kv: sqlstore.KV[sql.NullInt64]{
		Table: t,
		SQL:   sqlstore.NewKVStatements(t.Table, sqlstore.Param, "$3"),
		Clock: func(ttl time.Duration) (any, []any) {
			now := time.Now()
			var exp any
			if ttl > 0 {
				exp = now.Add(ttl + time.Millisecond - 1).UnixMilli()
			}
			return exp, []any{now.UnixMilli()}
		},
		Expires: func(exp sql.NullInt64) time.Time {
			if !exp.Valid {
				return time.Time{}
			}
			return time.UnixMilli(exp.Int64)
		},
	}}, nil
}

// Migrate creates the table if it does not exist.
func (s *Store) Migrate(ctx context.Context) error {
	return s.kv.Migrate(ctx, "CREATE TABLE IF NOT EXISTS "+s.kv.Table.Table+" (key BLOB PRIMARY KEY, value BLOB NOT NULL, "+
		"version INTEGER NOT NULL, expires_at INTEGER) WITHOUT ROWID")
}

// Sweep deletes expired rows and returns how many it deleted.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	return s.kv.Sweep(ctx)
}

// Get implements [memory.Store].
func (s *Store) Get(ctx context.Context, key string) (memory.Record, error) {
	return s.kv.Get(ctx, key)
}

// Set implements [memory.Store]. TTLs are rounded up to whole
// milliseconds.
func (s *Store) Set(ctx context.Context, p memory.Put) (int64, error) {
	return s.kv.Set(ctx, p)
}

// Delete implements [memory.Store].
func (s *Store) Delete(ctx context.Context, key string, ifVersion int64) error {
	return s.kv.Delete(ctx, key, ifVersion)
}

// Keys implements [memory.Store]. It reads the whole result before calling
// yield, so yield may use the store.
func (s *Store) Keys(ctx context.Context, prefix string, yield func(string) bool) error {
	return s.kv.Keys(ctx, prefix, yield)
}
