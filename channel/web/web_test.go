package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

func TestWebSocketConversation(t *testing.T) {
	e := newEnv(t, nil)
	s := e.session("")
	require.NotEmpty(t, s.Conversation)
	assert.Equal(t, consentUnknown, s.Consent)
	assert.Empty(t, s.History)
	assert.NotEmpty(t, s.Notice)
	assert.NotEmpty(t, s.Question)

	ws, ready := e.connect(s.Token)
	assert.Equal(t, s.Conversation, ready.Conversation)

	ws.send(msg("m-1", "hello"))
	var got []string
	acks, replied := 0, false
	for !replied || acks == 0 {
		f := ws.read()
		switch {
		case f.Type == "ack":
			// The Bot runs the turn once it is accepted: the ack may
			// follow its first output.
			assert.Equal(t, "m-1", f.ID)
			acks++
			continue
		case f.Type == "message" && f.Entry.Role == roleBot:
			assert.Equal(t, "Hi! Want a discount?", f.Entry.Message.Text)
			assert.Equal(t, []parley.QuickReply{{Title: "Yes please", Payload: "yes"}, {Title: "No"}}, f.Entry.Message.QuickReplies)
			replied = true
		case f.Type == "read":
			assert.Equal(t, "m-1", f.ID)
		}
		got = append(got, f.Type)
	}
	assert.Equal(t, 1, acks)
	// Echo, read receipt (the bot engages), typing indicator, reply, and
	// the delivery receipt. The bot's own MarkRead does not repeat the
	// read receipt.
	if diff := cmp.Diff([]string{"message", "read", "typing", "message"}, got); diff != "" {
		t.Errorf("frames other than the ack (-want +got):\n%s", diff)
	}

	turns := e.rec.Turns()
	require.Len(t, turns, 1)
	assert.Equal(t, webChannel, turns[0].Channel)
	assert.Equal(t, s.Conversation, turns[0].ConversationID)
	assert.Equal(t, "m-1", turns[0].MessageID)
	assert.Equal(t, "hello", turns[0].Text())
}

func TestQuickReplyAndHumanPayload(t *testing.T) {
	tests := []struct {
		name        string
		give        map[string]any
		wantText    string
		wantPayload string
	}{
		{"typed", map[string]any{"type": "message", "id": "a1", "text": "hi there"}, "hi there", ""},
		{"quick reply", map[string]any{"type": "message", "id": "a2", "text": "Yes please", "payload": "yes"}, "yes", "yes"},
		{"human button", map[string]any{"type": "message", "id": "a3", "text": humanText, "payload": humanPayload}, "human", "human"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			ws, _ := e.connect(e.session("").Token)
			ws.send(tt.give)
			ws.botReply()
			turns := e.rec.Turns()
			require.Len(t, turns, 1)
			assert.Equal(t, tt.wantText, turns[0].Text())
			extras := turns[0].Message.Extras[extrasKey].(map[string]any)
			assert.Equal(t, tt.give["text"], extras["text"])
			assert.Equal(t, tt.wantPayload, extras["payload"])
		})
	}
}

func TestCardsAndInlineImages(t *testing.T) {
	e := newEnv(t, nil)
	ws, _ := e.connect(e.session("").Token)
	ws.send(msg("c1", "card"))
	r := ws.botReply()
	require.Len(t, r.Message.Cards, 1)
	assert.Equal(t, "Trail Runner", r.Message.Cards[0].Title)
	require.Len(t, r.Message.Attachments, 1)
	a := r.Message.Attachments[0]
	assert.Empty(t, a.Data, "inline data is replaced by a link")
	require.True(t, strings.HasPrefix(a.URL, "files/"), a.URL)

	resp, err := e.srv.Client().Get(e.srv.URL + "/" + a.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "image/png", resp.Header.Get("Content-Type"))
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
}

func TestMultipleTabsSeeEachOther(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.session("").Token
	a, _ := e.connect(tok)
	b, _ := e.connect(tok)
	a.send(msg("x1", "from tab a"))
	f := b.until("message")
	assert.Equal(t, roleUser, f.Entry.Role)
	assert.Equal(t, "from tab a", f.Entry.Message.Text)
	assert.Equal(t, "you said: from tab a", b.botReply().Message.Text)
}

func TestSSEFallback(t *testing.T) {
	e := newEnv(t, nil)
	s := e.session("")
	frames := e.openSSE(s.Token)
	f := frames.next()
	require.Equal(t, "ready", f.Type)

	code, errCode := e.post("/send", s.Token, "application/json", strings.NewReader(`{"type":"message","id":"s1","text":"hello"}`), nil)
	require.Equal(t, http.StatusOK, code, errCode)
	// The Bot may start the turn before the ack is written (the ack
	// follows Enqueue), so the ack is checked apart from the rest.
	var types []string
	acks := 0
	for f := frames.next(); ; f = frames.next() {
		if f.Type == "ack" {
			acks++
			continue
		}
		types = append(types, f.Type)
		if f.Type == "message" && f.Entry.Role == roleBot {
			assert.Equal(t, "Hi! Want a discount?", f.Entry.Message.Text)
			break
		}
	}
	if diff := cmp.Diff([]string{"message", "read", "typing", "message"}, types); diff != "" {
		t.Errorf("frames other than the ack (-want +got):\n%s", diff)
	}
	if acks == 0 {
		require.Equal(t, "ack", frames.next().Type, "the message is acknowledged")
	}

	// Errors come back in the POST response.
	code, errCode = e.post("/send", s.Token, "application/json", strings.NewReader(`{"type":"nope"}`), nil)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, codeBadFrame, errCode)
}

func TestSend(t *testing.T) {
	e := newEnv(t, nil)
	s := e.session("")
	ctx := context.Background()
	to := parley.Address{Channel: "web", ConversationID: s.Conversation}

	// Nobody is connected: the message waits for the visitor, once even
	// if the outbox sends it again.
	require.NoError(t, e.h.Sender().Send(ctx, to, parley.Message{ID: "in-1/0", Text: "An agent replied: it ships today."}))
	require.NoError(t, e.h.Sender().Send(ctx, to, parley.Message{ID: "in-1/0", Text: "An agent replied: it ships today."}))
	ws, _ := e.connect(s.Token)
	assert.Equal(t, "An agent replied: it ships today.", ws.botReply().Message.Text)

	// Connected: delivered at once; a repeated ID is dropped.
	require.NoError(t, e.h.Sender().Send(ctx, to, parley.Message{ID: "in-2/0", Text: "Your order shipped."}))
	require.NoError(t, e.h.Sender().Send(ctx, to, parley.Message{ID: "in-2/0", Text: "Your order shipped."}))
	require.NoError(t, e.h.Sender().Send(ctx, to, parley.Text("Anything else?")))
	assert.Equal(t, "Your order shipped.", ws.botReply().Message.Text)
	assert.Equal(t, "Anything else?", ws.botReply().Message.Text, "the repeat was dropped")

	require.Error(t, e.h.Sender().Send(ctx, parley.Address{Channel: "web"}, parley.Text("to nobody")))
}

func TestTrackSignals(t *testing.T) {
	// In a synctest bubble: time moves with time.Sleep, at once.
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, nil)
		ws, _ := e.connect(e.session("").Token)
		ws.keepReading() // answers pings through the hours below
		track := func(id, product string) string {
			ws.send(map[string]any{"type": "track", "id": id, "name": "product_view", "data": map[string]string{"id": product}})
			return ws.botReply().Message.Text
		}
		assert.Equal(t, "signal product_view count=1", track("t1", "sku-1"))
		time.Sleep(time.Hour)
		assert.Equal(t, "signal product_view count=2", track("t2", "sku-1"))
		assert.Equal(t, "signal product_view count=1", track("t3", "sku-2"))
		time.Sleep(time.Hour)
		assert.Equal(t, "signal product_view count=3", track("t4", "sku-1"))
		time.Sleep(24 * time.Hour)
		assert.Equal(t, "signal product_view count=1", track("t5", "sku-1"), "views older than 24h do not count")

		turns := e.rec.Turns()
		require.Len(t, turns, 5)
		sig := turns[0].Signal
		require.NotNil(t, sig)
		if diff := cmp.Diff(&parley.Signal{Name: "product_view", Data: map[string]string{"id": "sku-1", "count_24h": "1"}}, sig); diff != "" {
			t.Errorf("signal (-want +got):\n%s", diff)
		}
		assert.Empty(t, turns[0].Text())
	})
}

// storages runs a test with transcripts kept in memory and in a
// memory.Store.
var storages = []struct {
	name string
	mod  func(*Config)
}{
	{"in memory", nil},
	{"in a Store", func(c *Config) { c.Store = memory.NewMap() }},
}

func TestHistoryOnReconnect(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) { testHistoryOnReconnect(t, st.mod) })
	}
}

func testHistoryOnReconnect(t *testing.T, mod func(*Config)) {
	e := newEnv(t, mod)
	s := e.session("")
	ws := e.connectConsented(s.Token)
	ws.send(msg("h1", "hello"))
	ws.botReply()
	ws.send(map[string]any{"type": "message", "id": "h2", "text": "Yes please", "payload": "yes"})
	ws.botReply()
	require.NoError(t, ws.c.Close(websocket.StatusNormalClosure, "reload"))

	// Reload: same token, new session call and connection.
	s2 := e.session(s.Token)
	assert.Equal(t, s.Conversation, s2.Conversation)
	assert.Equal(t, consentGranted, s2.Consent)
	want := []string{"user:hello", "bot:Hi! Want a discount?", "user:Yes please", "bot:you said: yes"}
	assert.Equal(t, want, summarize(s2.History))

	ws2, ready := e.connect(s2.Token)
	assert.Equal(t, want, summarize(ready.History))

	// A resend of h2 after the reconnect is acknowledged, not repeated.
	ws2.send(map[string]any{"type": "message", "id": "h2", "text": "Yes please", "payload": "yes"})
	assert.Equal(t, "h2", ws2.until("ack").ID)
	ws2.send(map[string]any{"type": "ping"})
	ws2.send(msg("h3", "bye"))
	assert.Equal(t, "you said: bye", ws2.botReply().Message.Text)
	assert.Equal(t, append(want, "user:bye", "bot:you said: bye"), summarize(e.history(s.Conversation)))
	assert.Len(t, e.rec.Turns(), 3, "the Bot drops the resent message")
}

func TestConsentGating(t *testing.T) {
	tests := []struct {
		name    string
		consent []bool // answers given before the second message
		want    []string
	}{
		{"no answer", nil, nil},
		{"declined", []bool{false}, nil},
		{"granted after the first message", []bool{true}, []string{"user:second", "bot:you said: second"}},
		{"granted then declined", []bool{true, false}, nil},
	}
	for _, st := range storages {
		for _, tt := range tests {
			t.Run(st.name+"/"+tt.name, func(t *testing.T) {
				e := newEnv(t, st.mod)
				s := e.session("")
				ws, _ := e.connect(s.Token)
				ws.send(msg("g1", "first"))
				ws.botReply()
				for _, g := range tt.consent {
					ws.send(map[string]any{"type": "consent", "granted": g})
					ws.until("consent")
				}
				ws.send(msg("g2", "second"))
				ws.botReply()
				s2 := e.session(s.Token)
				assert.Equal(t, tt.want, summarize(s2.History))
				assert.Equal(t, tt.want, summarize(e.history(s.Conversation)))
			})
		}
	}
}

func summarize(es []entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, string(e.Role)+":"+e.Message.Text)
	}
	return out
}

func TestWidgetAssets(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		path, wantType, wantBody string
	}{
		{"/widget.js", "text/javascript; charset=utf-8", "parley.track"},
		{"/widget.css", "text/css; charset=utf-8", ".launcher"},
		{"/demo", "text/html; charset=utf-8", `<script src="widget.js"`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := e.srv.Client().Get(e.srv.URL + tt.path)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, tt.wantType, resp.Header.Get("Content-Type"))
			b := new(strings.Builder)
			_, err = io.Copy(b, resp.Body)
			require.NoError(t, err)
			assert.Contains(t, b.String(), tt.wantBody)
		})
	}
}

func TestCloseClosesConnections(t *testing.T) {
	e := newEnv(t, nil)
	ws, _ := e.connect(e.session("").Token)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	readErr := make(chan error, 1)
	go func() {
		_, _, err := ws.c.Read(ctx)
		readErr <- err
	}()
	require.NoError(t, e.h.Close(ctx))
	assert.Equal(t, websocket.StatusGoingAway, websocket.CloseStatus(<-readErr))
	_, resp, err := e.dial(nil)
	require.Error(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
}

func TestCloseDoesNotWaitForAHello(t *testing.T) {
	// A visitor's connection is open but has not said hello yet (a slow
	// network, or a reconnect at the moment of shutdown): Close ends it
	// instead of waiting out the hello timeout.
	e := newEnv(t, nil)
	c, _, err := e.dial(nil)
	require.NoError(t, err)
	defer c.CloseNow()
	ctx, cancel := context.WithTimeout(context.Background(), helloTimeout/2)
	defer cancel()
	require.NoError(t, e.h.Close(ctx))
	_, _, err = c.Read(ctx)
	require.Error(t, err, "the connection is closed")
	require.NoError(t, ctx.Err(), "closed by Close, not by the test's deadline")
}

func TestNewHandlerConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		give Config
	}{
		{"short secret", Config{Secret: []byte("short")}},
		{"wildcard origin", Config{Secret: testSecret, AllowedOrigins: []string{"*"}}},
		{"origin with path", Config{Secret: testSecret, AllowedOrigins: []string{"https://a.example/x"}}},
		{"negative limit", Config{Secret: testSecret, MaxUploadBytes: -1}},
		{"upload type with params", Config{Secret: testSecret, UploadTypes: []string{"text/plain; charset=utf-8"}}},
		{"message over frame", Config{Secret: testSecret, MaxMessageBytes: 100, MaxFrameBytes: 10}},
		{"empty translation language", Config{Secret: testSecret, Translations: map[string]Labels{"": {}}}},
		{"translation language with a space", Config{Secret: testSecret, Translations: map[string]Labels{"es es": {}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := New(tt.give)
			assert.Error(t, err)
			assert.Nil(t, h)
		})
	}
}

func TestBotErrorIsReported(t *testing.T) {
	rec := &recorder{}
	boom := errors.New("store down")
	h, err := New(Config{Secret: testSecret, Observer: rec})
	require.NoError(t, err)
	e := &env{t: t, h: h, rec: rec}
	e.srv = httptestServer(t, h, h.Handler(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return boom })))
	ws, _ := e.connect(e.session("").Token)
	ws.send(msg("e1", "hi"))
	f := ws.until("error")
	assert.Equal(t, codeInternal, f.Code)
	assert.NotContains(t, f.Message, "store down", "internal errors are not shown to visitors")
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var found bool
	for _, ev := range rec.events {
		if ev.Kind == eventTurnFailed {
			found = errors.Is(ev.Err, boom)
		}
	}
	assert.True(t, found, "eventTurnFailed carries the bot's error")
}

func TestReadReceiptWithoutMarkRead(t *testing.T) {
	h, err := New(Config{Secret: testSecret})
	require.NoError(t, err)
	e := &env{t: t, h: h, rec: &recorder{}}
	e.srv = httptestServer(t, h, h.Handler(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("ok"))
	})))
	ws, _ := e.connect(e.session("").Token)

	ws.send(msg("m1", "hi"))
	var types []string
	for f := ws.read(); ; f = ws.read() {
		types = append(types, f.Type)
		if f.Type == "read" {
			assert.Equal(t, "m1", f.ID)
		}
		if f.Type == "message" && f.Entry.Role == roleBot {
			break
		}
	}
	assert.Equal(t, []string{"message", "ack", "read", "message"}, types)

	// A page event has no bubble to mark read.
	ws.send(map[string]any{"type": "track", "id": "t1", "name": "product_view"})
	types = nil
	for f := ws.read(); ; f = ws.read() {
		types = append(types, f.Type)
		if f.Type == "message" {
			break
		}
	}
	assert.Equal(t, []string{"ack", "message"}, types)
}

func TestLabels(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.Labels = Labels{Placeholder: "Escribe un mensaje…", Human: "Hablar con una persona"}
	})
	s := e.session("")
	assert.Equal(t, Labels{Placeholder: "Escribe un mensaje…", Human: "Hablar con una persona"}, s.Labels)
}

func TestTranslations(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.Translations = map[string]Labels{"es": {Placeholder: "Escribe un mensaje…"}, "pt-BR": {Send: "Enviar"}}
	})
	s := e.session("")
	assert.Equal(t, map[string]Labels{"es": {Placeholder: "Escribe un mensaje…"}, "pt-br": {Send: "Enviar"}}, s.Translations,
		"keys in lower case, as the widget looks them up")
}

// A bot message that says who answers (Extras["web"]["human"]) tells the
// widget so on its entry, live and in the kept history; anything else
// says nothing.
func TestWhoAnswers(t *testing.T) {
	e := newEnv(t, nil)
	s := e.session("")
	ctx := context.Background()
	to := parley.Address{Channel: "web", ConversationID: s.Conversation}
	ws, _ := e.connect(s.Token)
	for _, extras := range []map[string]any{
		{"web": map[string]any{"human": "waiting"}},
		{"web": map[string]string{"human": "agent"}},
		{"web": map[string]any{"human": "bot"}},
		{"web": map[string]any{"human": "someone"}},
		{"whatsapp": map[string]any{"human": "agent"}},
		nil,
	} {
		require.NoError(t, e.h.Sender().Send(ctx, to, parley.Message{Text: "hi", Extras: extras}))
	}
	var got []string
	for range 6 {
		got = append(got, ws.botReply().Human)
	}
	assert.Equal(t, []string{"waiting", "agent", "bot", "", "", ""}, got)
}
