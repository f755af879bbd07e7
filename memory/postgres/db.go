package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/memory/internal/sqlstore"
)

// db is the pool as the SQL stores' shared code uses it.
type db struct{ p *pgxpool.Pool }

func (d db) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := d.p.Exec(ctx, q, args...)
	return tag.RowsAffected(), err
}

func (d db) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return d.p.QueryRow(ctx, q, args...)
}

func (d db) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := d.p.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return closer{rows}, nil
}

// closer gives pgx's rows the Close of sqlstore.Rows; their errors,
// those of closing included, are reported by Err.
type closer struct{ pgx.Rows }

func (r closer) Close() error {
	r.Rows.Close()
	return nil
}

// table is the table id (def if empty; schema-qualified when schema is
// set) on pool p, with errors that start with name.
func table(p *pgxpool.Pool, name, schema, id, def string) (sqlstore.Table, error) {
	if p == nil {
		return sqlstore.Table{}, errors.New(name + ": nil pool")
	}
	id = cmp.Or(id, def)
	ident := pgx.Identifier{id}
	if schema != "" {
		ident = pgx.Identifier{schema, id}
	}
	return sqlstore.Table{DB: db{p}, Name: name, ID: id, Table: ident.Sanitize(), Missing: missing}, nil
}

// quoteIdent quotes an identifier.
func quoteIdent(id string) string {
	return pgx.Identifier{id}.Sanitize()
}

// missing reports whether err says a table does not exist.
func missing(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42P01"
}

// migrate runs stmts in one transaction under advisory lock lock, which
// serialises concurrent migrations: CREATE TABLE IF NOT EXISTS alone can
// fail with a unique violation when racing. Errors start with name.
func migrate(ctx context.Context, p *pgxpool.Pool, name string, lock int64, stmts ...string) error {
	tx, err := p.Begin(ctx)
	if err != nil {
		return fmt.Errorf("%s: migrate: %w", name, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit it is a no-op
	for _, q := range append([]string{fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", lock)}, stmts...) {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: migrate: %w", name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("%s: migrate: %w", name, err)
	}
	return nil
}
