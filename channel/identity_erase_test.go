package channel_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
)

// The links StoreLinker writes are memory/customer's identity links: a
// profile resolves them, and erasing the profile deletes them and the
// verified contacts. No key shows the e-mail address or phone number.
func TestStoreLinkerKeysAreHashedAndErased(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	l := channel.NewStoreLinker(store)
	ada, err := l.Link(ctx, channel.Identity{Channel: "whatsapp", UserID: "+447700900123"}, channel.Contact{Phone: "+44 7700 900123", Email: "Ada@Example.com"})
	require.NoError(t, err)
	bob, err := l.Link(ctx, channel.Identity{Channel: "web", UserID: "v-bob"}, channel.Contact{Email: "bob@example.org"})
	require.NoError(t, err)

	var keys []string
	require.NoError(t, store.Keys(ctx, "", func(k string) bool { keys = append(keys, k); return true }))
	assert.Len(t, keys, 5)
	for _, k := range keys {
		for _, pii := range []string{"447700900123", "ada@example.com", "Ada@Example.com", "v-bob", "bob@example.org"} {
			assert.NotContains(t, k, pii)
		}
	}

	profiles := customer.NewProfiles(store)
	got, err := profiles.Resolve(ctx, customer.Identity{Channel: "whatsapp", ID: "+447700900123"})
	require.NoError(t, err)
	assert.Equal(t, ada, got)

	require.NoError(t, profiles.Delete(ctx, ada))
	keys = keys[:0]
	require.NoError(t, store.Keys(ctx, "", func(k string) bool { keys = append(keys, k); return true }))
	assert.Len(t, keys, 2, "Bob's identity and contact remain: %v", keys)
	for _, k := range keys {
		rec, err := store.Get(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, bob, string(rec.Value), k)
		assert.False(t, strings.HasPrefix(string(rec.Value), ada))
	}
	_, err = l.Resolve(ctx, channel.Identity{Channel: "whatsapp", UserID: "+447700900123"})
	assert.ErrorIs(t, err, channel.ErrNotLinked)
}

// A link written in the old clear form still resolves.
func TestStoreLinkerReadsClearLinks(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	_, err := store.Set(ctx, memory.Put{Key: "identity/web/v-old", Value: []byte("cus_old"), IfVersion: memory.Absent})
	require.NoError(t, err)
	got, err := channel.NewStoreLinker(store).Resolve(ctx, channel.Identity{Channel: "web", UserID: "v-old"})
	require.NoError(t, err)
	assert.Equal(t, "cus_old", got)
	got, err = customer.NewProfiles(store).Resolve(ctx, customer.Identity{Channel: "web", ID: "v-old"})
	require.NoError(t, err)
	assert.Equal(t, "cus_old", got)
}
