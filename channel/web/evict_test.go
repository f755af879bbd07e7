package web

import (
	"testing"
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
	e := newEnv(t, nil)
	gone, stays := e.session(""), e.session("")
	for _, s := range []sessionResponse{gone, stays} {
		ws, _ := e.connect(s.Token)
		ws.send(map[string]any{"type": "consent", "granted": true})
		ws.until("consent")
		ws.send(msg("i1", "hello"))
		ws.botReply()
		if s.Conversation == gone.Conversation {
			require.NoError(t, ws.c.Close(websocket.StatusNormalClosure, "bye"))
		}
	}
	require.Eventually(t, func() bool { return !e.h.Connected(gone.Conversation) }, 5*time.Second, 10*time.Millisecond)

	e.clk.Add(23 * time.Hour)
	e.h.lookup("trigger-sweep", false)
	assert.Len(t, e.history(gone.Conversation), 2, "kept within IdleTTL")

	e.clk.Add(2 * time.Hour)
	e.h.lookup("trigger-sweep", false)
	assert.Empty(t, e.history(gone.Conversation), "forgotten after IdleTTL without a connection")
	assert.Len(t, e.history(stays.Conversation), 2, "a connected conversation is kept")
}
