package web

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestIdleConversationsAreForgotten(t *testing.T) {
	// In a synctest bubble: time moves with time.Sleep, at once.
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, nil)
		gone, stays := e.session(""), e.session("")
		for _, s := range []sessionResponse{gone, stays} {
			ws := e.connectConsented(s.Token)
			ws.send(msg("i1", "hello"))
			ws.botReply()
			if s.Conversation == gone.Conversation {
				require.NoError(t, ws.c.Close(websocket.StatusNormalClosure, "bye"))
			} else {
				ws.keepReading() // stays connected through the hours below
			}
		}
		synctest.Wait() // the handler has seen the close
		require.False(t, e.connected(gone.Conversation))

		time.Sleep(23 * time.Hour)
		e.h.lookup("trigger-sweep", false)
		assert.Len(t, e.history(gone.Conversation), 2, "kept within IdleTTL")

		time.Sleep(2 * time.Hour)
		e.h.lookup("trigger-sweep", false)
		assert.Empty(t, e.history(gone.Conversation), "forgotten after IdleTTL without a connection")
		assert.Len(t, e.history(stays.Conversation), 2, "a connected conversation is kept")
	})
}

func TestMaxConversations(t *testing.T) {
	// In a synctest bubble: time moves with time.Sleep, at once.
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.MaxConversations = 2 })
		first, second, third := e.session(""), e.session(""), e.session("")
		a, _ := e.connect(first.Token)
		_, _ = e.connect(second.Token)

		// A third conversation is refused, on every transport.
		c, _, err := e.dial(nil)
		require.NoError(t, err)
		defer c.CloseNow()
		w := &wsClient{t: t, c: c}
		w.send(map[string]any{"type": "hello", "token": third.Token})
		assert.Equal(t, codeRateLimited, w.read().Code)
		_, _, err = c.Read(t.Context())
		assert.Equal(t, websocket.StatusTryAgainLater, websocket.CloseStatus(err), "the widget backs off instead of starting over")
		code, errCode := e.post("/send", third.Token, "application/json", strings.NewReader(`{"type":"message","id":"x","text":"hi"}`), nil)
		assert.Equal(t, 429, code)
		assert.Equal(t, codeRateLimited, errCode)

		// Existing ones go on; once one has been idle for IdleTTL, there is
		// room again.
		a.send(msg("a1", "still here"))
		assert.Equal(t, "you said: still here", a.botReply().Message.Text)
		require.NoError(t, a.c.Close(websocket.StatusNormalClosure, "bye"))
		synctest.Wait() // the handler has seen the close
		require.False(t, e.connected(first.Conversation))
		time.Sleep(25 * time.Hour)
		code, errCode = e.post("/send", third.Token, "application/json", strings.NewReader(`{"type":"message","id":"x","text":"hi"}`), nil)
		assert.Equal(t, 200, code, errCode)
	})
}
