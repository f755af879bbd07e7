package sqlite

import (
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"context"
	"database/sql"
	"errors"
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
	// Now is the clock that decides expiry (default [time.Now]).
	Now func() time.Time
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
	db  *sql.DB
	now func() time.Time
	t   string

	qGet, qSetAny, qSetAbsent, qSetVersion, qDelAny, qDelAbsent, qDelVersion, qKeys, qKeysTo, qSweep string
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
	if db == nil {
		return nil, errors.New("sqlite store: nil database")
	}
	if cfg.Table == "" {
		cfg.Table = "parley_kv"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	t := `"` + strings.ReplaceAll(cfg.Table, `"`, `""`) + `"`
	live := "(expires_at IS NULL OR expires_at > $now)"
	return &Store{
		db:   db,
		now:  cfg.Now,
		t:    t,
		qGet: "SELECT value, version, expires_at FROM " + t + " WHERE key = $key AND " + live,
		qSetAny: "INSERT INTO " + t + " AS t (key, value, version, expires_at) VALUES ($key, $value, 1, $exp) " +
			"ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, " +
			"version = CASE WHEN t.expires_at IS NOT NULL AND t.expires_at <= $now THEN 1 ELSE t.version + 1 END " +
			"RETURNING version",
		qSetAbsent: "INSERT INTO " + t + " AS t (key, value, version, expires_at) VALUES ($key, $value, 1, $exp) " +
			"ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, version = 1 " +
			"WHERE t.expires_at IS NOT NULL AND t.expires_at <= $now RETURNING version",
		qSetVersion: "UPDATE " + t + " SET value = $value, expires_at = $exp, version = version + 1 " +
			"WHERE key = $key AND version = $ver AND " + live + " RETURNING version",
		qDelAny:     "DELETE FROM " + t + " WHERE key = $key",
		qDelAbsent:  "SELECT count(*) FROM " + t + " WHERE key = $key AND " + live,
		qDelVersion: "DELETE FROM " + t + " WHERE key = $key AND version = $ver AND " + live,
		qKeys:       "SELECT key FROM " + t + " WHERE key >= $lo AND " + live + " ORDER BY key",
		qKeysTo:     "SELECT key FROM " + t + " WHERE key >= $lo AND key < $hi AND " + live + " ORDER BY key",
		qSweep:      "DELETE FROM " + t + " WHERE expires_at <= $now",
	}, nil
}

// Migrate creates the table if it does not exist.
func (s *Store) Migrate(ctx context.Context) error {
	q := "CREATE TABLE IF NOT EXISTS " + s.t + " (key BLOB PRIMARY KEY, value BLOB NOT NULL, " +
		"version INTEGER NOT NULL, expires_at INTEGER) WITHOUT ROWID"
	if _, err := s.db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("sqlite store: migrate: %w", err)
	}
	return nil
}

// Sweep deletes expired rows and returns how many it deleted.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.qSweep, sql.Named("now", s.now().UnixMilli()))
	if err != nil {
		return 0, s.mapErr("sweep", "", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.mapErr("sweep", "", err)
	}
	return n, nil
}

func (s *Store) mapErr(op, key string, err error) error {
	return sqlstore.Err("sqlite store", fmt.Sprintf("%s %q", op, key), s.t, strings.Contains(err.Error(), "no such table"), err)
}

// Get implements [memory.Store].
func (s *Store) Get(ctx context.Context, key string) (memory.Record, error) {
	if err := sqlstore.Check(ctx, key); err != nil {
		return memory.Record{}, err
	}
	var exp sql.NullInt64
	var val any
	var version int64
	err := s.db.QueryRowContext(ctx, s.qGet, sql.Named("key", []byte(key)), sql.Named("now", s.now().UnixMilli())).
		Scan(&val, &version, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return memory.Record{}, memory.ErrNotFound
	}
	if err != nil {
		return memory.Record{}, s.mapErr("get", key, err)
	}
	var value []byte
	switch v := val.(type) {
	case []byte:
		value = append([]byte{}, v...)
	case nil:
	default:
		return memory.Record{}, &memory.CorruptError{Key: key, Err: fmt.Errorf("value column holds a %T, not a BLOB", val)}
	}
	var expires time.Time
	if exp.Valid {
		expires = time.UnixMilli(exp.Int64)
	}
	return sqlstore.Record(key, value, version, expires)
}

// Set implements [memory.Store]. TTLs are rounded up to whole
// milliseconds.
func (s *Store) Set(ctx context.Context, p memory.Put) (int64, error) {
	if err := sqlstore.CheckPut(ctx, p); err != nil {
		return 0, err
	}
	now := s.now()
	var exp any
	if p.TTL > 0 {
		exp = now.Add(p.TTL + time.Millisecond - 1).UnixMilli()
	}
	args := []any{sql.Named("key", []byte(p.Key)), sql.Named("value", sqlstore.Value(p)), sql.Named("exp", exp),
		sql.Named("now", now.UnixMilli())}
	q := s.qSetVersion
	switch p.IfVersion {
	case memory.AnyVersion:
		q = s.qSetAny
	case memory.Absent:
		q = s.qSetAbsent
	default:
		args = append(args, sql.Named("ver", p.IfVersion))
	}
	var v int64
	err := s.db.QueryRowContext(ctx, q, args...).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, memory.ErrConflict
	}
	if err != nil {
		return 0, s.mapErr("set", p.Key, err)
	}
	return v, nil
}

// Delete implements [memory.Store].
func (s *Store) Delete(ctx context.Context, key string, ifVersion int64) error {
	if err := sqlstore.CheckDelete(ctx, key, ifVersion); err != nil {
		return err
	}
	k, now := sql.Named("key", []byte(key)), sql.Named("now", s.now().UnixMilli())
	var err error
	conflict := false
	switch ifVersion {
	case memory.AnyVersion:
		_, err = s.db.ExecContext(ctx, s.qDelAny, k)
	case memory.Absent:
		var live int64
		err = s.db.QueryRowContext(ctx, s.qDelAbsent, k, now).Scan(&live)
		conflict = live > 0
	default:
		var n int64
		n, err = affected(s.db.ExecContext(ctx, s.qDelVersion, k, now, sql.Named("ver", ifVersion)))
		conflict = n == 0
	}
	if err != nil {
		return s.mapErr("delete", key, err)
	}
	if conflict {
		return memory.ErrConflict
	}
	return nil
}

// Keys implements [memory.Store]. It reads the whole result before calling
// yield, so yield may use the store.
func (s *Store) Keys(ctx context.Context, prefix string, yield func(string) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	args := []any{sql.Named("lo", []byte(prefix)), sql.Named("now", s.now().UnixMilli())}
	q := s.qKeys
	if hi, ok := sqlstore.Successor([]byte(prefix)); ok {
		q = s.qKeysTo
		args = append(args, sql.Named("hi", hi))
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return s.mapErr("keys", prefix, err)
	}
	keys, err := sqlstore.Keys(rows)
	if err := errors.Join(err, rows.Close()); err != nil {
		return s.mapErr("keys", prefix, err)
	}
	sqlstore.Yield(keys, yield)
	return nil
}
