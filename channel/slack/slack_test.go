package slack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
)

const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"

func platform(t testing.TB) *channeltest.Server {
	return channeltest.NewServer(t, channeltest.ServerConfig{
		Decode: func(r *http.Request, body []byte) (channeltest.Outbound, bool) {
			if r.URL.Path != "/chat.postMessage" || r.Header.Get("Authorization") != "Bearer xoxb-test" {
				return channeltest.Outbound{}, false
			}
			var m struct {
				Channel string `json:"channel"`
				Text    string `json:"text"`
				Blocks  []struct {
					Type     string `json:"type"`
					Elements []struct {
						Text struct{ Text string } `json:"text"`
					} `json:"elements"`
				} `json:"blocks"`
			}
			if json.Unmarshal(body, &m) != nil {
				return channeltest.Outbound{}, false
			}
			o := channeltest.Outbound{To: m.Channel, Text: m.Text}
			for _, b := range m.Blocks {
				for _, e := range b.Elements {
					o.Choices = append(o.Choices, e.Text.Text)
				}
			}
			return o, true
		},
		Success: func(w http.ResponseWriter, r *http.Request, seq int) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":true,"channel":"C1","ts":"1700000000.%06d","message":{}}`, seq)
		},
		Failure: func(w http.ResponseWriter, r *http.Request, f channeltest.Failure) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(f.Status)
			if f.Status == 429 {
				fmt.Fprint(w, `{"ok":false,"error":"ratelimited"}`)
				return
			}
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, f.Reason)
		},
	})
}

func hashTS(s string) string {
	h := fnv.New32a()
	h.Write([]byte(s))
	return fmt.Sprintf("1700000000.%06d", h.Sum32()%1_000_000)
}

func eventBody(in channeltest.Inbound) []byte {
	b, _ := json.Marshal(map[string]any{
		"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": "Ev" + in.ID, "event_time": 1700000000,
		"event": map[string]any{"type": "message", "channel": "D-" + in.From, "user": in.From, "text": in.Text,
			"ts": hashTS(in.ID), "channel_type": "im"},
	})
	return b
}

func signedRequest(body []byte, s channeltest.Signing, contentType string, at time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	ts := strconv.FormatInt(at.Unix(), 10)
	switch s {
	case channeltest.Signed:
		r.Header.Set("X-Slack-Request-Timestamp", ts)
		r.Header.Set("X-Slack-Signature", "v0="+channel.HMACHex(sha256.New, []byte(signingSecret), []byte("v0:"+ts+":"+string(body))))
	case channeltest.Forged:
		r.Header.Set("X-Slack-Request-Timestamp", ts)
		r.Header.Set("X-Slack-Signature", "v0="+channel.HMACHex(sha256.New, []byte("wrong"), []byte("v0:"+ts+":"+string(body))))
	}
	return r
}

func request(body []byte, s channeltest.Signing) *http.Request {
	return signedRequest(body, s, "application/json", time.Now())
}

func newAdapter(t testing.TB, srv *channeltest.Server, h parley.Handler, o channel.Options) *Adapter {
	a, err := New(Config{BotToken: "xoxb-test", SigningSecret: signingSecret, BaseURL: srv.URL, Options: o}, h)
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
			return &channeltest.Env{Webhook: a, Platform: srv, Encode: eventBody, Request: request, MaxBody: 32 << 10, Close: a.Close}
		},
	})
}

type collect struct {
	mu    sync.Mutex
	turns []*parley.Turn
}

func (c *collect) HandleTurn(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	c.mu.Lock()
	c.turns = append(c.turns, t)
	c.mu.Unlock()
	return w.Reply(ctx, parley.Message{Text: "Keep your plan?", QuickReplies: []parley.QuickReply{{Title: "Yes", Payload: "keep"}}})
}

func TestReplayWindow(t *testing.T) {
	h := &collect{}
	a := newAdapter(t, platform(t), h, channel.Options{})
	body := eventBody(channeltest.Inbound{ID: "1", From: "U1", Text: "hi"})
	tests := []struct {
		name string
		at   time.Time
		want int
	}{
		{"six minutes old", time.Now().Add(-6 * time.Minute), 401},
		{"six minutes ahead", time.Now().Add(6 * time.Minute), 401},
		{"four minutes old", time.Now().Add(-4 * time.Minute), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rr := httptest.NewRecorder()
			a.ServeHTTP(rr, signedRequest(body, channeltest.Signed, "application/json", tt.at))
			assert.Equal(t, tt.want, rr.Code)
		})
	}
	require.NoError(t, a.Close(context.Background()))
	assert.Len(t, h.turns, 1)
	err := CheckSignature(signingSecret, signedRequest(body, channeltest.Signed, "application/json", time.Now().Add(-time.Hour)).Header, body, time.Now())
	assert.ErrorIs(t, err, channel.ErrReplay)
}

func TestURLVerification(t *testing.T) {
	a := newAdapter(t, platform(t), &collect{}, channel.Options{})
	body := []byte(`{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	rr := httptest.NewRecorder()
	a.ServeHTTP(rr, request(body, channeltest.Signed))
	assert.Equal(t, 200, rr.Code)
	assert.JSONEq(t, `{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`, rr.Body.String())

	rr = httptest.NewRecorder()
	a.ServeHTTP(rr, request(body, channeltest.Forged))
	assert.Equal(t, 401, rr.Code, "even the challenge must be signed")
}

func TestBlockActionsAndThreads(t *testing.T) {
	srv := platform(t)
	h := &collect{}
	a := newAdapter(t, srv, h, channel.Options{})
	payload := `{"type":"block_actions","user":{"id":"U1","username":"ann"},"team":{"id":"T1"},"channel":{"id":"D-U1"},
		"container":{"type":"message","message_ts":"1700000000.000001","channel_id":"D-U1"},"trigger_id":"1.2.3",
		"actions":[{"action_id":"quick_reply_0","block_id":"b","type":"button","value":"keep","text":{"type":"plain_text","text":"Yes"},"action_ts":"1700000001.000200"}],
		"response_url":"https://hooks.slack.com/actions/x"}`
	body := []byte(url.Values{"payload": {payload}}.Encode())
	rr := httptest.NewRecorder()
	a.ServeHTTP(rr, signedRequest(body, channeltest.Signed, "application/x-www-form-urlencoded", time.Now()))
	require.Equal(t, 200, rr.Code)

	thread := []byte(`{"type":"event_callback","team_id":"T1","event_id":"Ev9","event":{"type":"message","channel":"C-agents","user":"U7",
		"text":"I can help","ts":"1700000002.000100","thread_ts":"1700000000.000500"}}`)
	rr = httptest.NewRecorder()
	a.ServeHTTP(rr, request(thread, channeltest.Signed))
	require.Equal(t, 200, rr.Code)
	require.NoError(t, a.Close(context.Background()))

	require.Len(t, h.turns, 2)
	byConv := map[string]string{}
	for _, tn := range h.turns {
		byConv[tn.ConversationID] = tn.Text()
	}
	assert.Equal(t, map[string]string{"slack:T1:D-U1": "keep", Conversation("T1", "C-agents", "1700000000.000500"): "I can help"}, byConv)

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	byChannel := map[string]map[string]any{}
	for _, r := range reqs {
		var m map[string]any
		require.NoError(t, json.Unmarshal(r.Body, &m))
		byChannel[m["channel"].(string)] = m
		if m["channel"] == "D-U1" {
			assert.JSONEq(t, `{"channel":"D-U1","text":"Keep your plan?","blocks":[
		{"type":"section","text":{"type":"mrkdwn","text":"Keep your plan?"}},
		{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Yes"},"value":"keep","action_id":"quick_reply_0"}]}]}`,
				string(r.Body))
		}
	}
	assert.Equal(t, "1700000000.000500", byChannel["C-agents"]["thread_ts"], "replies stay in the thread")
}

func TestIgnoredAndUnsupportedEvents(t *testing.T) {
	var mu sync.Mutex
	var kinds []string
	obs := parley.ObserverFunc(func(ctx context.Context, e parley.Event) {
		mu.Lock()
		kinds = append(kinds, string(e.Kind)+":"+e.Attrs["type"])
		mu.Unlock()
	})
	h := &collect{}
	a := newAdapter(t, platform(t), h, channel.Options{Observer: obs})
	for _, ev := range []string{
		`{"type":"message","channel":"D1","bot_id":"B1","text":"echo","ts":"1.1"}`,
		`{"type":"message","subtype":"message_changed","channel":"D1","ts":"1.2"}`,
		`{"type":"reaction_added","user":"U1","reaction":"thumbsup","item":{"type":"message","channel":"D1","ts":"1.1"}}`,
	} {
		rr := httptest.NewRecorder()
		a.ServeHTTP(rr, request([]byte(`{"type":"event_callback","team_id":"T1","event_id":"E","event":`+ev+`}`), channeltest.Signed))
		require.Equal(t, 200, rr.Code)
	}
	require.NoError(t, a.Close(context.Background()))
	assert.Empty(t, h.turns)
	assert.Equal(t, []string{"channel.unsupported:message/message_changed", "channel.unsupported:reaction_added"}, kinds)
}

func TestPostForHandOff(t *testing.T) {
	srv := platform(t)
	a := newAdapter(t, srv, &collect{}, channel.Options{})
	ts, err := a.Post(context.Background(), "C-agents", "", parley.Text("Ann asks for a refund of $120"))
	require.NoError(t, err)
	assert.Equal(t, "1700000000.000001", ts)
	require.NoError(t, a.Writer("C-agents", ts).Reply(context.Background(), parley.Text("Transcript: ...")))
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Contains(t, string(reqs[1].Body), `"thread_ts":"1700000000.000001"`)
}

func FuzzParse(f *testing.F) {
	f.Add(eventBody(channeltest.Inbound{ID: "1", From: "U1", Text: "hi"}), false)
	f.Add([]byte(`{"type":"url_verification","challenge":"c"}`), false)
	f.Add([]byte(url.Values{"payload": {`{"type":"block_actions","channel":{"id":"C"},"actions":[{"value":"v","action_ts":"1.2"}]}`}}.Encode()), true)
	f.Fuzz(func(t *testing.T, body []byte, form bool) {
		a, err := New(Config{BotToken: "xoxb-test", SigningSecret: signingSecret, BaseURL: "http://127.0.0.1:1"},
			parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }))
		require.NoError(t, err)
		ct := "application/json"
		if form {
			ct = "application/x-www-form-urlencoded"
		}
		rr := httptest.NewRecorder()
		a.ServeHTTP(rr, signedRequest(body, channeltest.Signed, ct, time.Now()))
		if rr.Code != 200 && rr.Code != 400 {
			t.Fatalf("status %d", rr.Code)
		}
		require.NoError(t, a.Close(context.Background()))
	})
}
