package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/parleyhq/parley/memory/internal/sqlstore"
	"github.com/parleyhq/parley/schedule"
)

var _ schedule.Store = (*Jobs)(nil)

// JobsConfig configures [Jobs]. The zero value is valid.
type JobsConfig struct {
	// Table is the table's name (default "parley_jobs").
	Table string
}

// Jobs is a [schedule.Store] on SQLite: the durable schedule of a
// single-host deployment (several processes may share the file). Jobs
// live in one table, times in Unix microseconds:
//
//	id TEXT PRIMARY KEY, kind, key, due, late_window, payload, attempt,
//	token (of the current claim, or ''), run_at (when claimable), prev_at
//
// with indexes on (run_at, id) and key. A claim is one UPDATE ... WHERE id
// IN (SELECT ... ORDER BY run_at LIMIT n) RETURNING statement, atomic
// because SQLite runs one writer at a time; scheduling a batch is one
// transaction.
//
// River (riverqueue/river, with a SQLite driver) was considered: it is a
// whole job runner with its own client, fetch loop and fixed-time rescue
// of stuck jobs rather than a store under [schedule.Scheduler]'s leases,
// and it has no Redis or in-memory driver, so one conformance suite could
// not cover it beside the others.
//
// Jobs is safe for concurrent use.
type Jobs struct {
	db      *sql.DB
	jobs    sqlstore.Jobs
	qUpsert string
}

// NewJobs returns a job store over db, which it does not close (open it
// with [Open]). It does not touch the database; call [Jobs.Migrate] once
// to create the table.
func NewJobs(db *sql.DB, cfg JobsConfig) (*Jobs, error) {
	t, err := table(db, "sqlite jobs", cfg.Table, "parley_jobs")
	if err != nil {
		return nil, err
	}
	claim := "UPDATE " + t.Table + " SET prev_at = run_at, run_at = $2, token = $3, attempt = attempt + 1 " +
		"WHERE id IN (SELECT id FROM " + t.Table + " WHERE run_at <= $1 ORDER BY run_at, id LIMIT $4) " +
		"RETURNING id, kind, key, due, late_window, payload, attempt, prev_at"
	return &Jobs{
		db:   db,
		jobs: sqlstore.Jobs{Table: t, SQL: sqlstore.NewJobStatements(t.Table, claim)},
		qUpsert: "INSERT INTO " + t.Table + " (id, kind, key, due, late_window, payload, attempt, token, run_at, prev_at) " +
			"VALUES ($1, $2, $3, $4, $5, $6, 0, '', $4, $4) " +
			"ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, key = excluded.key, due = excluded.due, " +
			"late_window = excluded.late_window, payload = excluded.payload, attempt = 0, token = '', " +
			"run_at = excluded.run_at, prev_at = excluded.prev_at",
	}, nil
}

// Migrate creates the table and its indexes if they do not exist.
func (s *Jobs) Migrate(ctx context.Context) error {
	t := s.jobs.Table.Table
	name := strings.Trim(t, `"`)
	return s.jobs.Migrate(ctx,
		"CREATE TABLE IF NOT EXISTS "+t+" (id TEXT PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, "+
			"due INTEGER NOT NULL, late_window INTEGER NOT NULL, payload BLOB, attempt INTEGER NOT NULL, "+
			"token TEXT NOT NULL, run_at INTEGER NOT NULL, prev_at INTEGER NOT NULL) WITHOUT ROWID",
		"CREATE INDEX IF NOT EXISTS "+quote(name+"_run_at")+" ON "+t+" (run_at, id)",
		"CREATE INDEX IF NOT EXISTS "+quote(name+"_key")+" ON "+t+" (key)",
	)
}

// Schedule implements [schedule.Store.Schedule]: one transaction.
func (s *Jobs) Schedule(ctx context.Context, jobs ...schedule.Job) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.jobs.Err("schedule", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	st, err := tx.PrepareContext(ctx, s.qUpsert)
	if err != nil {
		return s.jobs.Err("schedule", err)
	}
	defer st.Close()
	for _, j := range jobs {
		if _, err := st.ExecContext(ctx, j.ID, j.Kind, j.Key, j.Due.UnixMicro(), int64(j.Window), sqlstore.Payload(j)); err != nil {
			return s.jobs.Err("schedule "+j.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
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
