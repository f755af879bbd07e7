package web

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
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

// signIn is a Linker whose answer the test changes, as an application's
// login does when a visitor signs in as someone else.
type signIn struct {
	mu sync.Mutex
	as string
}

func (l *signIn) set(customer string) {
	l.mu.Lock()
	l.as = customer
	l.mu.Unlock()
}

func (l *signIn) Resolve(context.Context, channel.Identity) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.as == "" {
		return "", channel.ErrNotLinked
	}
	return l.as, nil
}

func (l *signIn) Link(context.Context, channel.Identity, channel.Contact) (string, error) {
	return "", errors.New("not in this test")
}

func TestSigningInAsSomeoneElseRelinksTheConversation(t *testing.T) {
	for _, kept := range []string{"store", "memory"} {
		t.Run(kept, func(t *testing.T) {
			linker := &signIn{}
			store := memory.NewMap()
			e := newEnv(t, func(c *Config) {
				c.Linker = linker
				if kept == "store" {
					c.Store = store
				}
			})
			s := e.session("")
			ws := e.connectConsented(s.Token)
			ws.send(msg("m0", "hi before signing in"))
			ws.botReply()
			linker.set("cus_ada")
			ws.send(msg("m1", "I am Ada"))
			ws.botReply()
			assert.Len(t, e.history(s.Conversation), 4, "signing in keeps the anonymous visitor's messages")

			linker.set("cus_ben")
			ws.send(msg("m2", "I am Ben"))
			ws.botReply()

			turns := e.rec.Turns()
			require.Len(t, turns, 3)
			assert.Equal(t, []string{"", "cus_ada", "cus_ben"}, []string{turns[0].CustomerID, turns[1].CustomerID, turns[2].CustomerID})
			var texts []string
			for _, h := range e.history(s.Conversation) {
				texts = append(texts, h.Message.Text)
			}
			assert.Equal(t, []string{"I am Ben", "you said: I am Ben"}, texts, "Ada's messages are not Ben's")
			if kept == "store" {
				rec, err := store.Get(context.Background(), transcriptKey(s.Conversation))
				require.NoError(t, err)
				var r transcriptRecord
				require.NoError(t, json.Unmarshal(rec.Value, &r))
				assert.Equal(t, "cus_ben", r.Customer, "erasing Ben finds the transcript")
			}
		})
	}
}
