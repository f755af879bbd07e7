package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
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
	pool *pgxpool.Pool
	kv   sqlstore.KV[*time.Time]
}

// New returns a store over the configured pool p, which it does not close.
// It does not contact the server; call [Store.Migrate] once to create the
// table.
func New(p *pgxpool.Pool, cfg Config) (*Store, error) {
	t, err := table(p, "postgres store", cfg.Schema, cfg.Table, "parley_kv")
	if err != nil {
		return nil, err
	}
	now := func(int) string { return "now()" }
	exp := "CASE WHEN $3::bigint > 0 THEN now() + $3::bigint * interval '1 microsecond' END"
	return &Store{pool: p, kv: sqlstore.KV[*time.Time]{
		Table: t,
		SQL:   sqlstore.NewKVStatements(t.Table, now, exp),
		Clock: clock,
		Expires: func(exp *time.Time) time.Time {
			if exp == nil {
				return time.Time{}
			}
			return *exp
		},
	}}, nil
}

// clock is the expiry argument of a put with ttl, rounded up to whole
// microseconds, and no arguments for the time now: the server's clock
// decides.
func clock(ttl time.Duration) (any, []any) {
	return int64((ttl + time.Microsecond - 1) / time.Microsecond), nil
}

// Migrate creates the table and its expiry index if they do not exist. It
// is safe to call from several replicas at once.
func (s *Store) Migrate(ctx context.Context) error {
	t := s.kv.Table.Table
	return migrate(ctx, s.pool, "postgres store", 7170617279, // "parley" in spirit
		"CREATE TABLE IF NOT EXISTS "+t+" (key bytea PRIMARY KEY, value bytea NOT NULL, "+
			"version bigint NOT NULL, expires_at timestamptz)",
		"CREATE INDEX IF NOT EXISTS "+pgx.Identifier{indexName(t)}.Sanitize()+" ON "+t+
			" (expires_at) WHERE expires_at IS NOT NULL",
	)
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
	return s.kv.Sweep(ctx)
}

// Get implements [memory.Store].
func (s *Store) Get(ctx context.Context, key string) (memory.Record, error) {
	return s.kv.Get(ctx, key)
}

// Set implements [memory.Store]. TTLs are rounded up to whole
// microseconds.
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
