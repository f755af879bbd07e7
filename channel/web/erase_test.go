package web

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/privacy"
)

// A kept transcript names the customer its conversation was identified
// as, so that erasing the customer (privacy.StoreSources) deletes it;
// another visitor's transcript stays.
func TestErasingTheCustomerDeletesTheTranscript(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	linker := channel.NewStoreLinker(store)
	e := newEnv(t, func(c *Config) { c.Store, c.Linker = store, linker })
	ada, bob := e.session(""), e.session("")

	ws := e.connectConsented(ada.Token)
	ws.send(msg("a1", "hello, I am ada@example.com"))
	ws.botReply()
	customer, err := linker.Link(ctx, channel.Identity{Channel: "web", UserID: ada.Conversation}, channel.Contact{Email: "ada@example.com"})
	require.NoError(t, err)
	ws.send(msg("a2", "my order"))
	ws.botReply()
	wsb := e.connectConsented(bob.Token)
	wsb.send(msg("b1", "hi from bob"))
	wsb.botReply()

	r, _, err := e.h.loadRecord(ctx, ada.Conversation)
	require.NoError(t, err)
	assert.Equal(t, customer, r.Customer)
	require.NotEmpty(t, r.Entries)

	require.NoError(t, privacy.NewEraser(privacy.StoreSources(store)...).Erase(ctx, customer))
	_, err = store.Get(ctx, transcriptKey(ada.Conversation))
	assert.ErrorIs(t, err, memory.ErrNotFound)
	_, err = store.Get(ctx, transcriptKey(bob.Conversation))
	assert.NoError(t, err, "Bob's transcript stays")
}
