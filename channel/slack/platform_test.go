package slack

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/internal/adaptertest"
	"github.com/parleyhq/parley/memory"
)

// The payloads below follow Slack's Events API reference: the
// message.file_share example (https://api.slack.com/events/message/file_share),
// the message.thread_broadcast example
// (https://api.slack.com/events/message/thread_broadcast) and the
// app_rate_limited example (https://api.slack.com/events/app_rate_limited),
// with the file object fields of https://api.slack.com/types/file.

const fileShareEvent = `{"token":"XXYYZZ","team_id":"T061EG9R6","api_app_id":"A0MDYCDME","type":"event_callback",
"event_id":"Ev0MDYGDKJ","event_time":1526587384,"event":{
 "type":"message","subtype":"file_share","text":"Here is the receipt & the label <3",
 "files":[{"id":"F0AHF3MK2","created":1526587384,"timestamp":1526587384,"name":"receipt.png","title":"receipt.png",
  "mimetype":"image/png","filetype":"png","user":"U061F7AUR","size":17430,"mode":"hosted",
  "url_private":"https://files.slack.com/files-pri/T061EG9R6-F0AHF3MK2/receipt.png",
  "url_private_download":"https://files.slack.com/files-pri/T061EG9R6-F0AHF3MK2/download/receipt.png"},
  {"id":"F0AHF3MK3","name":"label.pdf","mimetype":"application/pdf","mode":"hosted",
  "url_private":"https://files.slack.com/files-pri/T061EG9R6-F0AHF3MK3/label.pdf"},
  {"id":"F0AHF3MK4","mode":"tombstone"}],
 "upload":false,"user":"U061F7AUR","display_as_bot":false,"ts":"1526587384.000262","channel":"D0PNCRP9N","channel_type":"im",
 "event_ts":"1526587384.000262"}}`

const threadBroadcastEvent = `{"token":"XXYYZZ","team_id":"T061EG9R6","api_app_id":"A0MDYCDME","type":"event_callback",
"event_id":"Ev0MDYGDKK","event_time":1526587390,"event":{
 "type":"message","subtype":"thread_broadcast","text":"Still waiting for my refund",
 "user":"U061F7AUR","ts":"1526587390.000100","thread_ts":"1526587384.000262",
 "root":{"text":"Where is my order?","user":"U061F7AUR","ts":"1526587384.000262","thread_ts":"1526587384.000262","reply_count":3},
 "channel":"C0LAN2Q65","channel_type":"channel","event_ts":"1526587390.000100"}}`

const appRateLimited = `{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","type":"app_rate_limited","team_id":"T123456",
"minute_rate_limited":1518467820,"api_app_id":"A123456"}`

func TestFileShareKeepsTextAndFiles(t *testing.T) {
	obs := &adaptertest.Events{}
	a := newAdapter(t, platform(t), channel.Config{Observer: obs})
	q := &channeltest.Queue{}
	require.Equal(t, 200, adaptertest.Post(a, q, request([]byte(fileShareEvent), channeltest.Signed)).Code)
	turns := q.Turns()
	require.Len(t, turns, 1)
	m := turns[0].Message
	assert.Equal(t, "Here is the receipt & the label <3", m.Text, "Slack's entities are decoded")
	assert.Equal(t, []parley.Attachment{
		{Kind: parley.Image, MIMEType: "image/png", Name: "receipt.png", URL: "https://files.slack.com/files-pri/T061EG9R6-F0AHF3MK2/receipt.png"},
		{Kind: parley.File, MIMEType: "application/pdf", Name: "label.pdf", URL: "https://files.slack.com/files-pri/T061EG9R6-F0AHF3MK3/label.pdf"},
	}, m.Attachments)
	assert.Equal(t, []string{"file/tombstone"}, obs.Attrs("", "type"), "a deleted file is reported, not passed on")
}

func TestFileShareWithoutText(t *testing.T) {
	a := newAdapter(t, platform(t), channel.Config{})
	q := &channeltest.Queue{}
	body := strings.Replace(fileShareEvent, `"text":"Here is the receipt & the label <3",`, "", 1)
	require.Equal(t, 200, adaptertest.Post(a, q, request([]byte(body), channeltest.Signed)).Code)
	require.Len(t, q.Turns(), 1)
	assert.Empty(t, q.Turns()[0].Text())
	assert.Len(t, q.Turns()[0].Message.Attachments, 2)
}

func TestThreadBroadcastIsAnsweredInItsThread(t *testing.T) {
	srv := platform(t)
	a := newAdapter(t, srv, channel.Config{})
	q := &channeltest.Queue{}
	require.Equal(t, 200, adaptertest.Post(a, q, request([]byte(threadBroadcastEvent), channeltest.Signed)).Code)
	turns := q.Turns()
	require.Len(t, turns, 1)
	assert.Equal(t, "Still waiting for my refund", turns[0].Text())
	assert.Equal(t, "slack:T061EG9R6:C0LAN2Q65:1526587384.000262", turns[0].ConversationID)
	require.NoError(t, a.Send(context.Background(), parley.AddressOf(turns[0]), parley.Text("Looking now")))
	var sent map[string]any
	require.NoError(t, json.Unmarshal(srv.Requests()[0].Body, &sent))
	assert.Equal(t, "1526587384.000262", sent["thread_ts"])
}

func TestAppRateLimitedAnswered200(t *testing.T) {
	var got parley.Event
	obs := parley.ObserverFunc(func(_ context.Context, e parley.Event) { got = e })
	a := newAdapter(t, platform(t), channel.Config{Observer: obs})
	q := &channeltest.Queue{}
	rr := adaptertest.Post(a, q, request([]byte(appRateLimited), channeltest.Signed))
	assert.Equal(t, 200, rr.Code, "anything but 200 makes Slack disable the subscriptions")
	assert.Empty(t, q.Turns())
	assert.Equal(t, map[string]string{"type": "app_rate_limited", "team_id": "T123456", "minute_rate_limited": "1518467820"}, got.Attrs)
}

func TestOutboundTextEscaped(t *testing.T) {
	srv := platform(t)
	a := newAdapter(t, srv, channel.Config{})
	to := parley.Address{Channel: "slack", ConversationID: "slack:T1:D1", Recipient: "D1"}
	// Slack's formatting reference: &, < and > are control characters and
	// must be sent as &amp;, &lt; and &gt;
	// (https://api.slack.com/reference/surfaces/formatting#escaping).
	require.NoError(t, a.Send(context.Background(), to, parley.Message{
		Text:  "Refunds < $50 & returns > 30 days: see <!channel>",
		Cards: []parley.Card{{Title: "A&B <Plan>", Subtitle: "x > y", URL: "https://shop.example/p?a=1&b=2|x"}},
	}))
	var sent struct {
		Text   string `json:"text"`
		Blocks []struct {
			Text struct{ Text string } `json:"text"`
		} `json:"blocks"`
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
	want := "Refunds &lt; $50 &amp; returns &gt; 30 days: see &lt;!channel&gt;"
	assert.Equal(t, want, sent.Text)
	assert.Equal(t, want, sent.Blocks[0].Text.Text)
	require.NoError(t, json.Unmarshal(reqs[1].Body, &sent))
	assert.Equal(t, "*A&amp;B &lt;Plan&gt;*\nx &gt; y\n<https://shop.example/p?a=1&b=2%7Cx>", sent.Blocks[0].Text.Text)
}

func TestEscapedTextStaysWithinSectionLimit(t *testing.T) {
	text := strings.Repeat("&", maxSectionText) // 3,000 characters, 15,000 once escaped
	got := mrkdwn(text)["text"].(string)
	assert.LessOrEqual(t, utf8.RuneCountInString(got), maxSectionText)
	assert.True(t, strings.HasSuffix(got, "&amp;…"), "no entity is split: %q", got[len(got)-12:])
}

func TestLongButtonValueKeptServerSide(t *testing.T) {
	srv := platform(t)
	store := memory.NewMap()
	overStore := func() *channel.Adapter {
		a, err := New(Config{BotToken: "xoxb-test", SigningSecret: signingSecret, BaseURL: srv.URL, HTTPClient: srv.Client(), Payloads: store})
		require.NoError(t, err)
		return a
	}
	a := overStore()
	q := &channeltest.Queue{}
	long := "plan=" + strings.Repeat("x", 2500)
	to := parley.Address{Channel: "slack", ConversationID: "slack:T1:D-U1", Recipient: "D-U1"}
	require.NoError(t, a.Send(context.Background(), to, parley.Message{Text: "Pick one",
		QuickReplies: []parley.QuickReply{{Title: strings.Repeat("Long title ", 10), Payload: long}, {Title: "No"}}}))
	var sent struct {
		Blocks []struct {
			Elements []struct {
				Text  struct{ Text string } `json:"text"`
				Value string                `json:"value"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal(srv.Requests()[0].Body, &sent))
	els := sent.Blocks[1].Elements
	require.Len(t, els, 2)
	// Block Kit button: value at most 2,000 characters, text at most 75
	// (https://api.slack.com/reference/block-kit/block-elements#button).
	assert.LessOrEqual(t, len(els[0].Value), maxValue)
	assert.LessOrEqual(t, utf8.RuneCountInString(els[0].Text.Text), maxButtonTitle)
	assert.Equal(t, "No", els[1].Value)

	tap := func(value string) []byte {
		payload, err := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]string{"id": "U1"},
			"team": map[string]string{"id": "T1"}, "channel": map[string]string{"id": "D-U1"},
			"actions": []map[string]any{{"action_id": "quick_reply_0", "value": value, "action_ts": "1700000001.000200",
				"text": map[string]string{"type": "plain_text", "text": "Long title"}}}})
		require.NoError(t, err)
		return []byte(url.Values{"payload": {string(payload)}}.Encode())
	}
	require.Equal(t, 200, adaptertest.Post(a, q, signedRequest(tap(els[0].Value), channeltest.Signed, "application/x-www-form-urlencoded", time.Now())).Code)
	require.Len(t, q.Turns(), 1)
	assert.Equal(t, long, q.Turns()[0].Text(), "the tap maps back to the whole value")

	// A token this process does not know (sent before a restart) falls
	// back to the button's text rather than passing the token on.
	q2 := &channeltest.Queue{}
	b := newAdapter(t, srv, channel.Config{})
	require.Equal(t, 200, adaptertest.Post(b, q2, signedRequest(tap(els[0].Value), channeltest.Signed, "application/x-www-form-urlencoded", time.Now())).Code)
	require.Len(t, q2.Turns(), 1)
	assert.Equal(t, "Long title", q2.Turns()[0].Text())

	// One over the same Config.Payloads store (a replica, or this
	// process restarted) maps it back to the whole value.
	q3 := &channeltest.Queue{}
	require.Equal(t, 200, adaptertest.Post(overStore(), q3, signedRequest(tap(els[0].Value), channeltest.Signed, "application/x-www-form-urlencoded", time.Now())).Code)
	require.Len(t, q3.Turns(), 1)
	assert.Equal(t, long, q3.Turns()[0].Text())
}
