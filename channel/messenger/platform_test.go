package messenger

import (
	"context"
	"encoding/json"
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

// Events below follow Meta's webhook references: Instagram Messaging's
// messages webhook (an unsend is a message with "is_deleted": true; a kind
// the API does not carry is "is_unsupported": true; story mentions and
// shared posts are attachments of type story_mention and share, with a
// payload URL), the Messenger Platform's messages webhook (a shared link
// is an attachment of type fallback with title and URL; a location of
// type location with payload.coordinates), and the Send API's quick
// replies, whose payload is "1000 character limit"
// (https://developers.facebook.com/docs/messenger-platform/reference/buttons/quick-replies).

const (
	igUnsend      = `{"sender":{"id":"IGSID1"},"recipient":{"id":"IGID1"},"timestamp":1700000000000,"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAx","is_deleted":true}}`
	igUnsupported = `{"sender":{"id":"IGSID1"},"recipient":{"id":"IGID1"},"timestamp":1700000001000,"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAy","is_unsupported":true}}`
	igStory       = `{"sender":{"id":"IGSID1"},"recipient":{"id":"IGID1"},"timestamp":1700000002000,"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAz","attachments":[{"type":"story_mention","payload":{"url":"https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17901"}}]}}`
	igShare       = `{"sender":{"id":"IGSID1"},"recipient":{"id":"IGID1"},"timestamp":1700000003000,"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA0","text":"is this in stock?","attachments":[{"type":"share","payload":{"url":"https://www.instagram.com/p/CxYz/"}}]}}`
	fbFallback    = `{"sender":{"id":"PSID1"},"recipient":{"id":"PAGE1"},"timestamp":1700000004000,"message":{"mid":"m_fallback","attachments":[{"type":"fallback","title":"Summer sale","url":"https://shop.example/sale","payload":null}]}}`
	fbDeletes     = `{"sender":{"id":"PSID1"},"recipient":{"id":"PAGE1"},"timestamp":1700000005000,"message_deletes":{"mids":["m_old1","m_old2"]}}`
)

func TestInstagramUnsendsAndUnsupported(t *testing.T) {
	obs := &adaptertest.Events{}
	a := newAdapter(t, true, platform(t), channel.Config{Observer: obs})
	q := &channeltest.Queue{}
	require.Equal(t, 200, adaptertest.Post(a, q, request(webhook("instagram", igUnsend, igUnsupported, igStory, igShare), channeltest.Signed)).Code)
	var texts []string
	for _, tn := range q.Turns() {
		texts = append(texts, tn.Text())
	}
	assert.Equal(t, []string{
		"[sent a message this channel cannot show]",
		"[sent a story mention: https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17901]",
		"is this in stock?\n[sent a shared post: https://www.instagram.com/p/CxYz/]",
	}, texts, "the unsend is no turn; nothing arrives as empty text")
	var kinds []string
	for _, e := range obs.All() {
		kinds = append(kinds, e.Attrs["type"])
		if e.Attrs["type"] == "unsend" {
			assert.Equal(t, "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAx", e.Attrs["message_id"])
		}
	}
	assert.Equal(t, []string{"unsend", "unsupported", "story_mention", "share"}, kinds)
}

func TestMessengerFallbackAndDeletes(t *testing.T) {
	obs := &adaptertest.Events{}
	a := newAdapter(t, false, platform(t), channel.Config{Observer: obs})
	q := &channeltest.Queue{}
	require.Equal(t, 200, adaptertest.Post(a, q, request(webhook("page", fbFallback, fbDeletes), channeltest.Signed)).Code)
	require.Len(t, q.Turns(), 1)
	assert.Equal(t, "[sent a link: Summer sale https://shop.example/sale]", q.Turns()[0].Text())
	var unsends []string
	for _, e := range obs.All() {
		if e.Attrs["type"] == "unsend" {
			unsends = append(unsends, e.MessageID)
		}
	}
	assert.Equal(t, []string{"m_old1", "m_old2"}, unsends)
}

func TestLongQuickReplyPayloadKeptServerSide(t *testing.T) {
	srv := platform(t)
	store := memory.NewMap()
	overStore := func() *channel.Adapter {
		a, err := New(Config{PageAccessToken: "page-token", AppSecret: secret, VerifyToken: "vt", BaseURL: srv.URL, HTTPClient: srv.Client(), Payloads: store})
		require.NoError(t, err)
		return a
	}
	a := overStore()
	long := "cancel:" + strings.Repeat("ü", 700) // 707 characters, 1,407 bytes
	to := parley.Address{ConversationID: "messenger:PAGE1:U1", Recipient: "U1"}
	require.NoError(t, a.Send(context.Background(), to, parley.Message{Text: "Sure?",
		QuickReplies: []parley.QuickReply{{Title: "Yes", Payload: long}, {Title: "No", Payload: "no"}},
		Cards:        []parley.Card{{Title: "Pro", Buttons: []parley.Button{{Title: "Choose", Payload: strings.Repeat("p", 1200)}}}}}))
	var qr struct {
		Message struct {
			QuickReplies []struct {
				Payload string `json:"payload"`
			} `json:"quick_replies"`
			Attachment struct {
				Payload struct {
					Elements []struct {
						Buttons []struct {
							Payload string `json:"payload"`
						} `json:"buttons"`
					} `json:"elements"`
				} `json:"payload"`
			} `json:"attachment"`
		} `json:"message"`
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	require.NoError(t, json.Unmarshal(reqs[0].Body, &qr))
	card := qr.Message.Attachment.Payload.Elements[0].Buttons[0].Payload
	assert.LessOrEqual(t, len(card), maxPayload)
	require.NoError(t, json.Unmarshal(reqs[1].Body, &qr))
	require.Len(t, qr.Message.QuickReplies, 2)
	tok := qr.Message.QuickReplies[0].Payload
	assert.LessOrEqual(t, len(tok), maxPayload)
	assert.Equal(t, "no", qr.Message.QuickReplies[1].Payload)

	q := &channeltest.Queue{}
	tap := `{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000000000,"message":{"mid":"m_tap","text":"Yes","quick_reply":{"payload":"` + tok + `"}}}`
	postback := `{"sender":{"id":"U1"},"recipient":{"id":"PAGE1"},"timestamp":1700000001000,"postback":{"title":"Choose","payload":"` + card + `","mid":"m_pb"}}`
	require.Equal(t, 200, adaptertest.Post(a, q, request(webhook("page", tap, postback), channeltest.Signed)).Code)
	require.Len(t, q.Turns(), 2)
	assert.Equal(t, long, q.Turns()[0].Text())
	assert.Equal(t, strings.Repeat("p", 1200), q.Turns()[1].Text())

	// Another process (or one restarted) falls back to the tapped title.
	b := newAdapter(t, false, srv, channel.Config{})
	q2 := &channeltest.Queue{}
	require.Equal(t, 200, adaptertest.Post(b, q2, request(webhook("page", tap, postback), channeltest.Signed)).Code)
	require.Len(t, q2.Turns(), 2)
	assert.Equal(t, "Yes", q2.Turns()[0].Text())
	assert.Equal(t, "Choose", q2.Turns()[1].Text())

	// One over the same Config.Payloads store (a replica, or this
	// process restarted) maps both back to the whole payloads.
	q3 := &channeltest.Queue{}
	require.Equal(t, 200, adaptertest.Post(overStore(), q3, request(webhook("page", tap, postback), channeltest.Signed)).Code)
	require.Len(t, q3.Turns(), 2)
	assert.Equal(t, long, q3.Turns()[0].Text())
	assert.Equal(t, strings.Repeat("p", 1200), q3.Turns()[1].Text())
}
