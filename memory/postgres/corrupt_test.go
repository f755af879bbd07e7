package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/postgres"
)

func TestCorruptRecords(t *testing.T) {
	p := testPool(t)
	schema := testSchema(t, p)
	s := openStore(t, p, schema)
	ctx := context.Background()
	require.NoError(t, s.Migrate(ctx), "Migrate is idempotent")
	_, err := s.Set(ctx, memory.Put{Key: "fine", Value: []byte("ok"), IfVersion: memory.Absent})
	require.NoError(t, err)
	table := pgx.Identifier{schema, "parley_kv"}.Sanitize()
	_, err = p.Exec(ctx, "INSERT INTO "+table+" (key, value, version) VALUES ($1, 'x', 0)", []byte("zero"))
	require.NoError(t, err)

	_, err = s.Get(ctx, "zero")
	var ce *memory.CorruptError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "zero", ce.Key)
	r, err := s.Get(ctx, "fine")
	require.NoError(t, err, "the rest of the store keeps working")
	assert.Equal(t, "ok", string(r.Value))

	missing, err := postgres.New(p, postgres.Config{Schema: schema, Table: "nope"})
	require.NoError(t, err)
	_, err = missing.Get(ctx, "k")
	require.ErrorContains(t, err, "call Migrate")
}

func TestSweep(t *testing.T) {
	p := testPool(t)
	s := newStore(t, p)
	ctx := context.Background()
	_, err := s.Set(ctx, memory.Put{Key: "short", Value: []byte("v"), IfVersion: memory.Absent, TTL: time.Millisecond})
	require.NoError(t, err)
	_, err = s.Set(ctx, memory.Put{Key: "keep", Value: []byte("v"), IfVersion: memory.Absent})
	require.NoError(t, err)
	var n int64
	for deadline := time.Now().Add(30 * time.Second); n == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		n, err = s.Sweep(ctx)
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, n, "the expired row is swept")
	_, err = s.Get(ctx, "keep")
	require.NoError(t, err)
}
