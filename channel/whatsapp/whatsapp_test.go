package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/internal/adaptertest"
)

const (
	secret  = "app-secret"
	phoneID = "106540352242922"
)

// api answers like the Cloud API's /{phone-number-id}/messages.
var api = adaptertest.API{
	Send: adaptertest.JSONSend("/"+phoneID+"/messages", "Bearer token", func(m *message) (channeltest.Outbound, bool) {
		if m.Status != "" {
			return channeltest.Outbound{}, false
		}
		o := channeltest.Outbound{To: m.To, Text: m.Text.Body}
		switch m.Type {
		case "interactive":
			o.Text = m.Interactive.Body.Text
			for _, b := range m.Interactive.Action.Buttons {
				o.Choices = append(o.Choices, b.Reply.Title)
			}
			for _, s := range m.Interactive.Action.Sections {
				for _, r := range s.Rows {
					o.Choices = append(o.Choices, r.Title)
				}
			}
		case "template":
			o.Text = "template:" + m.Template.Name
		}
		return o, true
	}),
	Sent: func(seq int) string {
		return fmt.Sprintf(`{"messaging_product":"whatsapp","contacts":[{"input":"x","wa_id":"x"}],"messages":[{"id":"wamid.out%d"}]}`, seq)
	},
	Other: `{"success":true}`,
	Failed: func(f channeltest.Failure) string {
		return adaptertest.GraphError(f, 131026, 130429, `"error_data":{"messaging_product":"whatsapp","details":""},"fbtrace_id":"AbC"`)
	},
}

// platform answers like the Cloud API.
func platform(t testing.TB) *channeltest.Server { return api.Server(t) }

func newAdapter(t testing.TB, srv *channeltest.Server, ac channel.Config) (*channel.Adapter, *cloudAPI) {
	t.Helper()
	p, ac2, err := newDriver(Config{PhoneNumberID: phoneID, AccessToken: "token", AppSecret: secret, VerifyToken: "vt",
		BaseURL: srv.URL, HTTPClient: srv.Client(), Adapter: ac})
	require.NoError(t, err)
	a, err := channel.New(p, ac2)
	require.NoError(t, err)
	return a, p
}

// post delivers body, signed, to a's webhook and returns the status.
func post(a *channel.Adapter, q channel.Enqueuer, body []byte) int {
	return adaptertest.Post(a, q, request(body, channeltest.Signed)).Code
}

func notification(messages ...string) []byte {
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{` +
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"` + phoneID + `"},` +
		`"contacts":[{"profile":{"name":"Ann"},"wa_id":"15551234567"}],"messages":[` + strings.Join(messages, ",") + `]}}]}]}`)
}

func textMessage(id, from, text string) string {
	b, _ := json.Marshal(text)
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":"1700000000","type":"text","text":{"body":%s}}`, from, id, b)
}

func request(body []byte, s channeltest.Signing) *http.Request {
	return channeltest.HMACRequest("/webhooks/whatsapp", "application/json", body, s, "X-Hub-Signature-256", "sha256=", secret)
}

func TestConformance(t *testing.T) {
	adaptertest.Conformance(t, "whatsapp", 64<<10, platform,
		func(t testing.TB, srv *channeltest.Server, ac channel.Config) *channel.Adapter {
			a, _ := newAdapter(t, srv, ac)
			return a
		},
		func(in channeltest.Inbound) []byte { return notification(textMessage(in.ID, in.From, in.Text)) }, request)
}

func TestVerificationHandshake(t *testing.T) {
	a, _ := newAdapter(t, platform(t), channel.Config{})
	tests := []struct {
		name     string
		give     url.Values
		wantCode int
		wantBody string
	}{
		{"ok", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"vt"}, "hub.challenge": {"1158201444"}}, 200, "1158201444"},
		{"wrong token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"nope"}, "hub.challenge": {"1"}}, 401, ""},
		{"wrong mode", url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {"vt"}, "hub.challenge": {"1"}}, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rr := httptest.NewRecorder()
			a.Handler(&channeltest.Queue{}).ServeHTTP(rr, httptest.NewRequest(http.MethodGet, "/wh?"+tt.give.Encode(), nil))
			assert.Equal(t, tt.wantCode, rr.Code)
			if tt.wantBody != "" {
				assert.Equal(t, tt.wantBody, rr.Body.String())
			}
		})
	}
}

func TestInboundKinds(t *testing.T) {
	obs := &adaptertest.Events{}
	a, _ := newAdapter(t, platform(t), channel.Config{Observer: obs})
	body := notification(
		`{"from":"15551234567","id":"wamid.1","timestamp":"1700000000","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"keep_plan","title":"Keep my plan"}}}`,
		`{"from":"15551234567","id":"wamid.2","timestamp":"1700000001","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"plan_pro","title":"Pro","description":"$10"}}}`,
		`{"from":"15551234567","id":"wamid.3","timestamp":"1700000002","type":"image","image":{"id":"MEDIA1","mime_type":"image/jpeg","sha256":"x","caption":"my receipt"}}`,
		`{"from":"15551234567","id":"wamid.4","timestamp":"1700000003","type":"sticker","sticker":{"id":"S1","mime_type":"image/webp","animated":false}}`,
		`{"from":"15551234567","id":"wamid.5","timestamp":"1700000004","type":"location","location":{"latitude":1,"longitude":2}}`,
		`{"from":"15551234567","id":"wamid.6","timestamp":"1700000005","type":"reaction","reaction":{"message_id":"wamid.out1","emoji":"👍"}}`,
		`{"from":"15551234567","id":"wamid.7","timestamp":"1700000006","type":"button","button":{"payload":"renew","text":"Renew now"}}`,
		`{"from":"15551234567","id":"wamid.8","timestamp":"1700000007","type":"unsupported","errors":[{"code":131051,"title":"Message type unknown"}]}`,
	)
	q := &channeltest.Queue{}
	require.Equal(t, 200, post(a, q, body))

	turns := q.Turns()
	var texts []string
	for _, tn := range turns {
		texts = append(texts, tn.Text())
		assert.Equal(t, "whatsapp:"+phoneID+":15551234567", tn.ConversationID)
		assert.Equal(t, "15551234567", tn.Recipient)
		assert.Equal(t, "whatsapp", tn.Channel)
		assert.Equal(t, time.Unix(1700000000, 0).Year(), tn.Time.Year())
	}
	assert.Equal(t, []string{"keep_plan", "plan_pro", "my receipt", "renew"}, texts)
	assert.Equal(t, []parley.Attachment{{Kind: parley.Image, MIMEType: "image/jpeg", URL: "media:MEDIA1"}}, turns[2].Message.Attachments)

	var unsupported []string
	for _, e := range obs.All() {
		if e.Kind == channel.EventUnsupported {
			unsupported = append(unsupported, e.Attrs["type"])
			assert.Equal(t, "whatsapp", e.Channel)
		}
	}
	assert.Equal(t, []string{"sticker", "location", "reaction", "unsupported"}, unsupported)
}

func TestStatusCallbacks(t *testing.T) {
	obs := &adaptertest.Events{}
	a, _ := newAdapter(t, platform(t), channel.Config{Observer: obs})
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"` + phoneID + `"},
		"statuses":[
		 {"id":"wamid.out1","status":"sent","timestamp":"1700000000","recipient_id":"15551234567"},
		 {"id":"wamid.out1","status":"delivered","timestamp":"1700000001","recipient_id":"15551234567"},
		 {"id":"wamid.out1","status":"read","timestamp":"1700000002","recipient_id":"15551234567"},
		 {"id":"wamid.out2","status":"failed","timestamp":"1700000003","recipient_id":"15551234567",
		  "errors":[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message","error_data":{"details":"Message failed to send because more than 24 hours have passed"}}]}]}}]}]}`)
	q := &channeltest.Queue{}
	require.Equal(t, 200, post(a, q, body))
	assert.Empty(t, q.Turns(), "status callbacks are not turns")
	var statuses []string
	for _, e := range obs.All() {
		require.Equal(t, channel.EventStatus, e.Kind)
		statuses = append(statuses, e.Attrs["status"])
	}
	assert.Equal(t, []string{"sent", "delivered", "read", "failed"}, statuses)
	var pe *channel.PlatformError
	require.ErrorAs(t, obs.All()[3].Err, &pe)
	assert.Equal(t, "131047", pe.Code)
	assert.Contains(t, pe.Reason, "24 hours")
}

var ann = parley.Address{ConversationID: "whatsapp:" + phoneID + ":15551234567", Recipient: "15551234567"}

func TestRepliesRenderedForWhatsApp(t *testing.T) {
	srv := platform(t)
	a, _ := newAdapter(t, srv, channel.Config{})
	require.Equal(t, 200, post(a, &channeltest.Queue{}, notification(textMessage("wamid.1", "15551234567", "plans"))))
	five := []parley.QuickReply{{Title: "Basic"}, {Title: "Plus"}, {Title: "Pro"}, {Title: "Team"}, {Title: "Enterprise"}}
	require.NoError(t, a.Send(context.Background(), ann, parley.Message{Text: "Which plan?", QuickReplies: five,
		Attachments: []parley.Attachment{{Kind: parley.Image, URL: "https://example.com/plans.png"}}}))

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.JSONEq(t, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"15551234567","type":"image","image":{"link":"https://example.com/plans.png"}}`, string(reqs[0].Body))
	assert.JSONEq(t, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"15551234567","type":"interactive",
		"interactive":{"type":"list","body":{"text":"Which plan?"},"action":{"button":"Options","sections":[{"rows":[
		{"id":"Basic","title":"Basic"},{"id":"Plus","title":"Plus"},{"id":"Pro","title":"Pro"},{"id":"Team","title":"Team"},{"id":"Enterprise","title":"Enterprise"}]}]}}}`,
		string(reqs[1].Body))
}

func TestNumberedOptionsMapBack(t *testing.T) {
	srv := platform(t)
	a, _ := newAdapter(t, srv, channel.Config{})
	many := make([]parley.QuickReply, 12)
	for i := range many {
		many[i] = parley.QuickReply{Title: fmt.Sprintf("Store %d", i+1), Payload: fmt.Sprintf("store_%d", i+1)}
	}
	require.NoError(t, a.Send(context.Background(), ann, parley.Message{Text: "Which store?", QuickReplies: many}))
	q := &channeltest.Queue{}
	require.Equal(t, 200, post(a, q, notification(textMessage("wamid.2", "15551234567", "11"))))
	require.Len(t, q.Turns(), 1)
	assert.Equal(t, "store_11", q.Turns()[0].Text(), "the reply 11 picks the eleventh numbered option")
}

// outsideWindow returns an adapter over a fake Cloud API, and the API,
// where ann last wrote 25 hours ago: outside WhatsApp's 24-hour window.
func outsideWindow(t *testing.T) (*channel.Adapter, *channeltest.Server) {
	t.Helper()
	srv := platform(t)
	a, p := newAdapter(t, srv, channel.Config{})
	require.Equal(t, 200, post(a, &channeltest.Queue{}, notification(textMessage("wamid.1", "15551234567", "hi"))))
	p.mu.Lock()
	p.last["15551234567"] = time.Now().Add(-25 * time.Hour)
	p.mu.Unlock()
	return a, srv
}

func TestTemplateOutsideWindow(t *testing.T) {
	a, srv := outsideWindow(t)

	ctx := context.Background()
	require.ErrorIs(t, a.Send(ctx, ann, parley.Text("still there?")), ErrOutsideWindow)

	tpl := Template{Name: "win_back", Language: "en_US",
		Components: []json.RawMessage{json.RawMessage(`{"type":"body","parameters":[{"type":"text","text":"Ann"}]}`)}}
	require.NoError(t, a.Send(ctx, ann, parley.Message{Text: "still there?", QuickReplies: []parley.QuickReply{{Title: "Yes"}},
		Attachments: []parley.Attachment{{Kind: parley.Image, URL: "https://example.com/a.png"}},
		Extras:      map[string]any{"whatsapp": tpl}}))
	reqs := srv.Requests()
	require.Len(t, reqs, 1, "the template replaces every part of the message")
	assert.JSONEq(t, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"15551234567","type":"template",
		"template":{"name":"win_back","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"Ann"}]}]}}`,
		string(reqs[0].Body))
}

func TestTemplateFromOutbox(t *testing.T) {
	a, srv := outsideWindow(t)
	// A message recorded in the Bot's outbox comes back with its extras
	// decoded from JSON, as maps.
	var m parley.Message
	require.NoError(t, json.Unmarshal([]byte(`{"text":"Order A-1 shipped.","extras":{"whatsapp":{"name":"order_shipped","language":"en_US",
		"components":[{"type":"body","parameters":[{"type":"text","text":"A-1"}]}]}}}`), &m))
	require.NoError(t, a.Send(context.Background(), ann, m))
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.JSONEq(t, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"15551234567","type":"template",
		"template":{"name":"order_shipped","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"A-1"}]}]}}`,
		string(reqs[0].Body))
}

func TestTemplateWhenPlatformSaysWindowClosed(t *testing.T) {
	srv := channeltest.NewServer(t, channeltest.ServerConfig{
		Decode: func(r *http.Request, body []byte) (channeltest.Outbound, bool) {
			return channeltest.Outbound{Text: string(body)}, true
		},
		Success: func(w http.ResponseWriter, r *http.Request, seq int) {
			fmt.Fprint(w, `{"messages":[{"id":"wamid.x"}]}`)
		},
		Failure: func(w http.ResponseWriter, r *http.Request, f channeltest.Failure) {
			w.WriteHeader(f.Status)
			fmt.Fprint(w, `{"error":{"message":"(#131047) Re-engagement message","code":131047,"error_data":{"details":"more than 24 hours"}}}`)
		},
	})
	a, _ := newAdapter(t, srv, channel.Config{})
	// We heard from the customer recently, by our clock, but the platform
	// says the window is closed.
	require.Equal(t, 200, post(a, &channeltest.Queue{}, notification(textMessage("wamid.1", "15551234567", "hi"))))
	srv.FailNext(channeltest.Failure{Status: 400})
	err := a.Send(context.Background(), ann, parley.Message{Text: "hi",
		Extras: map[string]any{"whatsapp": &Template{Name: "hello", Language: "en"}}})
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 1)
	assert.Contains(t, sent[0].Text, `"type":"template"`)
	assert.Equal(t, 2, srv.Attempts())
}

func TestIdentityLinkedByPhone(t *testing.T) {
	a, _ := newAdapter(t, platform(t), channel.Config{Linker: channel.NewStoreLinker(memoryMap())})
	q := &channeltest.Queue{}
	require.Equal(t, 200, post(a, q, notification(textMessage("wamid.1", "15551234567", "hi"))))
	require.Len(t, q.Turns(), 1)
	assert.True(t, strings.HasPrefix(q.Turns()[0].CustomerID, "cus_"), q.Turns()[0].CustomerID)
}

func TestNewValidatesConfig(t *testing.T) {
	_, err := New(Config{PhoneNumberID: "1"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AccessToken")
}

func FuzzParse(f *testing.F) {
	f.Add(notification(textMessage("wamid.1", "1555", "hi")))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"statuses":[{"id":"x","status":"failed"}]}}]}]}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"id":"1","from":"2","type":"image"}]}}]}]}`))
	f.Add(notification(`{"from":"15551234567","id":"wamid.tap","timestamp":"1700000100","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"parley:p:00","title":"Yes"}}}`,
		`{"from":"15551234567","id":"wamid.row","timestamp":"1700000101","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"row1","title":"Row","description":"d"}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := New(Config{PhoneNumberID: phoneID, AccessToken: "t", AppSecret: secret, VerifyToken: "v", BaseURL: "http://127.0.0.1:1"})
		require.NoError(t, err)
		if code := post(a, &channeltest.Queue{}, body); code != 200 && code != 400 {
			t.Fatalf("status %d", code)
		}
	})
}

func TestReadReceiptAndTyping(t *testing.T) {
	srv := platform(t)
	a, _ := newAdapter(t, srv, channel.Config{})
	ctx := context.Background()
	require.NoError(t, a.MarkRead(ctx, ann, "wamid.9"))
	require.NoError(t, a.Typing(ctx, ann, "wamid.9"))
	assert.ErrorIs(t, a.Typing(ctx, ann, ""), parley.ErrNotSupported, "typing needs a message to answer")
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.JSONEq(t, `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.9"}`, string(reqs[0].Body))
	assert.JSONEq(t, `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.9","typing_indicator":{"type":"text"}}`, string(reqs[1].Body))
}

// TestWithBot runs the adapter with a real Bot: a redelivered webhook is
// acknowledged and answered once, and the reply reaches the sender.
func TestWithBot(t *testing.T) {
	srv := platform(t)
	a, _ := newAdapter(t, srv, channel.Config{})
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
		return w.Reply(ctx, parley.Text("echo: "+tn.Text()))
	}), parley.WithSender("whatsapp", a))
	body := notification(textMessage("wamid.b1", "15551234567", "where is my order?"))
	require.Equal(t, 200, post(a, bot, body))
	require.Equal(t, 200, post(a, bot, body), "a redelivery is acknowledged")
	require.NoError(t, bot.Shutdown(context.Background()))
	sent := srv.Sent()
	require.Len(t, sent, 1, "and answered once")
	assert.Equal(t, "echo: where is my order?", sent[0].Text)
	assert.Equal(t, "15551234567", sent[0].To)
}

// An attachment given by value (a spoken reply) is uploaded to the media
// endpoint first and sent by its media ID.
func TestInlineAudioIsUploaded(t *testing.T) {
	mp3 := append([]byte("ID3\x04\x00"), make([]byte, 40)...)
	var sent []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer token", r.Header.Get("Authorization"))
		switch r.URL.Path {
		case "/" + phoneID + "/media":
			require.NoError(t, r.ParseMultipartForm(1<<20))
			assert.Equal(t, []string{"whatsapp"}, r.MultipartForm.Value["messaging_product"])
			assert.Equal(t, []string{"audio/mpeg"}, r.MultipartForm.Value["type"])
			fh := r.MultipartForm.File["file"]
			require.Len(t, fh, 1)
			assert.Equal(t, "reply.mp3", fh[0].Filename)
			f, err := fh[0].Open()
			require.NoError(t, err)
			got, _ := io.ReadAll(f)
			assert.Equal(t, mp3, got)
			io.WriteString(w, `{"id":"4490709327384033"}`)
		case "/" + phoneID + "/messages":
			sent, _ = io.ReadAll(r.Body)
			io.WriteString(w, `{"messaging_product":"whatsapp","messages":[{"id":"wamid.out1"}]}`)
		default:
			t.Errorf("unexpected request %s", r.URL.Path)
		}
	}))
	defer srv.Close()
	p, ac, err := newDriver(Config{PhoneNumberID: phoneID, AccessToken: "token", AppSecret: secret, VerifyToken: "vt",
		BaseURL: srv.URL, HTTPClient: srv.Client()})
	require.NoError(t, err)
	a, err := channel.New(p, ac)
	require.NoError(t, err)
	require.NoError(t, a.Send(context.Background(), ann, parley.Message{
		Attachments: []parley.Attachment{{Kind: parley.Audio, MIMEType: "audio/mpeg", Data: mp3, Name: "reply.mp3"}}}))
	assert.JSONEq(t, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"15551234567","type":"audio","audio":{"id":"4490709327384033"}}`, string(sent))
}
