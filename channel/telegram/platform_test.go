package telegram

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/internal/adaptertest"
)

// Updates below follow the Bot API reference (https://core.telegram.org/bots/api):
// Message.message_thread_id and is_topic_message for forum topics,
// sendMessage's message_thread_id ("for forum supergroups only"), and
// CallbackQuery, whose inline_message_id replaces message for a button on
// a message sent via the bot in inline mode; "the button keeps spinning"
// until answerCallbackQuery is called.

const topicMessage = `{"update_id":900001,"message":{"message_id":1204,"message_thread_id":1190,"is_topic_message":true,
"from":{"id":5550001,"is_bot":false,"first_name":"Ann","language_code":"en"},
"chat":{"id":-1001234567890,"title":"Shop support","is_forum":true,"type":"supergroup"},
"date":1700000000,"text":"My parcel never arrived",
"reply_to_message":{"message_id":1190,"message_thread_id":1190,"chat":{"id":-1001234567890,"type":"supergroup","is_forum":true},"date":1699990000,
 "forum_topic_created":{"name":"Orders","icon_color":7322096}}}}`

const inlineCallback = `{"update_id":900002,"callback_query":{"id":"4382bfdwdsb323b2e1",
"from":{"id":5550001,"is_bot":false,"first_name":"Ann"},"inline_message_id":"AAAAAKmBAQCuTvoGAAAAAFVZ9E4","chat_instance":"-6437382342343333","data":"keep"}}`

func TestForumTopicRepliesCarryThread(t *testing.T) {
	srv := platform(t)
	a := newAdapter(t, srv, channel.Config{})
	q := &channeltest.Queue{}
	require.Equal(t, 200, post(a, q, []byte(topicMessage)).Code)
	turns := q.Turns()
	require.Len(t, turns, 1)
	assert.Equal(t, "telegram:-1001234567890:1190", turns[0].ConversationID, "each topic is its own conversation")
	require.NoError(t, a.Send(context.Background(), parley.AddressOf(turns[0]), parley.Message{Text: "Sorry to hear that",
		QuickReplies: []parley.QuickReply{{Title: "Track it", Payload: "track"}}}))
	require.NoError(t, a.Typing(context.Background(), parley.AddressOf(turns[0]), ""))
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.JSONEq(t, `{"chat_id":-1001234567890,"message_thread_id":1190,"text":"Sorry to hear that",
		"reply_markup":{"inline_keyboard":[[{"text":"Track it","callback_data":"track"}]]}}`, string(reqs[0].Body))
	assert.JSONEq(t, `{"chat_id":-1001234567890,"message_thread_id":1190,"action":"typing"}`, string(reqs[1].Body))

	// A tap on a button in the topic is answered in the topic too.
	tap := `{"update_id":900003,"callback_query":{"id":"cb-topic","from":{"id":5550001},"chat_instance":"1",
	"message":{"message_id":1205,"message_thread_id":1190,"is_topic_message":true,"chat":{"id":-1001234567890,"type":"supergroup","is_forum":true},"date":1700000001},"data":"track"}}`
	rr := post(a, q, []byte(tap))
	require.Equal(t, 200, rr.Code)
	assert.JSONEq(t, `{"method":"answerCallbackQuery","callback_query_id":"cb-topic"}`, rr.Body.String())
	require.Len(t, q.Turns(), 2)
	assert.Equal(t, "telegram:-1001234567890:1190", q.Turns()[1].ConversationID)
	assert.Equal(t, "-1001234567890:1190", q.Turns()[1].Recipient)
}

func TestReplyOutsideForumHasNoThread(t *testing.T) {
	// In an ordinary supergroup a reply carries message_thread_id without
	// is_topic_message; sending it back would fail ("message thread not
	// found"), so the chat is the conversation.
	srv := platform(t)
	a := newAdapter(t, srv, channel.Config{})
	q := &channeltest.Queue{}
	body := `{"update_id":900004,"message":{"message_id":55,"message_thread_id":50,"from":{"id":7,"is_bot":false,"first_name":"B"},
	"chat":{"id":-100999,"type":"supergroup"},"date":1700000000,"text":"hello"}}`
	require.Equal(t, 200, post(a, q, []byte(body)).Code)
	require.Len(t, q.Turns(), 1)
	assert.Equal(t, "telegram:-100999", q.Turns()[0].ConversationID)
	require.NoError(t, a.Send(context.Background(), parley.AddressOf(q.Turns()[0]), parley.Text("hi")))
	assert.JSONEq(t, `{"chat_id":-100999,"text":"hi"}`, string(srv.Requests()[0].Body))
}

func TestInlineMessageTapIsAnswered(t *testing.T) {
	obs := &adaptertest.Events{}
	a := newAdapter(t, platform(t), channel.Config{Observer: obs})
	q := &channeltest.Queue{}
	rr := post(a, q, []byte(inlineCallback))
	require.Equal(t, 200, rr.Code)
	assert.JSONEq(t, `{"method":"answerCallbackQuery","callback_query_id":"4382bfdwdsb323b2e1"}`, rr.Body.String(),
		"the button stops spinning even though there is no chat to answer in")
	assert.Empty(t, q.Turns())
	require.Len(t, obs.All(), 1)
	assert.Equal(t, "inline_callback_query", obs.All()[0].Attrs["type"])
}
