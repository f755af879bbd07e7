package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/memory/internal/sqlstore"
	"github.com/parleyhq/parley/schedule"
)

var _ schedule.Store = (*Jobs)(nil)

// JobsConfig configures [Jobs]. The zero value is valid.
type JobsConfig struct {
	// Schema is the schema of the table; empty means the connection's
	// search_path (usually "public").
	Schema string
	// Table is the table's name (default "parley_jobs").
	Table string
}

// Jobs is a [schedule.Store] on PostgreSQL: the durable schedule that
// replicas share. Jobs live in one table, times in Unix microseconds:
//
//	id text PRIMARY KEY, kind, key, due, late_window, payload bytea,
//	attempt, token (of the current claim, or ''), run_at (when claimable), prev_at
//
// with indexes on (run_at, id) and key. A claim is one statement: an
// UPDATE of the rows a SELECT ... ORDER BY run_at LIMIT n FOR UPDATE SKIP
// LOCKED picked, so concurrent claimers take different jobs without
// waiting for each other; scheduling a batch is one INSERT ... SELECT
// FROM unnest(...) ON CONFLICT DO UPDATE.
//
// River (riverqueue/river with riverpgxv5) was considered: it is a whole
// job runner with its own client, fetch loop and fixed-time rescue of
// stuck jobs (RescueStuckJobsAfter, which runs a slow job twice) rather
// than a store under [schedule.Scheduler]'s renewed leases; IDs, replace
// on reschedule and erasure by key would sit on top of its unique-args
// and metadata, and it has no Redis or in-memory driver, so one
// conformance suite could not cover it beside the others.
//
// Jobs is safe for concurrent use.
type Jobs struct {
	pool    *pgxpool.Pool
	jobs    sqlstore.Jobs
	qUpsert string
}

// NewJobs returns a job store over the configured pool p, which it does
// not close. It does not contact the server; call [Jobs.Migrate] once to
// create the table.
func NewJobs(p *pgxpool.Pool, cfg JobsConfig) (*Jobs, error) {
	t, err := table(p, "postgres jobs", cfg.Schema, cfg.Table, "parley_jobs")
	if err != nil {
		return nil, err
	}
	claim := "UPDATE " + t.Table + " AS t SET prev_at = t.run_at, run_at = $2, token = $3, attempt = t.attempt + 1 " +
		"FROM (SELECT id FROM " + t.Table + " WHERE run_at <= $1 ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) AS c " +
		"WHERE t.id = c.id RETURNING t.id, t.kind, t.key, t.due, t.late_window, t.payload, t.attempt, t.prev_at"
	return &Jobs{pool: p, jobs: sqlstore.Jobs{Table: t, SQL: sqlstore.NewJobStatements(t.Table, claim)}, qUpsert: upsert(t.Table)}, nil
}

// upsert is the statement of Schedule on table t: one INSERT of arrays
// of ids, kinds, keys, dues, windows and payloads.
func upsert(t string) string {
	return "INSERT INTO " + t + " AS t (id, kind, key, due, late_window, payload, attempt, token, run_at, prev_at) " +
		"SELECT id, kind, key, due, win, payload, 0, '', due, due FROM " +
		"unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bytea[]) AS u(id, kind, key, due, win, payload) " +
		"ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, key = excluded.key, due = excluded.due, " +
		"late_window = excluded.late_window, payload = excluded.payload, attempt = 0, token = '', " +
		"run_at = excluded.run_at, prev_at = excluded.prev_at"
}

// Migrate creates the table and its indexes if they do not exist. It is
// safe to call from several replicas at once.
func (s *Jobs) Migrate(ctx context.Context) error {
	t := s.jobs.Table.Table
	name := strings.TrimSuffix(indexName(t), "_")
	return migrate(ctx, s.pool, "postgres jobs", 7170617280,
		"CREATE TABLE IF NOT EXISTS "+t+" (id text PRIMARY KEY, kind text NOT NULL, key text NOT NULL, "+
			"due bigint NOT NULL, late_window bigint NOT NULL, payload bytea NOT NULL, attempt integer NOT NULL, "+
			"token text NOT NULL, run_at bigint NOT NULL, prev_at bigint NOT NULL)",
		"CREATE INDEX IF NOT EXISTS "+pgx.Identifier{jobIndex(name, "_run")}.Sanitize()+" ON "+t+" (run_at, id)",
		"CREATE INDEX IF NOT EXISTS "+pgx.Identifier{jobIndex(name, "_key")}.Sanitize()+" ON "+t+" (key)",
	)
}

// jobIndex names an index of the job table (table from indexName, which
// keeps its safe characters) within PostgreSQL's 63 bytes.
func jobIndex(table, suffix string) string {
	table = strings.Replace(table, "parley_kv_exp_", "parley_jobs_", 1)
	return table[:min(len(table), 63-len(suffix))] + suffix
}

// Schedule implements [schedule.Store.Schedule]: one statement.
func (s *Jobs) Schedule(ctx context.Context, jobs ...schedule.Job) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// One INSERT may not touch a row twice: the last job with an ID wins,
	// as it would scheduled one by one.
	last := make(map[string]int, len(jobs))
	for i, j := range jobs {
		last[j.ID] = i
	}
	n := len(last)
	ids, kinds, keys := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	dues, wins, payloads := make([]int64, 0, n), make([]int64, 0, n), make([][]byte, 0, n)
	for i, j := range jobs {
		if last[j.ID] != i {
			continue
		}
		ids, kinds, keys = append(ids, j.ID), append(kinds, j.Kind), append(keys, j.Key)
		dues, wins, payloads = append(dues, j.Due.UnixMicro()), append(wins, int64(j.Window)), append(payloads, sqlstore.Payload(j))
	}
	if _, err := s.pool.Exec(ctx, s.qUpsert, ids, kinds, keys, dues, wins, payloads); err != nil {
		return s.jobs.Err("schedule", err)
	}
	return nil
}

// Cancel implements [schedule.Store.Cancel].
func (s *Jobs) Cancel(ctx context.Context, id string) error {
	return s.jobs.Cancel(ctx, id)
}

// Erase implements [schedule.Store.Erase].
func (s *Jobs) Erase(ctx context.Context, key string) (int, error) {
	return s.jobs.Erase(ctx, key)
}

// Claim implements [schedule.Store.Claim].
func (s *Jobs) Claim(ctx context.Context, now, until time.Time, limit int) ([]schedule.Claim, error) {
	return s.jobs.Claim(ctx, now, until, limit)
}

// Extend implements [schedule.Store.Extend].
func (s *Jobs) Extend(ctx context.Context, c schedule.Claim, until time.Time) error {
	return s.jobs.Extend(ctx, c, until)
}

// Release implements [schedule.Store.Release].
func (s *Jobs) Release(ctx context.Context, c schedule.Claim, next time.Time) error {
	return s.jobs.Release(ctx, c, next)
}
