package web

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenForgery(t *testing.T) {
	e := newEnv(t, nil)
	victim := e.session("")
	ws := e.connectConsented(victim.Token)
	ws.send(msg("v1", "my secret order 123"))
	ws.botReply()

	otherSecret, err := signToken([]byte("another-secret-another-secret-xx"), victim.Conversation, time.Now())
	require.NoError(t, err)
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"c":"` + victim.Conversation + `","iat":` + "1" + `}`))
	_, sig, _ := strings.Cut(e.session("").Token, ".")
	expired, err := signToken(testSecret, victim.Conversation, time.Now().Add(-31*24*time.Hour))
	require.NoError(t, err)

	tests := []struct {
		name string
		give string
	}{
		{"missing", ""},
		{"garbage", "not-a-token"},
		{"other secret", otherSecret},
		{"payload swapped under another signature", payload + "." + sig},
		{"expired", expired},
		{"too long", strings.Repeat("a", 600) + "." + sig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// WebSocket: an error frame, then close 1008.
			c, _, err := e.dial(nil)
			require.NoError(t, err)
			defer c.CloseNow()
			w := &wsClient{t: t, c: c}
			w.send(map[string]any{"type": "hello", "token": tt.give})
			f := w.read()
			assert.Equal(t, "error", f.Type)
			assert.Equal(t, codeInvalidToken, f.Code)
			_, _, err = c.Read(t.Context())
			assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(err))

			// SSE and POST: 401.
			for _, path := range []string{"/send", "/upload"} {
				code, errCode := e.post(path, tt.give, "application/json", strings.NewReader(`{"type":"message","id":"f1","text":"hi"}`), nil)
				assert.Equal(t, http.StatusUnauthorized, code, path)
				assert.Equal(t, codeInvalidToken, errCode, path)
			}
			req, err := http.NewRequest("GET", e.srv.URL+"/events", nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+tt.give)
			resp, err := e.srv.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

			// Session: a fresh conversation, never the victim's.
			if tt.give != "" {
				s := e.session(tt.give)
				assert.NotEqual(t, victim.Conversation, s.Conversation)
				assert.Empty(t, s.History)
			}
		})
	}
	for _, r := range e.rec.Rejections() {
		assert.ErrorIs(t, r, errInvalidToken)
	}
	assert.NotEmpty(t, e.rec.Rejections())
	assert.Len(t, e.history(victim.Conversation), 2, "the victim's conversation is untouched")
}

func TestFileLinkSignature(t *testing.T) {
	e := newEnv(t, nil)
	ws, _ := e.connect(e.session("").Token)
	ws.send(msg("c1", "card"))
	url := ws.botReply().Message.Attachments[0].URL
	i := strings.Index(url, "sig=")
	tests := []struct {
		name, give string
		want       int
	}{
		{"valid", url, http.StatusOK},
		{"no signature", url[:i], http.StatusUnauthorized},
		{"bad signature", url[:i] + "sig=AAAA", http.StatusUnauthorized},
		{"other file", strings.Replace(url, "files/", "files/x", 1), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.srv.Client().Get(e.srv.URL + "/" + tt.give)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tt.want, resp.StatusCode)
		})
	}
}

func TestCrossOrigin(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.AllowedOrigins = []string{"https://shop.example"} })
	tok := e.session("").Token
	body := `{"type":"message","id":"o1","text":"hello"}`
	tests := []struct {
		name     string
		origin   string
		site     string
		wantCode int
	}{
		{"foreign site", "https://evil.example", "cross-site", http.StatusForbidden},
		{"foreign origin without fetch metadata", "https://evil.example", "", http.StatusForbidden},
		{"allowed origin", "https://shop.example", "cross-site", http.StatusOK},
		{"same origin", e.srv.URL, "same-origin", http.StatusOK},
		{"no origin (not a browser)", "", "", http.StatusOK},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tt.origin != "" {
				hdr["Origin"] = tt.origin
			}
			if tt.site != "" {
				hdr["Sec-Fetch-Site"] = tt.site
			}
			b := strings.Replace(body, "o1", "o1"+string(rune('a'+i)), 1)
			code, errCode := e.post("/send", tok, "application/json", strings.NewReader(b), hdr)
			assert.Equal(t, tt.wantCode, code)
			if tt.wantCode == http.StatusForbidden {
				assert.Equal(t, codeOrigin, errCode)
			}

			// The WebSocket handshake checks the same list.
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			c, resp, err := e.dial(h)
			if tt.wantCode == http.StatusForbidden {
				require.Error(t, err)
				assert.Equal(t, http.StatusForbidden, resp.StatusCode)
				return
			}
			require.NoError(t, err)
			c.CloseNow()
		})
	}
	var origin int
	for _, r := range e.rec.Rejections() {
		if errors.Is(r, errOrigin) {
			origin++
		}
	}
	assert.Equal(t, 4, origin, "two refused POSTs and two refused handshakes")
}

func TestPreflight(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.AllowedOrigins = []string{"https://shop.example"} })
	for _, tt := range []struct {
		origin string
		want   int
	}{{"https://shop.example", http.StatusNoContent}, {"https://evil.example", http.StatusForbidden}} {
		req, err := http.NewRequest("OPTIONS", e.srv.URL+"/send", nil)
		require.NoError(t, err)
		req.Header.Set("Origin", tt.origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := e.srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, tt.want, resp.StatusCode, tt.origin)
		if tt.want == http.StatusNoContent {
			assert.Equal(t, tt.origin, resp.Header.Get("Access-Control-Allow-Origin"))
			assert.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), "Authorization")
		}
	}
}

func TestMalformedFrames(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxMessageBytes = 100 })
	ws, _ := e.connect(e.session("").Token)
	tests := []struct {
		name     string
		give     string
		wantCode string
	}{
		{"not JSON", `{"type":`, codeBadFrame},
		{"array", `[1,2]`, codeBadFrame},
		{"trailing data", `{"type":"ping"} {}`, codeBadFrame},
		{"no type", `{"id":"x"}`, codeBadFrame},
		{"unknown type", `{"type":"sticker","id":"x"}`, codeBadFrame},
		{"unknown field", `{"type":"message","id":"x","text":"hi","html":"<b>"}`, codeBadFrame},
		{"missing id", `{"type":"message","text":"hi"}`, codeBadFrame},
		{"bad id", `{"type":"message","id":"a b","text":"hi"}`, codeBadFrame},
		{"empty text", `{"type":"message","id":"x","text":"  "}`, codeBadFrame},
		{"text over the limit", `{"type":"message","id":"x","text":"` + strings.Repeat("a", 101) + `"}`, codeTooLarge},
		{"bad event name", `{"type":"track","id":"x","name":"Bad Name"}`, codeBadFrame},
		{"too many event fields", `{"type":"track","id":"x","name":"a","data":` + manyFields(17) + `}`, codeTooLarge},
		{"consent without answer", `{"type":"consent"}`, codeBadFrame},
		{"second hello", `{"type":"hello","token":"x"}`, codeBadFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws.sendRaw(websocket.MessageText, []byte(tt.give))
			f := ws.until("error")
			assert.Equal(t, tt.wantCode, f.Code, f.Message)
		})
	}
	t.Run("binary frame", func(t *testing.T) {
		ws.sendRaw(websocket.MessageBinary, []byte{1, 2, 3})
		assert.Equal(t, codeBadFrame, ws.until("error").Code)
	})
	// The connection survives bad frames.
	ws.send(msg("ok1", "still here"))
	assert.Equal(t, "you said: still here", ws.botReply().Message.Text)
	assert.Empty(t, e.rec.Turns()[1:], "no bad frame reached the bot")
}

func manyFields(n int) string {
	m := map[string]string{}
	for i := range n {
		m[string(rune('a'+i))] = "v"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestOversizedFrameClosesConnection(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxFrameBytes = 1024; c.MaxMessageBytes = 512 })
	tok := e.session("").Token
	ws, _ := e.connect(tok)
	ws.sendRaw(websocket.MessageText, []byte(`{"type":"message","id":"big","text":"`+strings.Repeat("a", 2000)+`"}`))
	_, _, err := ws.c.Read(t.Context())
	assert.Equal(t, websocket.StatusMessageTooBig, websocket.CloseStatus(err))

	code, errCode := e.post("/send", tok, "application/json", strings.NewReader(`{"type":"message","id":"big","text":"`+strings.Repeat("a", 2000)+`"}`), nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Equal(t, codeTooLarge, errCode)

	// The server reports the WebSocket's frame after closing it, so the
	// client may see the close first.
	tooLarge := func() int {
		n := 0
		for _, r := range e.rec.Rejections() {
			if errors.Is(r, errTooLarge) {
				n++
			}
		}
		return n
	}
	assert.Eventually(t, func() bool { return tooLarge() == 2 }, 5*time.Second, 5*time.Millisecond)
}

func TestRateLimit(t *testing.T) {
	// In a synctest bubble: time moves with time.Sleep, at once.
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.RateLimit = 1; c.RateBurst = 2 })
		tok := e.session("").Token
		ws, _ := e.connect(tok)
		ws.send(msg("r1", "one"))
		ws.botReply()
		ws.send(msg("r2", "two"))
		ws.botReply()
		ws.send(msg("r3", "three"))
		f := ws.until("error")
		assert.Equal(t, codeRateLimited, f.Code)
		assert.Equal(t, "r3", f.ID)

		// The limit is per conversation, whatever the transport.
		code, errCode := e.post("/send", tok, "application/json", strings.NewReader(`{"type":"message","id":"r4","text":"four"}`), nil)
		assert.Equal(t, http.StatusTooManyRequests, code)
		assert.Equal(t, codeRateLimited, errCode)

		// Another visitor is not affected.
		other, _ := e.connect(e.session("").Token)
		other.send(msg("o1", "hi"))
		assert.Equal(t, "you said: hi", other.botReply().Message.Text)

		time.Sleep(time.Second)
		ws.send(msg("r3", "three"))
		assert.Equal(t, "you said: three", ws.botReply().Message.Text)

		rs := e.rec.Rejections()
		require.Len(t, rs, 2)
		for _, r := range rs {
			assert.ErrorIs(t, r, errRateLimited)
			var re *rejectError
			require.ErrorAs(t, r, &re)
			assert.NotEmpty(t, re.ConversationID)
		}
	})
}

func TestUploads(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxUploadBytes = 1024 })
	tok := e.session("").Token
	ws, _ := e.connect(tok)
	tests := []struct {
		name      string
		id        string
		file      []byte
		fileName  string
		wantCode  int
		wantErr   string
		wantReply string
	}{
		{"png", "u1", pngBytes, "dot.png", http.StatusOK, "", "got image image/png 67 bytes"},
		{"text", "u2", []byte("order 123 receipt"), "r.txt", http.StatusOK, "", "got file text/plain 17 bytes"},
		{"pdf", "u3", []byte("%PDF-1.4\n%..."), "a.pdf", http.StatusOK, "", "got file application/pdf 13 bytes"},
		{"html posing as png", "u4", []byte("<html><script>alert(1)</script></html>"), "x.png", http.StatusUnsupportedMediaType, codeUploadType, ""},
		{"zip", "u5", []byte("PK\x03\x04rest-of-zip"), "a.zip", http.StatusUnsupportedMediaType, codeUploadType, ""},
		{"too large", "u6", append(append([]byte{}, pngBytes...), make([]byte, 1024)...), "big.png", http.StatusRequestEntityTooLarge, codeTooLarge, ""},
		{"empty", "u7", nil, "e.txt", http.StatusBadRequest, codeBadFrame, ""},
		{"missing id", "", pngBytes, "dot.png", http.StatusBadRequest, codeBadFrame, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			if tt.id != "" {
				require.NoError(t, mw.WriteField("id", tt.id))
			}
			fw, err := mw.CreateFormFile("file", tt.fileName)
			require.NoError(t, err)
			_, err = fw.Write(tt.file)
			require.NoError(t, err)
			require.NoError(t, mw.Close())
			code, errCode := e.post("/upload", tok, mw.FormDataContentType(), &body, nil)
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantErr, errCode)
			if tt.wantReply != "" {
				echo := ws.until("message")
				require.Equal(t, roleUser, echo.Entry.Role)
				require.Len(t, echo.Entry.Message.Attachments, 1)
				assert.Empty(t, echo.Entry.Message.Attachments[0].Data, "the echo carries a link, not the bytes")
				assert.Equal(t, tt.fileName, echo.Entry.Message.Attachments[0].Name)
				assert.Equal(t, tt.wantReply, ws.botReply().Message.Text)
			}
		})
	}
	code, errCode := e.post("/upload", tok, "application/json", strings.NewReader(`{}`), nil)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, codeBadFrame, errCode)
	var typ int
	for _, r := range e.rec.Rejections() {
		if errors.Is(r, errUploadType) {
			typ++
		}
	}
	assert.Equal(t, 2, typ)
}
