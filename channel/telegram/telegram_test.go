package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/internal/adaptertest"
	"github.com/parleyhq/parley/memory"
)

const token = "123456:ABC-DEF"

// api answers like the Bot API's sendMessage.
var api = adaptertest.API{
	Send: adaptertest.JSONSend("/bot"+token+"/sendMessage", "", func(m *struct {
		ChatID      int64  `json:"chat_id"`
		Text        string `json:"text"`
		ReplyMarkup struct {
			InlineKeyboard [][]struct {
				Text string `json:"text"`
			} `json:"inline_keyboard"`
		} `json:"reply_markup"`
	}) (channeltest.Outbound, bool) {
		o := channeltest.Outbound{To: fmt.Sprint(m.ChatID), Text: m.Text}
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				o.Choices = append(o.Choices, b.Text)
			}
		}
		return o, true
	}),
	Sent: func(seq int) string {
		return fmt.Sprintf(`{"ok":true,"result":{"message_id":%d,"chat":{"id":1,"type":"private"},"date":1700000000,"text":"x"}}`, seq)
	},
	Other: `{"ok":true,"result":true}`,
	Failed: func(f channeltest.Failure) string {
		if f.Status == 429 {
			return fmt.Sprintf(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after %d","parameters":{"retry_after":%d}}`,
				int(f.RetryAfter.Seconds()), int(f.RetryAfter.Seconds()))
		}
		return fmt.Sprintf(`{"ok":false,"error_code":%d,"description":%q}`, f.Status, "Bad Request: "+f.Reason)
	},
}

func platform(t testing.TB) *channeltest.Server { return api.Server(t) }

func num(s string) int64 { return int64(adaptertest.ID(s, 1_000_000_000)) + 1 }

func encode(in channeltest.Inbound) []byte {
	b, _ := json.Marshal(map[string]any{
		"update_id": num(in.ID),
		"message": map[string]any{"message_id": num(in.ID), "date": 1700000000, "text": in.Text,
			"from": map[string]any{"id": num(in.From), "is_bot": false, "first_name": "Ann", "language_code": "en"},
			"chat": map[string]any{"id": num(in.From), "type": "private"}},
	})
	return b
}

func request(body []byte, s channeltest.Signing) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/telegram", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	switch s {
	case channeltest.Signed:
		r.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
	case channeltest.Forged:
		r.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cres")
	}
	return r
}

func newAdapter(t testing.TB, srv *channeltest.Server, ac channel.Config) *channel.Adapter {
	return adaptertest.New(t, New, Config{Token: token, SecretToken: "s3cret", BaseURL: srv.URL, HTTPClient: srv.Client(), Adapter: ac})
}

func post(a *channel.Adapter, q channel.Enqueuer, body []byte) *httptest.ResponseRecorder {
	return adaptertest.Post(a, q, request(body, channeltest.Signed))
}

func TestConformance(t *testing.T) {
	adaptertest.Conformance(t, "telegram", 32<<10, platform, newAdapter, encode, request)
}

func TestCallbackQuery(t *testing.T) {
	srv := platform(t)
	a := newAdapter(t, srv, channel.Config{})
	body := []byte(`{"update_id":10001,"callback_query":{"id":"4382bfdwdsb323b2d9","from":{"id":42,"is_bot":false,"first_name":"Ann","language_code":"de"},
		"message":{"message_id":77,"chat":{"id":42,"type":"private"},"date":1700000000,"text":"Keep your plan?"},
		"chat_instance":"-1","data":"keep_plan"}}`)
	q := &channeltest.Queue{}
	rr := post(a, q, body)
	require.Equal(t, 200, rr.Code)
	assert.JSONEq(t, `{"method":"answerCallbackQuery","callback_query_id":"4382bfdwdsb323b2d9"}`, rr.Body.String())
	turns := q.Turns()
	require.Len(t, turns, 1)
	assert.Equal(t, "keep_plan", turns[0].Text())
	assert.Equal(t, "telegram:42", turns[0].ConversationID)
	assert.Equal(t, "42", turns[0].Recipient)
	assert.Equal(t, "de", turns[0].Locale)
	require.NoError(t, a.Send(context.Background(), parley.AddressOf(turns[0]), parley.Text("Kept.")))
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.JSONEq(t, `{"chat_id":42,"text":"Kept."}`, string(reqs[0].Body))
}

func TestInlineKeyboardAndMedia(t *testing.T) {
	srv := platform(t)
	long := strings.Repeat("p", 80)
	store := memory.NewMap()
	overStore := func() *channel.Adapter {
		return adaptertest.New(t, New, Config{Token: token, SecretToken: "s3cret", BaseURL: srv.URL, HTTPClient: srv.Client(), Payloads: store})
	}
	a := overStore()
	to := parley.Address{ConversationID: conversation(num("u1")), Recipient: fmt.Sprint(num("u1"))}
	require.NoError(t, a.Send(context.Background(), to, parley.Message{Text: "Pick",
		QuickReplies: []parley.QuickReply{{Title: "A", Payload: long}, {Title: "B"}},
		Attachments:  []parley.Attachment{{Kind: parley.File, URL: "https://example.com/a.pdf"}}}))
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/bot"+token+"/sendDocument", reqs[0].Path)
	var sent struct {
		ReplyMarkup struct {
			InlineKeyboard [][]struct {
				Text         string `json:"text"`
				CallbackData string `json:"callback_data"`
			} `json:"inline_keyboard"`
		} `json:"reply_markup"`
	}
	require.NoError(t, json.Unmarshal(reqs[1].Body, &sent))
	data := sent.ReplyMarkup.InlineKeyboard[0][0].CallbackData
	assert.LessOrEqual(t, len(data), 64, "callback_data holds at most 64 bytes")
	assert.NotEqual(t, long, data)
	markup, err := json.Marshal(map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "A", "callback_data": data}}, {{"text": "B", "callback_data": "B"}}}})
	require.NoError(t, err)
	assert.JSONEq(t, fmt.Sprintf(`{"chat_id":%d,"text":"Pick","reply_markup":%s}`, num("u1"), markup), string(reqs[1].Body))

	// The tap on the first button comes back with the token and maps to
	// the long payload.
	tap := []byte(fmt.Sprintf(`{"update_id":5,"callback_query":{"id":"cb1","from":{"id":%d},"message":{"message_id":9,"chat":{"id":%d,"type":"private"},"date":1,"reply_markup":%s},"data":%q}}`,
		num("u1"), num("u1"), markup, data))
	q := &channeltest.Queue{}
	require.Equal(t, 200, post(a, q, tap).Code)
	require.Len(t, q.Turns(), 1)
	assert.Equal(t, long, q.Turns()[0].Text())

	// Another process (or one restarted) without the store falls back to
	// the tapped button's title; one over the same store maps it back.
	q2 := &channeltest.Queue{}
	require.Equal(t, 200, post(newAdapter(t, srv, channel.Config{}), q2, tap).Code)
	require.Len(t, q2.Turns(), 1)
	assert.Equal(t, "A", q2.Turns()[0].Text())
	q3 := &channeltest.Queue{}
	require.Equal(t, 200, post(overStore(), q3, tap).Code)
	require.Len(t, q3.Turns(), 1)
	assert.Equal(t, long, q3.Turns()[0].Text())
}

func TestUnsupportedKinds(t *testing.T) {
	obs := &adaptertest.Events{}
	a := newAdapter(t, platform(t), channel.Config{Observer: obs})
	q := &channeltest.Queue{}
	for i, m := range []string{
		`"sticker":{"file_id":"x","width":1,"height":1,"is_animated":false}`,
		`"location":{"latitude":1.5,"longitude":2.5}`,
		`"from":{"id":7,"is_bot":true,"first_name":"bot"},"text":"beep"`,
	} {
		body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"chat":{"id":1,"type":"private"},"date":1,%s}}`, i+1, i+1, m)
		require.Equal(t, 200, post(a, q, []byte(body)).Code)
	}
	require.Equal(t, 200, post(a, q, []byte(`{"update_id":9,"edited_message":{"message_id":1,"chat":{"id":1,"type":"private"},"date":1,"text":"x"}}`)).Code)
	assert.Empty(t, q.Turns())
	var kinds []string
	for _, e := range obs.All() {
		require.Equal(t, channel.EventUnsupported, e.Kind)
		kinds = append(kinds, e.Attrs["type"])
	}
	assert.Equal(t, []string{"sticker", "location", "bot_message", "edited_message"}, kinds)
}

func FuzzParse(f *testing.F) {
	f.Add(encode(channeltest.Inbound{ID: "1", From: "2", Text: "hi"}))
	f.Add([]byte(`{"update_id":1,"callback_query":{"id":"q","from":{"id":1},"data":"x"}}`))
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,"chat":{"id":1},"photo":[]}}`))
	f.Add([]byte(topicMessage))
	f.Add([]byte(inlineCallback))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := New(Config{Token: token, SecretToken: "s3cret", BaseURL: "http://127.0.0.1:1"})
		require.NoError(t, err)
		if code := post(a, &channeltest.Queue{}, body).Code; code != 200 && code != 400 {
			t.Fatalf("status %d", code)
		}
	})
}

func TestTyping(t *testing.T) {
	srv := platform(t)
	a := newAdapter(t, srv, channel.Config{})
	to := parley.Address{ConversationID: "telegram:42", Recipient: "42"}
	require.NoError(t, a.Typing(context.Background(), to, "77"))
	assert.ErrorIs(t, a.MarkRead(context.Background(), to, "77"), parley.ErrNotSupported, "Telegram has no read receipts for bots")
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/bot"+token+"/sendChatAction", reqs[0].Path)
	assert.JSONEq(t, `{"chat_id":42,"action":"typing"}`, string(reqs[0].Body))
}

// An attachment given by value (a spoken reply) is uploaded as
// multipart/form-data, as the Bot API documents for sending files.
func TestInlineAudioIsUploaded(t *testing.T) {
	srv := platform(t)
	a := newAdapter(t, srv, channel.Config{})
	mp3 := append([]byte("ID3\x04\x00"), make([]byte, 40)...)
	to := parley.Address{ConversationID: conversation(num("u1")), Recipient: fmt.Sprint(num("u1"))}
	require.NoError(t, a.Send(context.Background(), to, parley.Message{
		Attachments: []parley.Attachment{{Kind: parley.Audio, MIMEType: "audio/mpeg", Data: mp3, Name: "reply.mp3"}}}))
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/bot"+token+"/sendAudio", reqs[0].Path)
	mt, params, err := mime.ParseMediaType(reqs[0].Header.Get("Content-Type"))
	require.NoError(t, err)
	assert.Equal(t, "multipart/form-data", mt)
	form, err := multipart.NewReader(bytes.NewReader(reqs[0].Body), params["boundary"]).ReadForm(1 << 20)
	require.NoError(t, err)
	assert.Equal(t, []string{fmt.Sprint(num("u1"))}, form.Value["chat_id"])
	require.Len(t, form.File["audio"], 1)
	fh := form.File["audio"][0]
	assert.Equal(t, "reply.mp3", fh.Filename)
	assert.Equal(t, "audio/mpeg", fh.Header.Get("Content-Type"))
	f, err := fh.Open()
	require.NoError(t, err)
	got, err := io.ReadAll(f)
	require.NoError(t, err)
	assert.Equal(t, mp3, got)
}
