package messenger

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/internal/adaptertest"
)

const secret = "app-secret"

// api answers like the Send API.
var api = adaptertest.API{
	Send: adaptertest.JSONSend("/me/messages", "Bearer page-token", func(m *struct {
		Recipient struct{ ID string } `json:"recipient"`
		Message   *struct {
			Text         string `json:"text"`
			QuickReplies []struct {
				Title string `json:"title"`
			} `json:"quick_replies"`
		} `json:"message"`
	}) (channeltest.Outbound, bool) {
		if m.Message == nil {
			return channeltest.Outbound{}, false
		}
		o := channeltest.Outbound{To: m.Recipient.ID, Text: m.Message.Text}
		for _, q := range m.Message.QuickReplies {
			o.Choices = append(o.Choices, q.Title)
		}
		return o, true
	}),
	Sent: func(seq int) string {
		return fmt.Sprintf(`{"recipient_id":"1254477777772919","message_id":"m_out%d"}`, seq)
	},
	Other: `{"result":"success"}`,
	Failed: func(f channeltest.Failure) string {
		return adaptertest.GraphError(f, 100, 613, `"error_subcode":2018001,"fbtrace_id":"x"`)
	},
}

func platform(t testing.TB) *channeltest.Server { return api.Server(t) }

func webhook(object string, events ...string) []byte {
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
	return channeltest.HMACRequest("/webhooks/messenger", "application/json", body, s, "X-Hub-Signature-256", "sha256=", secret)
}

func newAdapter(t testing.TB, instagram bool, srv *channeltest.Server, ac channel.Config) *channel.Adapter {
	return adaptertest.New(t, New, Config{Instagram: instagram, PageAccessToken: "page-token", AppSecret: secret, VerifyToken: "vt",
		BaseURL: srv.URL, HTTPClient: srv.Client(), Adapter: ac})
}

func TestConformance(t *testing.T) {
	for _, p := range []struct {
		name, object string
		instagram    bool
	}{{"messenger", "page", false}, {"instagram", "instagram", true}} {
		t.Run(p.name, func(t *testing.T) {
			adaptertest.Conformance(t, p.name, 32<<10, platform,
				func(t testing.TB, srv *channeltest.Server, ac channel.Config) *channel.Adapter {
					return newAdapter(t, p.instagram, srv, ac)
				},
				func(in channeltest.Inbound) []byte { return webhook(p.object, textEvent(in)) }, request)
		})
	}
}

func TestInboundKinds(t *testing.T) {
	obs := &adaptertest.Events{}
	a := newAdapter(t, false, platform(t), channel.Config{Observer: obs})
	body := webhook("page",
		`{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000000000,"message":{"mid":"m_1","text":"Yes","quick_reply":{"payload":"keep_plan"}}}`,
		`{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000001000,"postback":{"title":"Talk to a human","payload":"human","mid":"m_2"}}`,
		`{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000002000,"message":{"mid":"m_3","sticker_id":369239263222822,"attachments":[{"type":"image","payload":{"url":"https://x/s.png","sticker_id":369239263222822}}]}}`,
		`{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000003000,"message":{"mid":"m_4","attachments":[{"type":"location","payload":{"coordinates":{"lat":1,"long":2}}}]}}`,
		`{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000004000,"reaction":{"mid":"m_out1","action":"react","reaction":"love","emoji":"❤"}}`,
		`{"sender":{"id":"PAGE1"},"recipient":{"id":"U1"},"timestamp":1700000005000,"message":{"mid":"m_5","text":"echo","is_echo":true}}`,
		`{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000006000,"message":{"mid":"m_6","text":"receipt","attachments":[{"type":"image","payload":{"url":"https://x/r.jpg"}}]}}`,
	)
	q := &channeltest.Queue{}
	require.Equal(t, 200, adaptertest.Post(a, q, request(body, channeltest.Signed)).Code)
	turns := q.Turns()
	var texts []string
	for _, tn := range turns {
		texts = append(texts, tn.Text())
		assert.Equal(t, "messenger:PAGE1:U1", tn.ConversationID)
		assert.Equal(t, "U1", tn.Recipient)
	}
	// A location is described rather than dropped (it used to be lost).
	assert.Equal(t, []string{"keep_plan", "human", "[sent a location: geo:1,2]", "receipt"}, texts)
	assert.Equal(t, []parley.Attachment{{Kind: parley.Image, URL: "https://x/r.jpg"}}, turns[3].Message.Attachments)
	assert.Equal(t, []string{"sticker", "location", "reaction"}, obs.Attrs(channel.EventUnsupported, "type"))
}

func TestCardsQuickRepliesAndTags(t *testing.T) {
	srv := platform(t)
	a := newAdapter(t, false, srv, channel.Config{})
	to := parley.Address{ConversationID: "messenger:PAGE1:U1", Recipient: "U1"}
	require.NoError(t, a.Send(context.Background(), to, parley.Message{Text: "Our plans", QuickReplies: []parley.QuickReply{{Title: "Cancel", Payload: "cancel"}},
		Cards: []parley.Card{{Title: "Pro", Subtitle: "$10/mo", ImageURL: "https://x/p.png", URL: "https://x/pro",
			Buttons: []parley.Button{{Title: "Choose", Payload: "plan_pro"}, {Title: "Details", URL: "https://x/pro#d"}}}}}))
	require.NoError(t, a.Send(context.Background(), to, parley.Message{Text: "An agent replied",
		Extras: map[string]any{"messenger": Tag("HUMAN_AGENT")}}))
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.JSONEq(t, `{"recipient":{"id":"U1"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"template","payload":{"template_type":"generic",
		"elements":[{"title":"Pro","subtitle":"$10/mo","image_url":"https://x/p.png","default_action":{"type":"web_url","url":"https://x/pro"},
		"buttons":[{"type":"postback","payload":"plan_pro","title":"Choose"},{"type":"web_url","url":"https://x/pro#d","title":"Details"}]}]}}}}`, string(reqs[0].Body))
	assert.JSONEq(t, `{"recipient":{"id":"U1"},"messaging_type":"RESPONSE","message":{"text":"Our plans","quick_replies":[{"content_type":"text","title":"Cancel","payload":"cancel"}]}}`, string(reqs[1].Body))
	assert.JSONEq(t, `{"recipient":{"id":"U1"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"text":"An agent replied"}}`, string(reqs[2].Body))
}

func TestPersistentMenu(t *testing.T) {
	for _, tt := range []struct {
		name      string
		instagram bool
		wantQuery string
	}{{"messenger", false, ""}, {"instagram", true, "platform=instagram"}} {
		t.Run(tt.name, func(t *testing.T) {
			srv := platform(t)
			err := SetPersistentMenu(context.Background(), Config{Instagram: tt.instagram, PageAccessToken: "page-token",
				AppSecret: secret, VerifyToken: "vt", BaseURL: srv.URL, HTTPClient: srv.Client()},
				[]parley.Button{{Title: "Talk to a human", Payload: "human"}, {Title: "Shop", URL: "https://x/shop"}})
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
	a := newAdapter(t, false, platform(t), channel.Config{})
	q := &channeltest.Queue{}
	rr := adaptertest.Post(a, q, httptest.NewRequest(http.MethodGet, "/wh?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=42", nil))
	assert.Equal(t, "42", rr.Body.String())
	rr = adaptertest.Post(a, q, httptest.NewRequest(http.MethodGet, "/wh?hub.mode=subscribe&hub.verify_token=x&hub.challenge=42", nil))
	assert.Equal(t, 401, rr.Code)
}

func TestWrongObjectRejected(t *testing.T) {
	a := newAdapter(t, true, platform(t), channel.Config{})
	rr := adaptertest.Post(a, &channeltest.Queue{}, request(webhook("page", textEvent(channeltest.Inbound{ID: "1", From: "U", Text: "x"})), channeltest.Signed))
	assert.Equal(t, 400, rr.Code)
}

func FuzzParse(f *testing.F) {
	f.Add(webhook("page", textEvent(channeltest.Inbound{ID: "1", From: "U", Text: "hi"})), false)
	f.Add(webhook("page", `{"sender":{"id":"U"},"postback":{"payload":"p"}}`, `{"delivery":{"mids":["a"]}}`), false)
	f.Add(webhook("page", fbFallback, fbDeletes), false)
	f.Add(webhook("instagram", igUnsend, igUnsupported, igStory, igShare), true)
	f.Fuzz(func(t *testing.T, body []byte, instagram bool) {
		a, err := New(Config{Instagram: instagram, PageAccessToken: "t", AppSecret: secret, VerifyToken: "v", BaseURL: "http://127.0.0.1:1"})
		require.NoError(t, err)
		if code := adaptertest.Post(a, &channeltest.Queue{}, request(body, channeltest.Signed)).Code; code != 200 && code != 400 {
			t.Fatalf("status %d", code)
		}
	})
}

func TestTypingAndSeen(t *testing.T) {
	srv := platform(t)
	a := newAdapter(t, false, srv, channel.Config{})
	to := parley.Address{ConversationID: "messenger:PAGE1:U1", Recipient: "U1"}
	require.NoError(t, a.Typing(context.Background(), to, "m_1"))
	require.NoError(t, a.MarkRead(context.Background(), to, "m_1"))
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.JSONEq(t, `{"recipient":{"id":"U1"},"sender_action":"typing_on"}`, string(reqs[0].Body))
	assert.JSONEq(t, `{"recipient":{"id":"U1"},"sender_action":"mark_seen"}`, string(reqs[1].Body))
}
