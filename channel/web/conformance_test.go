package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

// These tests add web-specific checks next to the shared suite
// (TestChannelConformance): visitors see only their own replies, a forged
// token does not poison de-duplication, POSTs after Close get 503, and a
// resend after a failed turn is handled.

func TestConformanceTextRoundTripOverPOST(t *testing.T) {
	e := newEnv(t, nil)
	a, b := e.session(""), e.session("")
	streamA, streamB := e.openSSE(a.Token), e.openSSE(b.Token)
	require.Equal(t, "ready", streamA.next().Type)
	require.Equal(t, "ready", streamB.next().Type)
	for _, m := range []struct{ tok, id, text string }{{a.Token, "p1", "hello"}, {a.Token, "p2", "again"}, {b.Token, "p3", "other"}} {
		code, errCode := e.post("/send", m.tok, "application/json",
			strings.NewReader(`{"type":"message","id":"`+m.id+`","text":"`+m.text+`"}`), nil)
		require.Equal(t, http.StatusOK, code, errCode)
	}
	botReplies := func(s *sseStream, n int) []string {
		var replies []string
		for len(replies) < n {
			if f := s.next(); f.Type == "message" && f.Entry.Role == roleBot {
				replies = append(replies, f.Entry.Message.Text)
			}
		}
		return replies
	}
	assert.Equal(t, []string{"Hi! Want a discount?", "you said: again"}, botReplies(streamA, 2), "visitor A sees only A's replies")
	assert.Equal(t, []string{"you said: other"}, botReplies(streamB, 1))

	turns := map[string]*parley.Turn{}
	for _, tn := range e.rec.Turns() {
		turns[tn.MessageID] = tn
		assert.Equal(t, webChannel, tn.Channel)
		assert.False(t, tn.Time.IsZero())
	}
	require.Len(t, turns, 3)
	assert.Equal(t, turns["p1"].ConversationID, turns["p2"].ConversationID, "one visitor, one conversation")
	assert.NotEqual(t, turns["p1"].ConversationID, turns["p3"].ConversationID)
}

func TestConformanceDeduplicateAndForgedThenGenuine(t *testing.T) {
	e := newEnv(t, nil)
	s := e.session("")
	forged := s.Token[:len(s.Token)-2] + "AA"
	body := `{"type":"message","id":"d1","text":"once"}`
	code, _ := e.post("/send", forged, "application/json", strings.NewReader(body), nil)
	assert.Equal(t, http.StatusUnauthorized, code)
	stream := e.openSSE(s.Token)
	require.Equal(t, "ready", stream.next().Type)
	for range 2 {
		code, errCode := e.post("/send", s.Token, "application/json", strings.NewReader(body), nil)
		require.Equal(t, http.StatusOK, code, errCode)
	}
	// A later message's reply follows any run of the redelivery: turns run
	// in order.
	code, errCode := e.post("/send", s.Token, "application/json", strings.NewReader(`{"type":"message","id":"d2","text":"later"}`), nil)
	require.Equal(t, http.StatusOK, code, errCode)
	for {
		if f := stream.next(); f.Type == "message" && f.Entry.Role == roleBot && f.Entry.Message.Text == "you said: later" {
			break
		}
	}
	assert.Len(t, e.rec.Turns(), 2, "a forgery does not poison de-duplication; a redelivery is dropped")
}

func TestConformanceAfterClose(t *testing.T) {
	e := newEnv(t, nil)
	s := e.session("")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, e.h.Close(ctx))
	for _, path := range []string{"/send", "/upload"} {
		code, errCode := e.post(path, s.Token, "application/json", strings.NewReader(`{"type":"message","id":"late","text":"late"}`), nil)
		assert.Equal(t, http.StatusServiceUnavailable, code, path)
		assert.Equal(t, "closed", errCode, path)
	}
	assert.Empty(t, e.rec.Turns())
}

func TestResendAfterFailedTurnIsHandled(t *testing.T) {
	var calls int
	var mu sync.Mutex
	bot := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			return errors.New("store briefly down")
		}
		return w.Reply(ctx, parley.Text("handled "+tn.MessageID))
	})
	h, err := New(Config{Secret: testSecret})
	require.NoError(t, err)
	e := &env{t: t, h: h, rec: &recorder{}}
	e.srv = httptestServer(t, h, h.Handler(bot))
	ws, _ := e.connect(e.session("").Token)
	ws.send(msg("r1", "hi"))
	assert.Equal(t, codeInternal, ws.until("error").Code)
	ws.send(msg("r1", "hi"))
	assert.Equal(t, "handled r1", ws.botReply().Message.Text)
	ws.send(msg("r1", "hi"))
	assert.Equal(t, "r1", ws.until("ack").ID)
	ws.send(msg("r2", "next"))
	assert.Equal(t, "handled r2", ws.botReply().Message.Text)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 3, calls, "failed once, handled once, the third copy dropped")
}
