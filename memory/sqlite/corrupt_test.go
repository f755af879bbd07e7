package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/internal/storetest"
	"github.com/parleyhq/parley/memory/sqlite"
)

func TestCorruptRecords(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "m.db"))
	s, err := sqlite.New(db, sqlite.Config{})
	s = storetest.Migrated(t, s, err)
	ctx := context.Background()
	_, err = s.Set(ctx, memory.Put{Key: "fine", Value: []byte("ok"), IfVersion: memory.Absent})
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO parley_kv (key, value, version) VALUES (?, 42, 1), (?, x'00', -3)`, []byte("number"), []byte("badversion"))
	require.NoError(t, err)

	for _, key := range []string{"number", "badversion"} {
		_, err = s.Get(ctx, key)
		var ce *memory.CorruptError
		require.ErrorAs(t, err, &ce, key)
		assert.Equal(t, key, ce.Key)
	}
	r, err := s.Get(ctx, "fine")
	require.NoError(t, err, "the rest of the store keeps working")
	assert.Equal(t, "ok", string(r.Value))

	_, err = sqlite.Open("")
	require.Error(t, err)
	_, err = sqlite.Open("x.db?mode=ro")
	require.Error(t, err, "parameters are the store's to set")
}

func TestSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // expiry follows the bubble's clock
		db := openDB(t, filepath.Join(t.TempDir(), "m.db"))
		s, err := sqlite.New(db, sqlite.Config{})
		s = storetest.Migrated(t, s, err)
		ctx := context.Background()
		for _, k := range []string{"a", "b"} {
			_, err := s.Set(ctx, memory.Put{Key: k, Value: []byte("v"), IfVersion: memory.Absent, TTL: time.Minute})
			require.NoError(t, err)
		}
		_, err = s.Set(ctx, memory.Put{Key: "keep", Value: []byte("v"), IfVersion: memory.Absent})
		require.NoError(t, err)
		n, err := s.Sweep(ctx)
		require.NoError(t, err)
		assert.Zero(t, n)
		time.Sleep(2 * time.Minute)
		n, err = s.Sweep(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, 2, n)
		var rows int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM parley_kv").Scan(&rows))
		assert.Equal(t, 1, rows)
	})
}
