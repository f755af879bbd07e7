package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/internal/sqlstore"
)

var _ memory.Store = (*Store)(nil)

// Config configures a [Store]. The zero value is valid.
type Config struct {
	// Schema is the schema of the table; empty means the connection's
	// search_path (usually "public").
	Schema string
	// Table is the table's name (default "parley_kv").
	Table string
}

// Store is a [memory.Store] on PostgreSQL. Records live in one table:
//
//	key bytea PRIMARY KEY, value bytea, version bigint, expires_at timestamptz
//
// Keys are bytea so that every key, including one with a NUL byte, round
// trips and Keys lists in byte order whatever the database's collation.
// Expiry uses the server's clock, so replicas with skewed clocks agree.
// Expired rows are invisible at once and deleted by [Store.Sweep] or
// overwritten by the next write of their key.
//
// A Store is safe for concurrent use.
type Store struct {
	pool  *pgxpool.Pool
	table string // quoted, possibly schema-qualified

	qGet, qSetAny, qSetAbsent, qSetVersion, qDelAny, qDelAbsent, qDelVersion, qKeys, qKeysFrom, qSweep string
}

// New returns a store over the configured pool p, which it does not close.
// It does not contact the server; call [Store.Migrate] once to create the
// table.
func New(p *pgxpool.Pool, cfg Config) (*Store, error) {
	if p == nil {
		return nil, errors.New("postgres store: nil pool")
	}
	if cfg.Table == "" {
		cfg.Table = "parley_kv"
	}
	id := pgx.Identifier{cfg.Table}
	if cfg.Schema != "" {
		id = pgx.Identifier{cfg.Schema, cfg.Table}
	}
	t := id.Sanitize()
	live := "(expires_at IS NULL OR expires_at > now())"
	exp := "CASE WHEN $3::bigint > 0 THEN now() + $3::bigint * interval '1 microsecond' END"
	return &Store{
		pool:  p,
		table: t,
		qGet:  "SELECT value, version, expires_at FROM " + t + " WHERE key = $1 AND " + live,
		qSetAny: "INSERT INTO " + t + " AS t (key, value, version, expires_at) VALUES ($1, $2, 1, " + exp + ") " +
			"ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, " +
			"version = CASE WHEN t.expires_at IS NOT NULL AND t.expires_at <= now() THEN 1 ELSE t.version + 1 END " +
			"RETURNING version",
		qSetAbsent: "INSERT INTO " + t + " AS t (key, value, version, expires_at) VALUES ($1, $2, 1, " + exp + ") " +
			"ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, version = 1 " +
			"WHERE t.expires_at IS NOT NULL AND t.expires_at <= now() RETURNING version",
		qSetVersion: "UPDATE " + t + " SET value = $2, expires_at = " + exp + ", version = version + 1 " +
			"WHERE key = $1 AND version = $4 AND " + live + " RETURNING version",
		qDelAny:     "DELETE FROM " + t + " WHERE key = $1",
		qDelAbsent:  "SELECT count(*) FROM " + t + " WHERE key = $1 AND " + live,
		qDelVersion: "DELETE FROM " + t + " WHERE key = $1 AND version = $2 AND " + live,
		qKeys:       "SELECT key FROM " + t + " WHERE key >= $1 AND " + live + " ORDER BY key",
		qKeysFrom:   "SELECT key FROM " + t + " WHERE key >= $1 AND key < $2 AND " + live + " ORDER BY key",
		qSweep:      "DELETE FROM " + t + " WHERE expires_at <= now()",
	}, nil
}

// Migrate creates the table and its expiry index if they do not exist. It
// is safe to call from several replicas at once.
func (s *Store) Migrate(ctx context.Context) error {
	// An advisory lock serialises concurrent migrations: CREATE TABLE IF
	// NOT EXISTS alone can fail with a unique violation when racing.
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres store: migrate: %w", err)
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres store: migrate: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit it is a no-op
	stmts := []string{
		"SELECT pg_advisory_xact_lock(7170617279)", // "parley" in spirit
		"CREATE TABLE IF NOT EXISTS " + s.table + " (key bytea PRIMARY KEY, value bytea NOT NULL, " +
			"version bigint NOT NULL, expires_at timestamptz)",
		"CREATE INDEX IF NOT EXISTS " + pgx.Identifier{indexName(s.table)}.Sanitize() + " ON " + s.table +
			" (expires_at) WHERE expires_at IS NOT NULL",
	}
	for _, q := range stmts {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("postgres store: migrate: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres store: migrate: %w", err)
	}
	return nil
}

func indexName(table string) string {
	b := []byte("parley_kv_exp_")
	for _, c := range []byte(table) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' {
			b = append(b, c)
		}
	}
	return string(b[:min(len(b), 63)])
}

// Sweep deletes expired rows and returns how many it deleted. Expired rows
// are already invisible; Sweep reclaims their space. Run it now and then
// (every few minutes) from one replica.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	tag, err := s.pool.Exec(ctx, s.qSweep)
	if err != nil {
		return 0, s.mapErr("sweep", "", err)
	}
	return tag.RowsAffected(), nil
}

func (s *Store) mapErr(op, key string, err error) error {
	var pe *pgconn.PgError
	missing := errors.As(err, &pe) && pe.Code == "42P01"
	return sqlstore.Err("postgres store", fmt.Sprintf("%s %q", op, key), s.table, missing, err)
}

// Get implements [memory.Store].
func (s *Store) Get(ctx context.Context, key string) (memory.Record, error) {
	if err := sqlstore.Check(ctx, key); err != nil {
		return memory.Record{}, err
	}
	var value []byte
	var version int64
	var exp *time.Time
	err := s.pool.QueryRow(ctx, s.qGet, []byte(key)).Scan(&value, &version, &exp)
	if errors.Is(err, pgx.ErrNoRows) {
		return memory.Record{}, memory.ErrNotFound
	}
	if err != nil {
		return memory.Record{}, s.mapErr("get", key, err)
	}
	var expires time.Time
	if exp != nil {
		expires = *exp
	}
	return sqlstore.Record(key, value, version, expires)
}

// Set implements [memory.Store]. TTLs are rounded up to whole
// microseconds.
func (s *Store) Set(ctx context.Context, p memory.Put) (int64, error) {
	if err := sqlstore.CheckPut(ctx, p); err != nil {
		return 0, err
	}
	us := int64((p.TTL + time.Microsecond - 1) / time.Microsecond)
	args := []any{[]byte(p.Key), sqlstore.Value(p), us}
	q := s.qSetVersion
	switch p.IfVersion {
	case memory.AnyVersion:
		q = s.qSetAny
	case memory.Absent:
		q = s.qSetAbsent
	default:
		args = append(args, p.IfVersion)
	}
	var v int64
	err := s.pool.QueryRow(ctx, q, args...).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
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
	var err error
	conflict := false
	switch ifVersion {
	case memory.AnyVersion:
		_, err = s.pool.Exec(ctx, s.qDelAny, []byte(key))
	case memory.Absent:
		var live int64
		err = s.pool.QueryRow(ctx, s.qDelAbsent, []byte(key)).Scan(&live)
		conflict = live > 0
	default:
		var tag pgconn.CommandTag
		tag, err = s.pool.Exec(ctx, s.qDelVersion, []byte(key), ifVersion)
		conflict = tag.RowsAffected() == 0
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
	var rows pgx.Rows
	var err error
	if upper, ok := sqlstore.Successor([]byte(prefix)); ok {
		rows, err = s.pool.Query(ctx, s.qKeysFrom, []byte(prefix), upper)
	} else {
		rows, err = s.pool.Query(ctx, s.qKeys, []byte(prefix))
	}
	if err != nil {
		return s.mapErr("keys", prefix, err)
	}
	defer rows.Close()
	keys, err := sqlstore.Keys(rows)
	if err != nil {
		return s.mapErr("keys", prefix, err)
	}
	sqlstore.Yield(keys, yield)
	return nil
}
