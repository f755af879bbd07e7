package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// DB is what the stores need of a driver. pgx's pool and database/sql's
// DB each meet it in a few lines of their adapter. Statements number
// their parameters $1, $2, ... on both; SQLite ignores arguments a
// statement does not use.
type DB interface {
	// Exec runs q and returns how many rows it changed.
	Exec(ctx context.Context, q string, args ...any) (int64, error)
	// QueryRow runs q for at most one row; Scan reports an error that is
	// sql.ErrNoRows (pgx's wraps it) when there is none.
	QueryRow(ctx context.Context, q string, args ...any) Row
	// Query runs q; the caller closes the rows.
	Query(ctx context.Context, q string, args ...any) (Rows, error)
}

// SQL is db as a [DB].
func SQL(db *sql.DB) DB { return sqlDB{db} }

type sqlDB struct{ db *sql.DB }

func (d sqlDB) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := d.db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (d sqlDB) QueryRow(ctx context.Context, q string, args ...any) Row {
	return d.db.QueryRowContext(ctx, q, args...)
}

func (d sqlDB) Query(ctx context.Context, q string, args ...any) (Rows, error) {
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// Row is the one row of [DB.QueryRow]: *sql.Row and pgx.Row have it.
type Row interface {
	Scan(dest ...any) error
}

// Rows is a result set of [DB.Query]. Close releases it; errors met
// while reading are reported by Err.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Table is a table behind a driver, with what its errors say: Name (such
// as "sqlite jobs") starts them, Table is the quoted name they give when
// Missing reports that an error says the table does not exist. ID is the
// table's name as configured.
type Table struct {
	DB      DB
	Name    string
	ID      string
	Table   string
	Missing func(error) bool
}

// Err is the error of operation op (such as `get "k"`) on the table: see
// the package-level [Err].
func (t *Table) Err(op string, err error) error {
	return Err(t.Name, op, t.Table, t.Missing(err), err)
}

// Migrate runs the statements that create the table, in order.
func (t *Table) Migrate(ctx context.Context, stmts ...string) error {
	for _, q := range stmts {
		if _, err := t.DB.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: migrate: %w", t.Name, err)
		}
	}
	return nil
}
