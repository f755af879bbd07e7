package sqlstore

import (
	"context"
	crand "crypto/rand"
	"time"

	"github.com/parleyhq/parley/schedule"
)

// JobStatements are the statements of a job table (id, kind, key, due,
// late_window, payload, attempt, token, run_at, prev_at; times in Unix
// microseconds) that [Jobs] runs. Their arguments: Claim (now, until,
// token, limit; it returns the rows [claims] reads), Cancel (id), Erase
// (key), Extend (id, token, until), Done (id, token) and Retry (id,
// token, next).
type JobStatements struct {
	Claim, Cancel, Erase, Extend, Done, Retry string
}

// NewJobStatements writes the statements of table t (quoted) but for
// claim, which is the dialect's.
func NewJobStatements(t, claim string) JobStatements {
	return JobStatements{
		Claim:  claim,
		Cancel: "DELETE FROM " + t + " WHERE id = $1",
		Erase:  "DELETE FROM " + t + " WHERE key = $1 AND key <> ''",
		Extend: "UPDATE " + t + " SET run_at = $3 WHERE id = $1 AND token = $2 AND token <> ''",
		Done:   "DELETE FROM " + t + " WHERE id = $1 AND token = $2 AND token <> ''",
		Retry:  "UPDATE " + t + " SET run_at = $3, token = '' WHERE id = $1 AND token = $2 AND token <> ''",
	}
}

// Jobs is a [schedule.Store] on a job table, but for Schedule, whose
// batching is the driver's.
type Jobs struct {
	Table
	SQL JobStatements
}

// Cancel implements [schedule.Store.Cancel].
func (s *Jobs) Cancel(ctx context.Context, id string) error {
	n, err := s.DB.Exec(ctx, s.SQL.Cancel, id)
	return touched(n, err, schedule.ErrNotFound, s.Err, "cancel "+id)
}

// Erase implements [schedule.Store.Erase].
func (s *Jobs) Erase(ctx context.Context, key string) (int, error) {
	n, err := s.DB.Exec(ctx, s.SQL.Erase, key)
	if err != nil {
		return 0, s.Err("erase", err)
	}
	return int(n), nil
}

// Claim implements [schedule.Store.Claim].
func (s *Jobs) Claim(ctx context.Context, now, until time.Time, limit int) ([]schedule.Claim, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	token := crand.Text()[:20]
	rows, err := s.DB.Query(ctx, s.SQL.Claim, now.UnixMicro(), until.UnixMicro(), token, limit)
	if err != nil {
		return nil, s.Err("claim", err)
	}
	defer rows.Close()
	cs, err := claims(rows, token, until)
	if err != nil {
		return nil, s.Err("claim", err)
	}
	return cs, nil
}

// Extend implements [schedule.Store.Extend].
func (s *Jobs) Extend(ctx context.Context, c schedule.Claim, until time.Time) error {
	n, err := s.DB.Exec(ctx, s.SQL.Extend, c.Job.ID, c.Token, until.UnixMicro())
	return touched(n, err, schedule.ErrLeaseLost, s.Err, "extend "+c.Job.ID)
}

// Release implements [schedule.Store.Release].
func (s *Jobs) Release(ctx context.Context, c schedule.Claim, next time.Time) error {
	var n int64
	var err error
	if next.IsZero() {
		n, err = s.DB.Exec(ctx, s.SQL.Done, c.Job.ID, c.Token)
	} else {
		n, err = s.DB.Exec(ctx, s.SQL.Retry, c.Job.ID, c.Token, next.UnixMicro())
	}
	return touched(n, err, schedule.ErrLeaseLost, s.Err, "release "+c.Job.ID)
}
