package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
)

const token = "123456:ABC-DEF"

func platform(t testing.TB) *channeltest.Server {
	return channeltest.NewServer(t, channeltest.ServerConfig{
		Decode: func(r *http.Request, body []byte) (channeltest.Outbound, bool) {
			if r.URL.Path != "/bot"+token+"/sendMessage" {
				return channeltest.Outbound{}, false
			}
			var m struct {
				ChatID      int64  `json:"chat_id"`
				Text        string `json:"text"`
				ReplyMarkup struct {
					InlineKeyboard [][]struct {
						Text         string `json:"text"`
						CallbackData string `json:"callback_data"`
					} `json:"inline_keyboard"`
				} `json:"reply_markup"`
			}
			if json.Unmarshal(body, &m) != nil {
				return channeltest.Outbound{}, false
			}
			o := channeltest.Outbound{To: fmt.Sprint(m.ChatID), Text: m.Text}
			for _, row := range m.ReplyMarkup.InlineKeyboard {
				for _, b := range row {
					o.Choices = append(o.Choices, b.Text)
				}
			}
			return o, true
		},
		Success: func(w http.ResponseWriter, r *http.Request, seq int) {
			w.Header().Set("Content-Type", "application/json")
			if seq == 0 {
				fmt.Fprint(w, `{"ok":true,"result":true}`)
				return
			}
			fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"chat":{"id":1,"type":"private"},"date":1700000000,"text":"x"}}`, seq)
		},
		Failure: func(w http.ResponseWriter, r *http.Request, f channeltest.Failure) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(f.Status)
			if f.Status == 429 {
				fmt.Fprintf(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after %d","parameters":{"retry_after":%d}}`,
					int(f.RetryAfter.Seconds()), int(f.RetryAfter.Seconds()))
				return
			}
			fmt.Fprintf(w, `{"ok":false,"error_code":%d,"description":%q}`, f.Status, "Bad Request: "+f.Reason)
		},
	})
}

func num(s string) int64 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return int64(h.Sum32()%1_000_000_000) + 1
}

func update(in channeltest.Inbound) []byte {
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

func newAdapter(t testing.TB, srv *channeltest.Server, h parley.Handler, o channel.Options) *Adapter {
	a, err := New(Config{Token: token, SecretToken: "s3cret", BaseURL: srv.URL, Options: o}, h)
	require.NoError(t, err)
	return a
}

func TestConformance(t *testing.T) {
	channeltest.Run(t, channeltest.Harness{
		Channel: Channel,
		New: func(t *testing.T, h parley.Handler) *channeltest.Env {
			srv := platform(t)
			a := newAdapter(t, srv, h, channel.Options{MaxBody: 32 << 10})
			t.Cleanup(func() { _ = a.Close(context.Background()) })
			return &channeltest.Env{Webhook: a, Platform: srv, Encode: update, Request: request, MaxBody: 32 << 10, Close: a.Close}
		},
	})
}

type collect struct {
	mu    sync.Mutex
	turns []*parley.Turn
	do    func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error
}

func (c *collect) HandleTurn(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	c.mu.Lock()
	c.turns = append(c.turns, t)
	c.mu.Unlock()
	if c.do != nil {
		return c.do(ctx, w, t)
	}
	return nil
}

type events struct {
	mu sync.Mutex
	es []parley.Event
}

func (e *events) Observe(_ context.Context, ev parley.Event) {
	e.mu.Lock()
	e.es = append(e.es, ev)
	e.mu.Unlock()
}

func TestCallbackQuery(t *testing.T) {
	srv := platform(t)
	h := &collect{do: func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if err := parley.Typing(ctx, w); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text("Kept."))
	}}
	a := newAdapter(t, srv, h, channel.Options{})
	body := []byte(`{"update_id":10001,"callback_query":{"id":"4382bfdwdsb323b2d9","from":{"id":42,"is_bot":false,"first_name":"Ann","language_code":"de"},
		"message":{"message_id":77,"chat":{"id":42,"type":"private"},"date":1700000000,"text":"Keep your plan?"},
		"chat_instance":"-1","data":"keep_plan"}}`)
	rr := httptest.NewRecorder()
	a.ServeHTTP(rr, request(body, channeltest.Signed))
	require.Equal(t, 200, rr.Code)
	assert.JSONEq(t, `{"method":"answerCallbackQuery","callback_query_id":"4382bfdwdsb323b2d9"}`, rr.Body.String())
	require.NoError(t, a.Close(context.Background()))
	require.Len(t, h.turns, 1)
	assert.Equal(t, "keep_plan", h.turns[0].Text())
	assert.Equal(t, "telegram:42", h.turns[0].ConversationID)
	assert.Equal(t, "de", h.turns[0].Locale)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/bot"+token+"/sendChatAction", reqs[0].Path)
	assert.JSONEq(t, `{"chat_id":42,"action":"typing"}`, string(reqs[0].Body))
}

func TestInlineKeyboardAndMedia(t *testing.T) {
	srv := platform(t)
	long := strings.Repeat("p", 80)
	h := &collect{do: func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Message{Text: "Pick", QuickReplies: []parley.QuickReply{{Title: "A", Payload: long}, {Title: "B"}},
			Attachments: []parley.Attachment{{Kind: parley.File, URL: "https://example.com/a.pdf"}}})
	}}
	a := newAdapter(t, srv, h, channel.Options{})
	rr := httptest.NewRecorder()
	a.ServeHTTP(rr, request(update(channeltest.Inbound{ID: "m1", From: "u1", Text: "menu"}), channeltest.Signed))
	require.Equal(t, 200, rr.Code)
	// The tap on the first button comes back as "#1" and maps to the long payload.
	tap := []byte(fmt.Sprintf(`{"update_id":5,"callback_query":{"id":"cb1","from":{"id":%d},"message":{"message_id":9,"chat":{"id":%d,"type":"private"},"date":1},"data":"#1"}}`, num("u1"), num("u1")))
	require.NoError(t, a.Close(context.Background()))
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/bot"+token+"/sendDocument", reqs[0].Path)
	assert.JSONEq(t, fmt.Sprintf(`{"chat_id":%d,"text":"Pick","reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"#1"}],[{"text":"B","callback_data":"#2"}]]}}`, num("u1")), string(reqs[1].Body))

	h2 := &collect{}
	a2 := newAdapter(t, srv, h2, channel.Options{})
	a2.Choices().Remember(conversation(num("u1")), []parley.QuickReply{{Title: "A", Payload: long}}, a2.Now())
	rr = httptest.NewRecorder()
	a2.ServeHTTP(rr, request(tap, channeltest.Signed))
	require.Equal(t, 200, rr.Code)
	require.NoError(t, a2.Close(context.Background()))
	require.Len(t, h2.turns, 1)
	assert.Equal(t, long, h2.turns[0].Text())
}

func TestUnsupportedKinds(t *testing.T) {
	obs := &events{}
	h := &collect{}
	a := newAdapter(t, platform(t), h, channel.Options{Observer: obs})
	for i, m := range []string{
		`"sticker":{"file_id":"x","width":1,"height":1,"is_animated":false}`,
		`"location":{"latitude":1.5,"longitude":2.5}`,
		`"from":{"id":7,"is_bot":true,"first_name":"bot"},"text":"beep"`,
	} {
		body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"chat":{"id":1,"type":"private"},"date":1,%s}}`, i+1, i+1, m)
		rr := httptest.NewRecorder()
		a.ServeHTTP(rr, request([]byte(body), channeltest.Signed))
		require.Equal(t, 200, rr.Code)
	}
	rr := httptest.NewRecorder()
	a.ServeHTTP(rr, request([]byte(`{"update_id":9,"edited_message":{"message_id":1,"chat":{"id":1,"type":"private"},"date":1,"text":"x"}}`), channeltest.Signed))
	require.Equal(t, 200, rr.Code)
	require.NoError(t, a.Close(context.Background()))
	assert.Empty(t, h.turns)
	var kinds []string
	for _, e := range obs.es {
		require.Equal(t, channel.EventUnsupported, e.Kind)
		kinds = append(kinds, e.Attrs["type"])
	}
	assert.Equal(t, []string{"sticker", "location", "bot_message", "edited_message"}, kinds)
}

func FuzzParse(f *testing.F) {
	f.Add(update(channeltest.Inbound{ID: "1", From: "2", Text: "hi"}))
	f.Add([]byte(`{"update_id":1,"callback_query":{"id":"q","from":{"id":1},"data":"x"}}`))
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,"chat":{"id":1},"photo":[]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := New(Config{Token: token, SecretToken: "s3cret", BaseURL: "http://127.0.0.1:1"},
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
