package sqlite

import (
	"cmp"
	"database/sql"
	"errors"
	"strings"

	"github.com/parleyhq/parley/memory/internal/sqlstore"
)

// table is the table id (def if empty) on d, with errors that start
// with name.
func table(d *sql.DB, name, id, def string) (sqlstore.Table, error) {
	if d == nil {
		return sqlstore.Table{}, errors.New(name + ": nil database")
	}
	id = cmp.Or(id, def)
	return sqlstore.Table{DB: sqlstore.SQL(d), Name: name, ID: id, Table: quote(id), Missing: missing}, nil
}

// quote quotes an identifier.
func quote(id string) string {
	return `"` + strings.ReplaceAll(id, `"`, `""`) + `"`
}

// missing reports whether err says a table does not exist.
func missing(err error) bool {
	return strings.Contains(err.Error(), "no such table")
}
