package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/memory"
)

// validate checks a Cloud API message object against the limits of Meta's
// messages reference, as the API does before accepting it
// (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages#interactive-object,
// "Reply buttons" and "Section object"): text.body 4,096 characters;
// interactive body 1,024; 1 to 3 reply buttons, id at most 256 and title
// 1 to 20 characters, titles and ids unique ("unique identifier"); list
// button label 20; at most 10 rows in all, row id 200 and title 24, ids
// unique.
func validate(body []byte) error {
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		return err
	}
	n := utf8.RuneCountInString
	switch m.Type {
	case "text":
		if l := n(m.Text.Body); l == 0 || l > 4096 {
			return fmt.Errorf("text.body of %d characters", l)
		}
	case "interactive":
		in := &m.Interactive
		if l := n(in.Body.Text); l == 0 || l > 1024 {
			return fmt.Errorf("interactive body of %d characters", l)
		}
		seen := map[string]bool{}
		switch in.Type {
		case "button":
			if len(in.Action.Buttons) < 1 || len(in.Action.Buttons) > 3 {
				return fmt.Errorf("%d buttons", len(in.Action.Buttons))
			}
			for _, b := range in.Action.Buttons {
				if n(b.Reply.ID) == 0 || n(b.Reply.ID) > 256 || n(b.Reply.Title) == 0 || n(b.Reply.Title) > 20 {
					return fmt.Errorf("button id %d / title %d characters", n(b.Reply.ID), n(b.Reply.Title))
				}
				if seen[b.Reply.Title] || seen["id:"+b.Reply.ID] {
					return fmt.Errorf("duplicate button %q / %q", b.Reply.Title, b.Reply.ID)
				}
				seen[b.Reply.Title], seen["id:"+b.Reply.ID] = true, true
			}
		case "list":
			if l := n(in.Action.Button); l == 0 || l > 20 {
				return fmt.Errorf("list button of %d characters", l)
			}
			rows := 0
			for _, s := range in.Action.Sections {
				for _, r := range s.Rows {
					rows++
					if n(r.ID) == 0 || n(r.ID) > 200 || n(r.Title) == 0 || n(r.Title) > 24 {
						return fmt.Errorf("row id %d / title %d characters", n(r.ID), n(r.Title))
					}
					if seen[r.ID] {
						return fmt.Errorf("duplicate row id %q", r.ID)
					}
					seen[r.ID] = true
				}
			}
			if rows < 1 || rows > 10 {
				return fmt.Errorf("%d rows", rows)
			}
		default:
			return fmt.Errorf("interactive type %q", in.Type)
		}
	}
	return nil
}

// refusing is a Cloud API that answers 400 (code 131009, "Parameter value
// is not valid") to what validate refuses, as the API does.
func refusing(t testing.TB) (*httptest.Server, func() [][]byte) {
	var mu sync.Mutex
	var sent [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		w.Header().Set("Content-Type", "application/json")
		if err := validate(body); err != nil {
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error":{"message":"(#131009) Parameter value is not valid","type":"OAuthException","code":131009,"error_data":{"messaging_product":"whatsapp","details":%q}}}`, err.Error())
			return
		}
		mu.Lock()
		sent = append(sent, body)
		mu.Unlock()
		fmt.Fprint(w, `{"messaging_product":"whatsapp","contacts":[{"input":"15551234567","wa_id":"15551234567"}],"messages":[{"id":"wamid.out"}]}`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() [][]byte { mu.Lock(); defer mu.Unlock(); return sent }
}

// refusingAdapter returns an adapter over [refusing], keeping long
// payloads in payloads (nil: process memory).
func refusingAdapter(t testing.TB, payloads ...memory.Store) (*channel.Adapter, func() [][]byte) {
	srv, sent := refusing(t)
	p, ac, err := newDriver(Config{PhoneNumberID: phoneID, AccessToken: "token", AppSecret: secret, VerifyToken: "vt",
		BaseURL: srv.URL, HTTPClient: srv.Client(), Payloads: append(payloads, nil)[0]})
	require.NoError(t, err)
	ac.Limits = channel.Limits{} // no waiting between the parts of a long reply
	// The user has written, so the customer-service window is open.
	p.last["15551234567"] = time.Now()
	a, err := channel.New(p, ac)
	require.NoError(t, err)
	return a, sent
}

func TestLongInteractiveBodyIsSplit(t *testing.T) {
	a, sent := refusingAdapter(t)
	text := strings.Repeat("Your subscription renews on the 1st of each month. ", 30) // 1,530 characters
	require.NoError(t, a.Send(context.Background(), ann, parley.Message{Text: text, QuickReplies: []parley.QuickReply{{Title: "Keep"}, {Title: "Cancel"}}}))
	msgs := sent()
	require.Len(t, msgs, 2, "a text message, then the buttons with the rest of the text")
	assert.Contains(t, string(msgs[0]), `"type":"text"`)
	assert.Contains(t, string(msgs[1]), `"type":"button"`)
}

func TestLongButtonIDKeptServerSide(t *testing.T) {
	store := memory.NewMap()
	a, sent := refusingAdapter(t, store)
	long := "refund:" + strings.Repeat("9", 400)
	require.NoError(t, a.Send(context.Background(), ann, parley.Message{Text: "Refund?", QuickReplies: []parley.QuickReply{{Title: "Yes", Payload: long}, {Title: "No"}}}))
	m := decode(t, sent()[0])
	id := m.Interactive.Action.Buttons[0].Reply.ID
	assert.LessOrEqual(t, len(id), maxButtonID)

	// The tap, as the messages webhook reference shows an interactive
	// button_reply, maps back to the whole payload.
	q := &channeltest.Queue{}
	reply := fmt.Sprintf(`{"context":{"from":"15550001111","id":"wamid.out"},"from":"15551234567","id":"wamid.tap","timestamp":"1700000100",
		"type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":%q,"title":"Yes"}}}`, id)
	require.Equal(t, 200, post(a, q, notification(reply)))
	require.Len(t, q.Turns(), 1)
	assert.Equal(t, long, q.Turns()[0].Text())

	// A process that did not send it falls back to the title.
	srv := platform(t)
	b, _ := newAdapter(t, srv, channel.Config{})
	q2 := &channeltest.Queue{}
	require.Equal(t, 200, post(b, q2, notification(reply)))
	require.Len(t, q2.Turns(), 1)
	assert.Equal(t, "Yes", q2.Turns()[0].Text())

	// One over the same Config.Payloads store (a replica, or this
	// process restarted) maps it back to the whole payload.
	c, _ := refusingAdapter(t, store)
	q3 := &channeltest.Queue{}
	require.Equal(t, 200, post(c, q3, notification(reply)))
	require.Len(t, q3.Turns(), 1)
	assert.Equal(t, long, q3.Turns()[0].Text())
}

func TestDuplicateTitlesAfterCuttingFallBack(t *testing.T) {
	a, sent := refusingAdapter(t)
	// "Cancel my subscription" and "Cancel my subscriptions" are both
	// "Cancel my subscript…" at 20 characters: a list (24) tells them apart.
	require.NoError(t, a.Send(context.Background(), ann, parley.Message{Text: "What now?", QuickReplies: []parley.QuickReply{
		{Title: "Cancel my subscription", Payload: "one"}, {Title: "Cancel my subscriptions", Payload: "all"}}}))
	// Equal at 24 too: numbered text.
	require.NoError(t, a.Send(context.Background(), ann, parley.Message{Text: "What now?", QuickReplies: []parley.QuickReply{
		{Title: "Cancel my subscription today", Payload: "today"}, {Title: "Cancel my subscription tomorrow", Payload: "tomorrow"}}}))
	msgs := sent()
	require.Len(t, msgs, 2)
	assert.Contains(t, string(msgs[0]), `"type":"list"`)
	assert.Contains(t, string(msgs[1]), `"type":"text"`)
	assert.Contains(t, string(msgs[1]), `2. Cancel my subscription tomorrow`)

	q := &channeltest.Queue{}
	require.Equal(t, 200, post(a, q, notification(textMessage("wamid.3", "15551234567", "2"))))
	assert.Equal(t, "tomorrow", q.Turns()[0].Text())
}

func TestEmptyTitleAndOverlongTextNeverRefused(t *testing.T) {
	a, sent := refusingAdapter(t)
	require.NoError(t, a.Send(context.Background(), ann, parley.Message{QuickReplies: []parley.QuickReply{{Title: " ", Payload: "ok"}}}))
	assert.Len(t, sent(), 1)
}

func FuzzSendNeverRefused(f *testing.F) {
	f.Add(strings.Repeat("x ", 700), "Cancel my subscription", "Cancel my subscriptions", strings.Repeat("p", 300), 3)
	f.Add("", "", " ", "", 1)
	f.Add("hi", "Yes", "yes", "", 11)
	f.Fuzz(func(t *testing.T, text, t1, t2, payload string, nq int) {
		if nq < 0 || nq > 14 || len(text) > 20_000 || !utf8.ValidString(text+t1+t2+payload) {
			t.Skip() // Meta's JSON carries UTF-8 only
		}
		m := parley.Message{Text: text}
		for i := range nq {
			title := t1
			if i%2 == 1 {
				title = t2
			}
			m.QuickReplies = append(m.QuickReplies, parley.QuickReply{Title: title, Payload: payload + strings.Repeat("!", i%2)})
		}
		a, sent := refusingAdapter(t)
		err := a.Send(context.Background(), ann, m)
		var pe *channel.PlatformError
		if errors.As(err, &pe) {
			t.Fatalf("the API refused a message: %v", pe)
		}
		if text != "" || nq > 0 {
			assert.NotEmpty(t, sent())
		}
	})
}

func TestLongRowIDKeptServerSide(t *testing.T) {
	a, sent := refusingAdapter(t)
	rows := make([]parley.QuickReply, 5)
	for i := range rows {
		rows[i] = parley.QuickReply{Title: fmt.Sprintf("Store %d", i+1), Payload: fmt.Sprintf("store:%d:%s", i, strings.Repeat("x", 220))}
	}
	require.NoError(t, a.Send(context.Background(), ann, parley.Message{Text: "Which store?", QuickReplies: rows}))
	m := decode(t, sent()[0])
	got := m.Interactive.Action.Sections[0].Rows
	require.Len(t, got, 5)
	for _, r := range got {
		assert.LessOrEqual(t, len(r.ID), maxRowID)
	}
	q := &channeltest.Queue{}
	reply := fmt.Sprintf(`{"from":"15551234567","id":"wamid.row","timestamp":"1700000100","type":"interactive",
		"interactive":{"type":"list_reply","list_reply":{"id":%q,"title":"Store 3"}}}`, got[2].ID)
	require.Equal(t, 200, post(a, q, notification(reply)))
	assert.Equal(t, rows[2].Payload, q.Turns()[0].Text())
}

func TestSamePayloadTwiceGetsUniqueIDs(t *testing.T) {
	a, sent := refusingAdapter(t)
	require.NoError(t, a.Send(context.Background(), ann, parley.Message{Text: "Happy with us?",
		QuickReplies: []parley.QuickReply{{Title: "Yes", Payload: "stay"}, {Title: "Sure", Payload: "stay"}, {Title: "No", Payload: "leave"}}}))
	m := decode(t, sent()[0])
	b := m.Interactive.Action.Buttons
	require.Len(t, b, 3)
	assert.Equal(t, "stay", b[0].Reply.ID)
	assert.NotEqual(t, "stay", b[1].Reply.ID)
	q := &channeltest.Queue{}
	reply := fmt.Sprintf(`{"from":"15551234567","id":"wamid.sure","timestamp":"1700000100","type":"interactive",
		"interactive":{"type":"button_reply","button_reply":{"id":%q,"title":"Sure"}}}`, b[1].Reply.ID)
	require.Equal(t, 200, post(a, q, notification(reply)))
	assert.Equal(t, "stay", q.Turns()[0].Text())
}
