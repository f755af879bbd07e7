package messenger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
)

const secret = "app-secret"

func platform(t testing.TB) *channeltest.Server {
	return channeltest.NewServer(t, channeltest.ServerConfig{
		Decode: func(r *http.Request, body []byte) (channeltest.Outbound, bool) {
			var m struct {
				Recipient struct{ ID string } `json:"recipient"`
				Message   *struct {
					Text         string `json:"text"`
					QuickReplies []struct {
						Title string `json:"title"`
					} `json:"quick_replies"`
				} `json:"message"`
			}
			if r.URL.Path != "/me/messages" || r.Header.Get("Authorization") != "Bearer page-token" ||
				json.Unmarshal(body, &m) != nil || m.Message == nil {
				return channeltest.Outbound{}, false
			}
			o := channeltest.Outbound{To: m.Recipient.ID, Text: m.Message.Text}
			for _, q := range m.Message.QuickReplies {
				o.Choices = append(o.Choices, q.Title)
			}
			return o, true
		},
		Success: func(w http.ResponseWriter, r *http.Request, seq int) {
			w.Header().Set("Content-Type", "application/json")
			if seq == 0 {
				fmt.Fprint(w, `{"result":"success"}`)
				return
			}
			fmt.Fprintf(w, `{"recipient_id":"1254477777772919","message_id":"m_out%d"}`, seq)
		},
		Failure: func(w http.ResponseWriter, r *http.Request, f channeltest.Failure) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(f.Status)
			code := 100
			if f.Status == 429 {
				code = 613
			}
			fmt.Fprintf(w, `{"error":{"message":%q,"type":"OAuthException","code":%d,"error_subcode":2018001,"fbtrace_id":"x"}}`, f.Reason, code)
		},
	})
}

func notification(object string, events ...string) []byte {
	return []byte(fmt.Sprintf(`{"object":%q,"entry":[{"id":"PAGE1","time":1700000000000,"messaging":[%s]}]}`, object, joinComma(events)))
}

func joinComma(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(x)
	}
	return b.String()
}

func textEvent(in channeltest.Inbound) string {
	t, _ := json.Marshal(in.Text)
	return fmt.Sprintf(`{"sender":{"id":%q},"recipient":{"id":"PAGE1"},"timestamp":1700000000000,"message":{"mid":%q,"text":%s}}`, in.From, "m_"+in.ID, t)
}

func request(body []byte, s channeltest.Signing) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/messenger", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	switch s {
	case channeltest.Signed:
		r.Header.Set("X-Hub-Signature-256", "sha256="+channel.HMACHex(sha256.New, []byte(secret), body))
	case channeltest.Forged:
		r.Header.Set("X-Hub-Signature-256", "sha256="+channel.HMACHex(sha256.New, []byte("nope"), body))
	}
	return r
}

func newAdapter(t testing.TB, platformName string, srv *channeltest.Server, h parley.Handler, o channel.Options) *Adapter {
	a, err := New(Config{Platform: platformName, PageAccessToken: "page-token", AppSecret: secret, VerifyToken: "vt", BaseURL: srv.URL, Options: o}, h)
	require.NoError(t, err)
	return a
}

func TestConformance(t *testing.T) {
	for _, p := range []struct{ name, object string }{{Messenger, "page"}, {Instagram, "instagram"}} {
		t.Run(p.name, func(t *testing.T) {
			channeltest.Run(t, channeltest.Harness{
				Channel: p.name,
				New: func(t *testing.T, h parley.Handler) *channeltest.Env {
					srv := platform(t)
					a := newAdapter(t, p.name, srv, h, channel.Options{MaxBody: 32 << 10})
					t.Cleanup(func() { _ = a.Close(context.Background()) })
					return &channeltest.Env{Webhook: a, Platform: srv, MaxBody: 32 << 10, Close: a.Close, Request: request,
						Encode: func(in channeltest.Inbound) []byte { return notification(p.object, textEvent(in)) }}
				},
			})
		})
	}
}

type collect struct {
	mu    sync.Mutex
	turns []*parley.Turn
	reply *parley.Message
}

func (c *collect) HandleTurn(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	c.mu.Lock()
	c.turns = append(c.turns, t)
	c.mu.Unlock()
	if c.reply == nil {
		return nil
	}
	return w.Reply(ctx, *c.reply)
}

func TestInboundKinds(t *testing.T) {
	var mu sync.Mutex
	var unsupported []string
	obs := parley.ObserverFunc(func(ctx context.Context, e parley.Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Kind == channel.EventUnsupported {
			unsupported = append(unsupported, e.Attrs["type"])
		}
	})
	h := &collect{}
	a := newAdapter(t, Messenger, platform(t), h, channel.Options{Observer: obs})
	body := notification("page",
		`{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000000000,"message":{"mid":"m_1","text":"Yes","quick_reply":{"payload":"keep_plan"}}}`,
		`{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000001000,"postback":{"title":"Talk to a human","payload":"human","mid":"m_2"}}`,
		`{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000002000,"message":{"mid":"m_3","sticker_id":369239263222822,"attachments":[{"type":"image","payload":{"url":"https://x/s.png","sticker_id":369239263222822}}]}}`,
		`{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000003000,"message":{"mid":"m_4","attachments":[{"type":"location","payload":{"coordinates":{"lat":1,"long":2}}}]}}`,
		`{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000004000,"reaction":{"mid":"m_out1","action":"react","reaction":"love","emoji":"❤"}}`,
		`{"sender":{"id":"PAGE1"},"recipient":{"id":"U1"},"timestamp":1700000005000,"message":{"mid":"m_5","text":"echo","is_echo":true}}`,
		`{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000006000,"message":{"mid":"m_6","text":"receipt","attachments":[{"type":"image","payload":{"url":"https://x/r.jpg"}}]}}`,
	)
	rr := httptest.NewRecorder()
	a.ServeHTTP(rr, request(body, channeltest.Signed))
	require.Equal(t, 200, rr.Code)
	require.NoError(t, a.Close(context.Background()))
	var texts []string
	for _, tn := range h.turns {
		texts = append(texts, tn.Text())
		assert.Equal(t, "messenger:PAGE1:U1", tn.ConversationID)
	}
	assert.Equal(t, []string{"keep_plan", "human", "receipt"}, texts)
	assert.Equal(t, []parley.Attachment{{Kind: parley.Image, URL: "https://x/r.jpg"}}, h.turns[2].Message.Attachments)
	assert.Equal(t, []string{"sticker", "location", "reaction"}, unsupported)
}

func TestCardsQuickRepliesAndActions(t *testing.T) {
	srv := platform(t)
	h := &collect{reply: &parley.Message{Text: "Our plans", QuickReplies: []parley.QuickReply{{Title: "Cancel", Payload: "cancel"}},
		Cards: []parley.Card{{Title: "Pro", Subtitle: "$10/mo", ImageURL: "https://x/p.png", URL: "https://x/pro",
			Buttons: []parley.Button{{Title: "Choose", Payload: "plan_pro"}, {Title: "Details", URL: "https://x/pro#d"}}}}}}
	a := newAdapter(t, Messenger, srv, h, channel.Options{})
	rr := httptest.NewRecorder()
	a.ServeHTTP(rr, request(notification("page", textEvent(channeltest.Inbound{ID: "1", From: "U1", Text: "plans"})), channeltest.Signed))
	require.Equal(t, 200, rr.Code)
	require.NoError(t, a.Close(context.Background()))
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.JSONEq(t, `{"recipient":{"id":"U1"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"template","payload":{"template_type":"generic",
		"elements":[{"title":"Pro","subtitle":"$10/mo","image_url":"https://x/p.png","default_action":{"type":"web_url","url":"https://x/pro"},
		"buttons":[{"type":"postback","payload":"plan_pro","title":"Choose"},{"type":"web_url","url":"https://x/pro#d","title":"Details"}]}]}}}}`, string(reqs[0].Body))
	assert.JSONEq(t, `{"recipient":{"id":"U1"},"messaging_type":"RESPONSE","message":{"text":"Our plans","quick_replies":[{"content_type":"text","title":"Cancel","payload":"cancel"}]}}`, string(reqs[1].Body))

	w := a.Writer("U1")
	require.NoError(t, w.(parley.Typer).Typing(context.Background()))
	require.NoError(t, w.(parley.ReadMarker).MarkRead(context.Background(), "m_1"))
	reqs = srv.Requests()
	assert.JSONEq(t, `{"recipient":{"id":"U1"},"sender_action":"typing_on"}`, string(reqs[2].Body))
	assert.JSONEq(t, `{"recipient":{"id":"U1"},"sender_action":"mark_seen"}`, string(reqs[3].Body))
}

func TestPersistentMenu(t *testing.T) {
	for _, tt := range []struct{ platform, wantQuery string }{{Messenger, ""}, {Instagram, "platform=instagram"}} {
		t.Run(tt.platform, func(t *testing.T) {
			srv := platform(t)
			a := newAdapter(t, tt.platform, srv, &collect{}, channel.Options{})
			err := a.SetPersistentMenu(context.Background(), []parley.Button{{Title: "Talk to a human", Payload: "human"}, {Title: "Shop", URL: "https://x/shop"}})
			require.NoError(t, err)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "/me/messenger_profile", reqs[0].Path)
			assert.Equal(t, tt.wantQuery, reqs[0].Query)
			assert.JSONEq(t, `{"persistent_menu":[{"locale":"default","composer_input_disabled":false,"call_to_actions":[
				{"type":"postback","title":"Talk to a human","payload":"human"},
				{"type":"web_url","title":"Shop","url":"https://x/shop","webview_height_ratio":"full"}]}]}`, string(reqs[0].Body))
		})
	}
}

func TestVerificationHandshake(t *testing.T) {
	a := newAdapter(t, Messenger, platform(t), &collect{}, channel.Options{})
	rr := httptest.NewRecorder()
	a.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, "/wh?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=42", nil))
	assert.Equal(t, "42", rr.Body.String())
	rr = httptest.NewRecorder()
	a.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, "/wh?hub.mode=subscribe&hub.verify_token=x&hub.challenge=42", nil))
	assert.Equal(t, 401, rr.Code)
}

func TestWrongObjectRejected(t *testing.T) {
	a := newAdapter(t, Instagram, platform(t), &collect{}, channel.Options{})
	rr := httptest.NewRecorder()
	a.ServeHTTP(rr, request(notification("page", textEvent(channeltest.Inbound{ID: "1", From: "U", Text: "x"})), channeltest.Signed))
	assert.Equal(t, 400, rr.Code)
}

func FuzzParse(f *testing.F) {
	f.Add(notification("page", textEvent(channeltest.Inbound{ID: "1", From: "U", Text: "hi"})))
	f.Add(notification("page", `{"sender":{"id":"U"},"postback":{"payload":"p"}}`, `{"delivery":{"mids":["a"]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := New(Config{PageAccessToken: "t", AppSecret: secret, VerifyToken: "v", BaseURL: "http://127.0.0.1:1"},
			parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }))
		require.NoError(t, err)
		rr := httptest.NewRecorder()
		a.ServeHTTP(rr, request(body, channeltest.Signed))
		if rr.Code != 200 && rr.Code != 400 {
			t.Fatalf("status %d", rr.Code)
		}
		require.NoError(t, a.Close(context.Background()))
	})
}
