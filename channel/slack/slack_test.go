package slack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/internal/adaptertest"
)

const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// api answers like the Web API's chat.postMessage.
var api = adaptertest.API{
	Send: adaptertest.JSONSend("/chat.postMessage", "Bearer xoxb-test", func(m *struct {
		Channel string `json:"channel"`
		Text    string `json:"text"`
		Blocks  []struct {
			Elements []struct {
				Text struct{ Text string } `json:"text"`
			} `json:"elements"`
		} `json:"blocks"`
	}) (channeltest.Outbound, bool) {
		o := channeltest.Outbound{To: m.Channel, Text: m.Text}
		for _, b := range m.Blocks {
			for _, e := range b.Elements {
				o.Choices = append(o.Choices, e.Text.Text)
			}
		}
		return o, true
	}),
	Sent: func(seq int) string {
		return fmt.Sprintf(`{"ok":true,"channel":"C1","ts":"1700000000.%06d","message":{}}`, seq)
	},
	Other: `{"ok":true,"channel":"C1","ts":"1700000000.000000","message":{}}`,
	Failed: func(f channeltest.Failure) string {
		if f.Status == 429 {
			return `{"ok":false,"error":"ratelimited"}`
		}
		return fmt.Sprintf(`{"ok":false,"error":%q}`, f.Reason)
	},
}

func platform(t testing.TB) *channeltest.Server { return api.Server(t) }

func hashTS(s string) string { return fmt.Sprintf("1700000000.%06d", adaptertest.ID(s, 1_000_000)) }

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

func newAdapter(t testing.TB, srv *channeltest.Server, ac channel.Config) *channel.Adapter {
	return adaptertest.New(t, New, Config{BotToken: "xoxb-test", SigningSecret: signingSecret, BaseURL: srv.URL, HTTPClient: srv.Client(), Adapter: ac})
}

func TestConformance(t *testing.T) {
	adaptertest.Conformance(t, "slack", 32<<10, platform, newAdapter, eventBody, request)
}

func TestReplayWindow(t *testing.T) {
	a := newAdapter(t, platform(t), channel.Config{})
	q := &channeltest.Queue{}
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
			assert.Equal(t, tt.want, adaptertest.Post(a, q, signedRequest(body, channeltest.Signed, "application/json", tt.at)).Code)
		})
	}
	assert.Len(t, q.Turns(), 1)
	err := checkSignature(signingSecret, signedRequest(body, channeltest.Signed, "application/json", time.Now().Add(-time.Hour)).Header, body, time.Now())
	assert.ErrorIs(t, err, channel.ErrReplay)
}

func TestURLVerification(t *testing.T) {
	a := newAdapter(t, platform(t), channel.Config{})
	body := []byte(`{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	rr := adaptertest.Post(a, &channeltest.Queue{}, request(body, channeltest.Signed))
	assert.Equal(t, 200, rr.Code)
	assert.JSONEq(t, `{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`, rr.Body.String())

	rr = adaptertest.Post(a, &channeltest.Queue{}, request(body, channeltest.Forged))
	assert.Equal(t, 401, rr.Code, "even the challenge must be signed")
}

func TestBlockActionsAndThreads(t *testing.T) {
	srv := platform(t)
	a := newAdapter(t, srv, channel.Config{})
	q := &channeltest.Queue{}
	payload := `{"type":"block_actions","user":{"id":"U1","username":"ann"},"team":{"id":"T1"},"channel":{"id":"D-U1"},
		"container":{"type":"message","message_ts":"1700000000.000001","channel_id":"D-U1"},"trigger_id":"1.2.3",
		"actions":[{"action_id":"quick_reply_0","block_id":"b","type":"button","value":"keep","text":{"type":"plain_text","text":"Yes"},"action_ts":"1700000001.000200"}],
		"response_url":"https://hooks.slack.com/actions/x"}`
	body := []byte(url.Values{"payload": {payload}}.Encode())
	require.Equal(t, 200, adaptertest.Post(a, q, signedRequest(body, channeltest.Signed, "application/x-www-form-urlencoded", time.Now())).Code)

	thread := []byte(`{"type":"event_callback","team_id":"T1","event_id":"Ev9","event":{"type":"message","channel":"C-agents","user":"U7",
		"text":"I can help","ts":"1700000002.000100","thread_ts":"1700000000.000500"}}`)
	require.Equal(t, 200, adaptertest.Post(a, q, request(thread, channeltest.Signed)).Code)

	turns := q.Turns()
	require.Len(t, turns, 2)
	byConv := map[string]string{}
	for _, tn := range turns {
		byConv[tn.ConversationID] = tn.Text()
		require.NoError(t, a.Send(context.Background(), parley.AddressOf(tn),
			parley.Message{Text: "Keep your plan?", QuickReplies: []parley.QuickReply{{Title: "Yes", Payload: "keep"}}}))
	}
	assert.Equal(t, map[string]string{"slack:T1:D-U1": "keep", "slack:T1:C-agents:1700000000.000500": "I can help"}, byConv)

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	byChannel := map[string]map[string]any{}
	bodies := map[string]string{}
	for _, r := range reqs {
		var m map[string]any
		require.NoError(t, json.Unmarshal(r.Body, &m))
		byChannel[m["channel"].(string)] = m
		bodies[m["channel"].(string)] = string(r.Body)
	}
	require.ElementsMatch(t, []string{"D-U1", "C-agents"}, slices.Collect(maps.Keys(bodies)), "one reply to each conversation")
	assert.JSONEq(t, `{"channel":"D-U1","text":"Keep your plan?","blocks":[
		{"type":"section","text":{"type":"mrkdwn","text":"Keep your plan?"}},
		{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Yes"},"value":"keep","action_id":"quick_reply_0"}]}]}`,
		bodies["D-U1"])
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
	a := newAdapter(t, platform(t), channel.Config{Observer: obs})
	q := &channeltest.Queue{}
	for _, ev := range []string{
		`{"type":"message","channel":"D1","bot_id":"B1","text":"echo","ts":"1.1"}`,
		`{"type":"message","subtype":"message_changed","channel":"D1","ts":"1.2"}`,
		`{"type":"reaction_added","user":"U1","reaction":"thumbsup","item":{"type":"message","channel":"D1","ts":"1.1"}}`,
	} {
		require.Equal(t, 200, adaptertest.Post(a, q, request([]byte(`{"type":"event_callback","team_id":"T1","event_id":"E","event":`+ev+`}`), channeltest.Signed)).Code)
	}
	assert.Empty(t, q.Turns())
	assert.Equal(t, []string{"channel.unsupported:message/message_changed", "channel.unsupported:reaction_added"}, kinds)
}

func FuzzParse(f *testing.F) {
	f.Add(eventBody(channeltest.Inbound{ID: "1", From: "U1", Text: "hi"}), false)
	f.Add([]byte(`{"type":"url_verification","challenge":"c"}`), false)
	f.Add([]byte(fileShareEvent), false)
	f.Add([]byte(threadBroadcastEvent), false)
	f.Add([]byte(appRateLimited), false)
	f.Add([]byte(url.Values{"payload": {`{"type":"block_actions","channel":{"id":"C"},"actions":[{"value":"v","action_ts":"1.2"}]}`}}.Encode()), true)
	f.Fuzz(func(t *testing.T, body []byte, form bool) {
		a, err := New(Config{BotToken: "xoxb-test", SigningSecret: signingSecret, BaseURL: "http://127.0.0.1:1"})
		require.NoError(t, err)
		ct := "application/json"
		if form {
			ct = "application/x-www-form-urlencoded"
		}
		if code := adaptertest.Post(a, &channeltest.Queue{}, signedRequest(body, channeltest.Signed, ct, time.Now())).Code; code != 200 && code != 400 {
			t.Fatalf("status %d", code)
		}
	})
}
