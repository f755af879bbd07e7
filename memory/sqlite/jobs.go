package sqlite

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"errors"
	"fmt"
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
	db *sql.DB
	t  string

	qUpsert, qCancel, qErase, qClaim, qExtend, qDone, qRetry string
}

// NewJobs returns a job store over db, which it does not close (open it
// with [Open]). It does not touch the database; call [Jobs.Migrate] once
// to create the table.
func NewJobs(db *sql.DB, cfg JobsConfig) (*Jobs, error) {
	if db == nil {
		return nil, errors.New("sqlite jobs: nil database")
	}
	if cfg.Table == "" {
		cfg.Table = "parley_jobs"
	}
	t := `"` + strings.ReplaceAll(cfg.Table, `"`, `""`) + `"`
	cols := "id, kind, key, due, late_window, payload, attempt"
	return &Jobs{
		db: db,
		t:  t,
		qUpsert: "INSERT INTO " + t + " (id, kind, key, due, late_window, payload, attempt, token, run_at, prev_at) " +
			"VALUES ($id, $kind, $key, $due, $win, $payload, 0, '', $due, $due) " +
			"ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, key = excluded.key, due = excluded.due, " +
			"late_window = excluded.late_window, payload = excluded.payload, attempt = 0, token = '', " +
			"run_at = excluded.run_at, prev_at = excluded.prev_at",
		qCancel: "DELETE FROM " + t + " WHERE id = $id",
		qErase:  "DELETE FROM " + t + " WHERE key = $key AND key <> ''",
		qClaim: "UPDATE " + t + " SET prev_at = run_at, run_at = $until, token = $token, attempt = attempt + 1 " +
			"WHERE id IN (SELECT id FROM " + t + " WHERE run_at <= $now ORDER BY run_at, id LIMIT $n) " +
			"RETURNING " + cols + ", prev_at",
		qExtend: "UPDATE " + t + " SET run_at = $until WHERE id = $id AND token = $token AND token <> ''",
		qDone:   "DELETE FROM " + t + " WHERE id = $id AND token = $token AND token <> ''",
		qRetry:  "UPDATE " + t + " SET run_at = $next, token = '' WHERE id = $id AND token = $token AND token <> ''",
	}, nil
}

// Migrate creates the table and its indexes if they do not exist.
func (s *Jobs) Migrate(ctx context.Context) error {
	idx := strings.Trim(s.t, `"`)
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS " + s.t + " (id TEXT PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, " +
			"due INTEGER NOT NULL, late_window INTEGER NOT NULL, payload BLOB, attempt INTEGER NOT NULL, " +
			"token TEXT NOT NULL, run_at INTEGER NOT NULL, prev_at INTEGER NOT NULL) WITHOUT ROWID",
		`CREATE INDEX IF NOT EXISTS "` + strings.ReplaceAll(idx+"_run_at", `"`, `""`) + `" ON ` + s.t + " (run_at, id)",
		`CREATE INDEX IF NOT EXISTS "` + strings.ReplaceAll(idx+"_key", `"`, `""`) + `" ON ` + s.t + " (key)",
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlite jobs: migrate: %w", err)
		}
	}
	return nil
}

func (s *Jobs) mapErr(op string, err error) error {
	return sqlstore.Err("sqlite jobs", op, s.t, strings.Contains(err.Error(), "no such table"), err)
}

func micros(t time.Time) int64 { return t.UnixMicro() }

// Schedule implements [schedule.Store.Schedule]: one transaction.
func (s *Jobs) Schedule(ctx context.Context, jobs ...schedule.Job) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.mapErr("schedule", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	st, err := tx.PrepareContext(ctx, s.qUpsert)
	if err != nil {
		return s.mapErr("schedule", err)
	}
	defer st.Close()
	for _, j := range jobs {
		if _, err := st.ExecContext(ctx, sql.Named("id", j.ID), sql.Named("kind", j.Kind), sql.Named("key", j.Key),
			sql.Named("due", micros(j.Due)), sql.Named("win", int64(j.Window)), sql.Named("payload", sqlstore.Payload(j))); err != nil {
			return s.mapErr("schedule "+j.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.mapErr("schedule", err)
	}
	return nil
}

func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Cancel implements [schedule.Store.Cancel].
func (s *Jobs) Cancel(ctx context.Context, id string) error {
	n, err := affected(s.db.ExecContext(ctx, s.qCancel, sql.Named("id", id)))
	return sqlstore.Touched(n, err, schedule.ErrNotFound, s.mapErr, "cancel "+id)
}

// Erase implements [schedule.Store.Erase].
func (s *Jobs) Erase(ctx context.Context, key string) (int, error) {
	n, err := affected(s.db.ExecContext(ctx, s.qErase, sql.Named("key", key)))
	if err != nil {
		return 0, s.mapErr("erase", err)
	}
	return int(n), nil
}

// Claim implements [schedule.Store.Claim].
func (s *Jobs) Claim(ctx context.Context, now, until time.Time, limit int) ([]schedule.Claim, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	token := crand.Text()[:20]
	rows, err := s.db.QueryContext(ctx, s.qClaim, sql.Named("until", micros(until)), sql.Named("token", token),
		sql.Named("now", micros(now)), sql.Named("n", limit))
	if err != nil {
		return nil, s.mapErr("claim", err)
	}
	defer rows.Close()
	cs, err := sqlstore.Claims(rows, token, until)
	if err != nil {
		return nil, s.mapErr("claim", err)
	}
	return cs, nil
}

// Extend implements [schedule.Store.Extend].
func (s *Jobs) Extend(ctx context.Context, c schedule.Claim, until time.Time) error {
	n, err := affected(s.db.ExecContext(ctx, s.qExtend, sql.Named("until", micros(until)),
		sql.Named("id", c.Job.ID), sql.Named("token", c.Token)))
	return sqlstore.Touched(n, err, schedule.ErrLeaseLost, s.mapErr, "extend "+c.Job.ID)
}

// Release implements [schedule.Store.Release].
func (s *Jobs) Release(ctx context.Context, c schedule.Claim, next time.Time) error {
	var n int64
	var err error
	if next.IsZero() {
		n, err = affected(s.db.ExecContext(ctx, s.qDone, sql.Named("id", c.Job.ID), sql.Named("token", c.Token)))
	} else {
		n, err = affected(s.db.ExecContext(ctx, s.qRetry, sql.Named("next", micros(next)),
			sql.Named("id", c.Job.ID), sql.Named("token", c.Token)))
	}
	return sqlstore.Touched(n, err, schedule.ErrLeaseLost, s.mapErr, "release "+c.Job.ID)
}
