package web

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
)

func TestLinkFillsCustomerID(t *testing.T) {
	linker := channel.NewStoreLinker(memory.NewMap())
	e := newEnv(t, func(c *Config) { c.Linker = linker })
	ctx := context.Background()
	laptop, phone := e.session(""), e.session("")

	ws, _ := e.connect(laptop.Token)
	ws.send(msg("l1", "hello"))
	ws.botReply()

	// The application verified the visitor's e-mail and links it through
	// the same Linker; the next turn carries the customer.
	customer, err := linker.Link(ctx, channel.Identity{Channel: "web", UserID: laptop.Conversation}, channel.Contact{Email: "Ana@Example.com"})
	require.NoError(t, err)
	require.NotEmpty(t, customer)
	ws.send(msg("l2", "my order"))
	ws.botReply()

	// The same verified e-mail on another device is the same customer.
	again, err := linker.Link(ctx, channel.Identity{Channel: "web", UserID: phone.Conversation}, channel.Contact{Email: "ana@example.com"})
	require.NoError(t, err)
	assert.Equal(t, customer, again)
	ws2, _ := e.connect(phone.Token)
	ws2.send(map[string]any{"type": "track", "id": "p1", "name": "product_view"})
	ws2.botReply()

	turns := e.rec.Turns()
	require.Len(t, turns, 3)
	assert.Empty(t, turns[0].CustomerID, "not linked yet")
	assert.Equal(t, customer, turns[1].CustomerID)
	assert.Equal(t, customer, turns[2].CustomerID)
}
