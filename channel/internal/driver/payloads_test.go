package driver

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
)

func TestPayloadsFit(t *testing.T) {
	ctx := context.Background()
	var p Payloads
	assert.Equal(t, "keep", p.Fit("keep", 10), "a short payload is sent as it is")

	long := strings.Repeat("é", 600) // 600 characters, 1,200 bytes
	tok := p.Fit(long, 1000)
	assert.LessOrEqual(t, len(tok), 64)
	assert.Equal(t, tok, p.Fit(long, 1000), "the same payload gives the same token")
	got, ok := p.Resolve(ctx, tok)
	assert.True(t, ok)
	assert.Equal(t, long, got)

	got, ok = p.Resolve(ctx, "plain text")
	assert.True(t, ok)
	assert.Equal(t, "plain text", got)

	_, ok = p.Resolve(ctx, payloadPrefix+"00000000000000000000000000000000")
	assert.False(t, ok, "an unknown token is not passed on as text")

	a1, a2 := p.Alias("keep", 1), p.Alias("keep", 2)
	assert.NotEqual(t, a1, a2)
	assert.NotEqual(t, p.Fit("keep", 2), a1)
	got, ok = p.Resolve(ctx, a2)
	assert.True(t, ok)
	assert.Equal(t, "keep", got, "an alias maps back to the payload")

	spoof := payloadPrefix + "x"
	assert.NotEqual(t, spoof, p.Fit(spoof, 100), "a payload that looks like a token is kept server-side too")
}

// TestPayloadsSharedThroughStore: a token one process renders resolves in
// another (a replica, or the same service after a restart) over the same
// store, for 7 days; the store holds the payload under a hash, never the
// payload in the key.
func TestPayloadsSharedThroughStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		store := memory.NewMap()
		a, b := &Payloads{Store: store}, &Payloads{Store: store}
		long := "refund:" + strings.Repeat("9", 400)
		tok := a.Fit(long, 256)
		alias := a.Alias(long, 1)
		_, ok := b.Resolve(ctx, tok)
		assert.False(t, ok, "nothing is shared before Sync")
		require.NoError(t, a.Sync(ctx))
		for _, k := range []string{tok, alias} {
			got, ok := b.Resolve(ctx, k)
			require.True(t, ok)
			assert.Equal(t, long, got)
		}
		var keys []string
		require.NoError(t, store.Keys(ctx, "", func(k string) bool { keys = append(keys, k); return true }))
		assert.Len(t, keys, 2)
		for _, k := range keys {
			assert.True(t, strings.HasPrefix(k, payloadKey))
			assert.NotContains(t, k, "refund")
		}

		time.Sleep(payloadTTL + time.Minute)
		c := &Payloads{Store: store}
		_, ok = c.Resolve(ctx, tok)
		assert.False(t, ok, "gone from the store after 7 days")
	})
}

// TestPayloadsRewrittenBeforeExpiry: buttons sent again after half the
// TTL are written again, so a tap on the newer message resolves in
// another process for its full 7 days.
func TestPayloadsRewrittenBeforeExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		store := memory.NewMap()
		a := &Payloads{Store: store}
		long := strings.Repeat("x", 300)
		tok := a.Fit(long, 256)
		require.NoError(t, a.Sync(ctx))
		time.Sleep(4 * 24 * time.Hour)
		assert.Equal(t, tok, a.Fit(long, 256))
		require.NoError(t, a.Sync(ctx))
		time.Sleep(6 * 24 * time.Hour) // 10 days after the first send, 6 after the second
		got, ok := (&Payloads{Store: store}).Resolve(ctx, tok)
		require.True(t, ok)
		assert.Equal(t, long, got)
	})
}

type failingStore struct {
	memory.Store
	fail bool
}

func (s *failingStore) Set(ctx context.Context, p memory.Put) (int64, error) {
	if s.fail {
		return 0, errors.New("store down")
	}
	return s.Store.Set(ctx, p)
}

// TestPayloadsSyncFailureKeepsPending: a failed write is reported (the
// driver then does not send) and retried by the next Sync.
func TestPayloadsSyncFailureKeepsPending(t *testing.T) {
	ctx := context.Background()
	store := &failingStore{Store: memory.NewMap(), fail: true}
	a := &Payloads{Store: store}
	tok := a.Fit(strings.Repeat("y", 300), 256)
	err := a.Sync(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "store down")
	got, ok := a.Resolve(ctx, tok)
	require.True(t, ok, "this process still knows it")
	assert.Equal(t, strings.Repeat("y", 300), got)
	store.fail = false
	require.NoError(t, a.Sync(ctx))
	got, ok = (&Payloads{Store: store}).Resolve(ctx, tok)
	require.True(t, ok)
	assert.Equal(t, strings.Repeat("y", 300), got)
}
