package email

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/mail"
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

const secret = "inbound-secret"

// raw encodes in as an email in the user's ongoing thread (the suite's
// "conversation" of one user is one email thread).
func raw(in channeltest.Inbound) []byte {
	return []byte("From: Ann <" + in.From + "@example.com>\r\n" +
		"References: <thread-" + in.From + "@mail.example.com>\r\n" +
		"To: help@shop.example\r\n" +
		"Subject: My order\r\n" +
		"Date: Mon, 02 Jan 2006 15:04:05 +0000\r\n" +
		"Message-ID: <" + in.ID + "@mail.example.com>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" + in.Text + "\r\n")
}

func request(body []byte, s channeltest.Signing) *http.Request {
	return channeltest.HMACRequest("/inbound/email", "message/rfc822", body, s, "X-Parley-Signature", "sha256=", secret)
}

func newAdapter(t testing.TB, srv *smtpServer, ac channel.Config) *channel.Adapter {
	return adaptertest.New(t, New, Config{From: "Shop Support <help@shop.example>", SMTPAddr: srv.Addr(), Dial: srv.Dial, WebhookSecret: secret,
		RetryWait: time.Second, Adapter: ac})
}

func post(a *channel.Adapter, q channel.Enqueuer, body []byte) int {
	return adaptertest.Post(a, q, request(body, channeltest.Signed)).Code
}

func TestConformance(t *testing.T) {
	adaptertest.Conformance(t, "email", 64<<10, newSMTPServer, newAdapter, raw, request)
}

func TestThreading(t *testing.T) {
	srv := newSMTPServer(t)
	a := newAdapter(t, srv, channel.Config{})
	ctx := context.Background()
	q := &channeltest.Queue{}
	require.Equal(t, 200, post(a, q, raw(channeltest.Inbound{ID: "first", From: "ann", Text: "Where is my order?"})))
	require.Len(t, q.Turns(), 1)
	first := q.Turns()[0]
	reply := parley.Message{ID: "first@mail.example.com/1", Text: "Which order?",
		QuickReplies: []parley.QuickReply{{Title: "#1001", Payload: "order_1001"}, {Title: "#1002", Payload: "order_1002"}}}
	require.NoError(t, a.Send(ctx, parley.AddressOf(first), reply))
	require.Len(t, srv.Raw(), 1)

	out, err := mail.ReadMessage(bytes.NewReader(srv.Raw()[0]))
	require.NoError(t, err)
	assert.Equal(t, "<first@mail.example.com>", out.Header.Get("In-Reply-To"))
	assert.Equal(t, "<thread-ann@mail.example.com> <first@mail.example.com>", out.Header.Get("References"))
	assert.Equal(t, "Re: My order", out.Header.Get("Subject"))
	assert.Equal(t, "auto-replied", out.Header.Get("Auto-Submitted"))
	assert.Equal(t, "Which order?\n\n1. #1001\n2. #1002", srv.Sent()[0].Text)
	ourID := out.Header.Get("Message-ID")

	// The Bot sending the reply again is not a second email; after a
	// restart (a new Adapter) it carries the same Message-ID, so mail
	// clients show it once.
	require.NoError(t, a.Send(ctx, parley.AddressOf(first), reply))
	require.Len(t, srv.Raw(), 1)
	restarted := newAdapter(t, srv, channel.Config{})
	require.NoError(t, restarted.Send(ctx, parley.AddressOf(first), reply))
	require.Len(t, srv.Raw(), 2)
	again, err := mail.ReadMessage(bytes.NewReader(srv.Raw()[1]))
	require.NoError(t, err)
	assert.Equal(t, ourID, again.Header.Get("Message-ID"))

	// Ann answers "2" from a client that only sets In-Reply-To, quoting us.
	answer := "From: ann@example.com\r\nSubject: Re: My order\r\nMessage-ID: <second@mail.example.com>\r\n" +
		"In-Reply-To: " + ourID + "\r\nContent-Type: text/plain\r\n\r\n2\r\n\r\nOn Mon, Shop Support wrote:\r\n> Which order?\r\n"
	require.Equal(t, 200, post(a, q, []byte(answer)))
	turns := q.Turns()
	require.Len(t, turns, 2)
	assert.Equal(t, "email:thread-ann@mail.example.com", turns[0].ConversationID)
	assert.Equal(t, "ann@example.com", turns[0].Recipient)
	assert.Equal(t, turns[0].ConversationID, turns[1].ConversationID, "the reply continues the thread")
	assert.Equal(t, "order_1002", turns[1].Text())
	assert.Equal(t, "second@mail.example.com", turns[1].MessageID)
}

func TestNewThreadToRecipient(t *testing.T) {
	srv := newSMTPServer(t)
	a := newAdapter(t, srv, channel.Config{})
	require.NoError(t, a.Send(context.Background(), parley.Address{ConversationID: "email:unknown", Recipient: "bob@example.com"},
		parley.Text("Your refund was approved.")))
	out, err := mail.ReadMessage(bytes.NewReader(srv.Raw()[0]))
	require.NoError(t, err)
	assert.Equal(t, "<bob@example.com>", out.Header.Get("To"))
	assert.Empty(t, out.Header.Get("In-Reply-To"))
}

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		give     string
		wantText string
		wantRefs []string
		wantAuto bool
	}{
		{
			name: "multipart quoted-printable",
			give: "From: a@b.c\r\nMessage-ID: <1@b.c>\r\nReferences: <root@x> <mid@x>\r\nContent-Type: multipart/alternative; boundary=XX\r\n\r\n" +
				"--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=C3=A9 tomorrow?\r\n" +
				"--XX\r\nContent-Type: text/html\r\n\r\n<p>Café tomorrow?</p>\r\n--XX--\r\n",
			wantText: "Café tomorrow?", wantRefs: []string{"root@x", "mid@x"},
		},
		{
			name:     "base64 with signature",
			give:     "From: a@b.c\r\nMessage-ID: <2@b.c>\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8KLS0gCkFubg==\r\n",
			wantText: "Hello",
		},
		{
			name:     "out of office",
			give:     "From: a@b.c\r\nMessage-ID: <3@b.c>\r\nAuto-Submitted: auto-replied\r\n\r\nI am away.\r\n",
			wantText: "I am away.", wantAuto: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Parse(strings.NewReader(tt.give))
			require.NoError(t, err)
			assert.Equal(t, tt.wantText, in.Text)
			assert.Equal(t, tt.wantRefs, in.References)
			assert.Equal(t, tt.wantAuto, in.Auto)
		})
	}
	for _, bad := range []string{"", "no headers at all", "Message-ID: <x@y>\r\n\r\nno from"} {
		_, err := Parse(strings.NewReader(bad))
		assert.ErrorIs(t, err, channel.ErrMalformed, "%q", bad)
	}
}

func TestAutoRepliesAreNotAnswered(t *testing.T) {
	srv := newSMTPServer(t)
	obs := &adaptertest.Events{}
	a := newAdapter(t, srv, channel.Config{Observer: obs})
	q := &channeltest.Queue{}
	require.Equal(t, 200, post(a, q, []byte("From: a@b.c\r\nMessage-ID: <ooo@b.c>\r\nAuto-Submitted: auto-replied\r\n\r\nAway\r\n")))
	assert.Empty(t, q.Turns(), "never answer an auto-reply: mail loops")
	assert.Equal(t, []string{"auto_reply"}, obs.Attrs("", "type"))
}

func FuzzParse(f *testing.F) {
	f.Add(raw(channeltest.Inbound{ID: "1", From: "a", Text: "hi"}))
	f.Add([]byte("From: a@b.c\r\nMessage-ID: <1@b.c>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--"))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := Parse(bytes.NewReader(body))
		if err == nil && (in.From == nil || in.MessageID == "") {
			t.Fatalf("parsed without From or Message-ID: %+v", in)
		}
	})
}

func ExampleParse() {
	in, err := Parse(strings.NewReader("From: Ann <ann@example.com>\r\nMessage-ID: <b@example.com>\r\n" +
		"In-Reply-To: <a@shop.example>\r\nReferences: <root@example.com> <a@shop.example>\r\n\r\n" +
		"Yes please.\r\n\r\nOn Monday, Shop wrote:\r\n> Shall I refund it?\r\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(in.From.Address, in.References[0])
	fmt.Printf("%q\n", in.Text)
	// Output:
	// ann@example.com root@example.com
	// "Yes please."
}
