package redis_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
)

func TestCorruptRecords(t *testing.T) {
	c := testClient(t)
	prefix := testPrefix(t, c)
	s := openStore(t, c, prefix)
	ctx := context.Background()
	// Records damaged by another program sharing the database.
	require.NoError(t, c.Set(ctx, prefix+"string", "not a record", 0).Err())
	require.NoError(t, c.HSet(ctx, prefix+"badversion", "v", "seven", "d", "x").Err())
	require.NoError(t, c.HSet(ctx, prefix+"nodata", "v", "3").Err())
	require.NoError(t, c.RPush(ctx, prefix+"list", "a").Err())
	_, err := s.Set(ctx, memory.Put{Key: "fine", Value: []byte("ok"), IfVersion: memory.Absent})
	require.NoError(t, err)

	for _, key := range []string{"string", "badversion", "nodata", "list"} {
		t.Run(key, func(t *testing.T) {
			_, err := s.Get(ctx, key)
			var ce *memory.CorruptError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, key, ce.Key, "the error names the record")
			if key != "nodata" {
				_, err = s.Set(ctx, memory.Put{Key: key, Value: []byte("v"), IfVersion: 1})
				require.ErrorAs(t, err, &ce, "a conditional write over it is refused, not misread")
			}
			// An unconditional delete clears it, so it can be rewritten.
			require.NoError(t, s.Delete(ctx, key, memory.AnyVersion))
			_, err = s.Set(ctx, memory.Put{Key: key, Value: []byte("v"), IfVersion: memory.Absent})
			require.NoError(t, err)
		})
	}
	r, err := s.Get(ctx, "fine")
	require.NoError(t, err, "the rest of the store keeps working")
	assert.Equal(t, "ok", string(r.Value))

	// A session written by a newer Parley.
	_, err = s.Set(ctx, memory.Put{Key: memory.SessionKey("conv"), Value: []byte(`{"id":"conv","v":99}`), IfVersion: memory.Absent})
	require.NoError(t, err)
	_, err = memory.NewSessions(s).Load(ctx, "conv")
	var ce *memory.CorruptError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, memory.SessionKey("conv"), ce.Key)

	// A 10 MB profile is refused before it reaches Redis.
	err = customer.NewProfiles(s).Save(ctx, &customer.Profile{CustomerID: "big", Custom: map[string]string{"x": strings.Repeat("x", 10<<20)}})
	var tl *memory.ValueTooLargeError
	require.True(t, errors.As(err, &tl), "got %v", err)
	assert.Equal(t, customer.ProfileKey("big"), tl.Key)
}
