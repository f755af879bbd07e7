package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/sqlite"
	"github.com/parleyhq/parley/schedule"
)

// The example keeps what a restart must not lose in one SQLite file
// (modernc.org/sqlite, pure Go): conversations and their history,
// customer profiles and consents, the desk's open hand-offs
// (deskjournal.go), the refunds waiting for a person's approval, the
// campaigns' scheduled steps, and the web chat's signing secret (so the
// widget's conversation carries on). With -memory (or -db ''), all of it
// lives in memory and a restart starts over.

// stores is where the example keeps its state.
type stores struct {
	kv   memory.Store   // conversations, profiles, approvals, ...
	jobs schedule.Store // the campaigns' steps
	path string         // the SQLite file, "" in memory
	db   *sql.DB
}

// defaultDB is where the demo keeps its data unless -db says otherwise:
// the user's cache directory, so that it survives restarts without
// writing into the repository.
func defaultDB() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "parley-demo.db"
	}
	return filepath.Join(dir, "parley", "retention-demo.db")
}

// openStores opens (creating if needed) the SQLite file at path, or
// in-memory stores if path is "".
func openStores(ctx context.Context, path string) (*stores, error) {
	if path == "" {
		return &stores{kv: memory.NewMap(), jobs: schedule.NewMemory()}, nil
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("-db: %w", err)
		}
	}
	db, err := sqlite.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-db: %w", err)
	}
	s := &stores{path: path, db: db}
	kv, err := sqlite.New(db, sqlite.Config{})
	if err == nil {
		err = kv.Migrate(ctx)
	}
	var jobs *sqlite.Jobs
	if err == nil {
		jobs, err = sqlite.NewJobs(db, sqlite.JobsConfig{})
	}
	if err == nil {
		err = jobs.Migrate(ctx)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("-db %s: %w", path, err), db.Close())
	}
	s.kv, s.jobs = kv, jobs
	return s, nil
}

// close closes the SQLite file, if any.
func (s *stores) close() error {
	if s.db == nil {
		return nil
	}
	return s.db.Close()
}

// webSecretKey holds the web chat's signing secret.
const webSecretKey = "demo/web-secret"

// webSecret returns the web chat's signing secret: the stored one, or a
// new random one, stored for the next start. Visitors' tokens are signed
// with it, so with a durable store an open widget keeps its conversation
// across a restart.
func (s *stores) webSecret(ctx context.Context) ([]byte, error) {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret) // crypto/rand.Read never fails
	_, err := s.kv.Set(ctx, memory.Put{Key: webSecretKey, Value: secret, IfVersion: memory.Absent})
	if err == nil {
		return secret, nil
	}
	if !errors.Is(err, memory.ErrConflict) {
		return nil, err
	}
	rec, err := s.kv.Get(ctx, webSecretKey)
	if err != nil {
		return nil, err
	}
	if len(rec.Value) < 32 {
		return nil, fmt.Errorf("%s: stored web secret is %d bytes, want 32", s.path, len(rec.Value))
	}
	return rec.Value, nil
}

// storedIn says where the demo keeps its data, for the start-up banner.
func storedIn(path string) string {
	if path == "" {
		return "data:      in memory (-memory): a restart starts over"
	}
	return "data:      " + path + " (kept across restarts; -memory for none, delete the file to start over)"
}
