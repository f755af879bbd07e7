package web

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readFlags lists the visitor's entries of a history as "text:read" or
// "text:unread".
func readFlags(hist []entry) []string {
	var out []string
	for _, e := range hist {
		if e.Role == roleUser {
			s := "unread"
			if e.Read {
				s = "read"
			}
			out = append(out, e.Message.Text+":"+s)
		}
	}
	return out
}

// The kept history says which of the visitor's messages show as read, so
// that a reload shows them so: read when the bot answers, and when a
// read receipt comes with no answer (an agent read it), with the
// transcript in the Chat's memory or in a Store.
func TestHistoryKeepsReadReceipts(t *testing.T) {
	for name, store := range map[string]memory.Store{"memory": nil, "store": memory.NewMap()} {
		t.Run(name, func(t *testing.T) {
			answered := newEnv(t, func(c *Config) { c.Store = store })
			ws := answered.connectConsented(answered.session("").Token)
			ws.send(msg("r1", "hello"))
			ws.botReply()
			conv := answered.rec.Turns()[0].ConversationID
			assert.Equal(t, []string{"hello:read"}, readFlags(answered.history(conv)))

			// A bot that says nothing: the message is delivered, not read,
			// until an agent's read receipt.
			h, err := New(Config{Secret: testSecret, Store: store})
			require.NoError(t, err)
			quiet := &env{t: t, h: h, rec: &recorder{}}
			quiet.srv = httptestServer(t, h, h.Handler(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil })))
			s := quiet.session("")
			qs := quiet.connectConsented(s.Token)
			qs.send(msg("q1", "anyone there?"))
			qs.until("ack")
			assert.Equal(t, []string{"anyone there?:unread"}, readFlags(quiet.history(s.Conversation)))
			require.NoError(t, chatSender{h}.MarkRead(t.Context(), parley.Address{Channel: "web", ConversationID: s.Conversation}, "q1"))
			assert.Equal(t, "q1", qs.until("read").ID)
			assert.Equal(t, []string{"anyone there?:read"}, readFlags(quiet.history(s.Conversation)))
			assert.Equal(t, []string{"anyone there?:read"}, readFlags(quiet.session(s.Token).History), "the session's history, as a reload gets it")
		})
	}
}
