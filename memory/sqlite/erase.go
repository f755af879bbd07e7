package sqlite

import (
	"context"
	"fmt"
)

// Compact makes deleted records unrecoverable from the files: it rewrites
// the database (VACUUM, which also drops copies of deleted keys that
// interior pages of the index keep) and truncates the write-ahead log,
// whose frames still hold the records as they were before deletion. Run
// it after erasing customers (privacy.Eraser.Erase): [Open] turns on
// secure_delete, which zeroes deleted rows in the pages they leave, but
// the log and the index keep older copies until Compact.
//
// Compact needs every other connection to the file to be idle for a
// moment (VACUUM takes the database exclusively; writers wait up to the
// busy timeout) and temporary disk space about the size of the database.
// Copies outside the file (backups, replicas, a filesystem's snapshots)
// are the operator's to purge.
func (s *Store) Compact(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite store: compact: %w", err)
	}
	defer conn.Close()
	for _, q := range []string{"PRAGMA secure_delete = ON", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlite store: compact: %s: %w", q, err)
		}
	}
	return nil
}
