package email

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/internal/adaptertest"
)

func mustParse(t *testing.T, msg string) *Inbound {
	t.Helper()
	in, err := Parse(strings.NewReader(strings.ReplaceAll(msg, "\n", "\r\n")))
	require.NoError(t, err)
	return in
}

func TestSenderNamesInOtherCharsets(t *testing.T) {
	tests := []struct {
		name, from, wantName, wantAddr string
	}{
		// RFC 2047 section 8's examples.
		{"iso-8859-1, RFC 2047", "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>", "Keld Jørn Simonsen", "keld@dkuug.dk"},
		{"us-ascii, RFC 2047", "=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>", "Keith Moore", "moore@cs.utk.edu"},
		{"word and atom, RFC 2047", "=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>", "André Pirard", "PIRARD@vm1.ulg.ac.be"},
		// windows-1252 has curly quotes at 0x93 and 0x94, which ISO-8859-1 lacks.
		{"windows-1252", "=?windows-1252?Q?Ren=E9e_=93Rennie=94_D=FCrr?= <renee@example.de>", "Renée “Rennie” Dürr", "renee@example.de"},
		// ISO-2022-JP (RFC 1468), base64-encoded as Japanese mailers send it.
		{"iso-2022-jp", "=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?= <taro@example.jp>", "山田太郎", "taro@example.jp"},
		{"shift_jis", "=?Shift_JIS?B?jlKTY5G+mFk=?= <taro@example.jp>", "山田太郎", "taro@example.jp"},
		{"raw 8-bit latin-1", "Ren\xe9e D\xfcrr <renee@example.de>", "Renée Dürr", "renee@example.de"},
		{"unknown charset", "=?x-unknown?Q?Ann?= <ann@example.com>", "=?x-unknown?Q?Ann?=", "ann@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := mustParse(t, "From: "+tt.from+"\nMessage-ID: <1@example.com>\nSubject: =?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?=\n\nHello\n")
			assert.Equal(t, tt.wantName, in.From.Name)
			assert.Equal(t, tt.wantAddr, in.From.Address)
			assert.Equal(t, "山田太郎", in.Subject)
		})
	}
}

func TestHTMLOnlyMail(t *testing.T) {
	in := mustParse(t, `From: ann@example.com
Message-ID: <html@example.com>
MIME-Version: 1.0
Content-Type: text/html; charset="windows-1252"
Content-Transfer-Encoding: quoted-printable

<html><head><style>p{color:red}</style><title>x</title></head><body>
<p>Hi,</p><p>my order <b>#1001</b> hasn=92t arrived &amp; I=92d like a refund.<br>Thanks</p>
<p>See <a href=3D"https://track.example/1001">the tracking page</a>.</p>
<div class=3D"gmail_quote"><div>On Mon, 2 Jan 2006 at 15:04, Shop &lt;help@shop.example&gt; wrote:<br></div>
<blockquote style=3D"margin:0">Your order has shipped.<br>Shop</blockquote></div>
</body></html>
`)
	assert.Equal(t, "Hi,\n\nmy order #1001 hasn’t arrived & I’d like a refund.\nThanks\n\nSee the tracking page (https://track.example/1001).", in.Text)
}

func TestNonUTF8Bodies(t *testing.T) {
	latin1 := mustParse(t, "From: a@example.fr\nMessage-ID: <l1@example.fr>\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nJ'ai re=E7u un colis ab=EEm=E9.\n")
	assert.Equal(t, "J'ai reçu un colis abîmé.", latin1.Text)

	sjis := mustParse(t, "From: a@example.jp\nMessage-ID: <s1@example.jp>\nContent-Type: text/plain; charset=Shift_JIS\n\n\x92\x8d\x95\xb6\x94\xd4\x8d\x86\x82\xcd1234\x82\xc5\x82\xb7\n")
	assert.Equal(t, "注文番号は1234です", sjis.Text)

	jis := mustParse(t, "From: a@example.jp\nMessage-ID: <j1@example.jp>\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: base64\n\n"+
		base64.StdEncoding.EncodeToString([]byte("\x1b$B;3ED\x1b(B"))+"\n")
	assert.Equal(t, "山田", jis.Text)

	// Labelled UTF-8 (or not labelled) but not UTF-8: read as windows-1252.
	mislabelled := mustParse(t, "From: a@example.com\nMessage-ID: <m1@example.com>\nContent-Type: text/plain; charset=utf-8\n\nCaf\xe9 \x93ok\x94\n")
	assert.Equal(t, "Café “ok”", mislabelled.Text)
}

func TestQuotedHistoryStripped(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"outlook top-posting", `Please cancel it.

Ann

________________________________
From: Shop Support <help@shop.example>
Sent: Monday, January 2, 2006 3:04 PM
To: Ann <ann@example.com>
Subject: Your order

Your order has shipped.
`, "Please cancel it.\n\nAnn"},
		{"outlook without separator", `Yes, go ahead.

From: Shop Support <help@shop.example>
Sent: Monday, January 2, 2006 3:04 PM
Subject: Refund?

Shall we refund it?
`, "Yes, go ahead."},
		{"outlook original message", "Thanks!\n-----Original Message-----\nFrom: Shop\nSent: today\n\nHello\n", "Thanks!"},
		{"german outlook", "Danke.\n\nVon: Shop <help@shop.example>\nGesendet: Montag, 2. Januar 2006 15:04\nAn: Ann\nBetreff: Bestellung\n\nAlt\n", "Danke."},
		{"gmail attribution wrapped", "Sounds good.\n\nOn Mon, Jan 2, 2006 at 3:04 PM Shop Support <help@shop.example>\nwrote:\n\n> Shall we refund it?\n> Shop\n", "Sounds good."},
		{"french attribution", "Oui.\n\nLe lun. 2 janv. 2006 à 15:04, Shop <help@shop.example> a écrit :\n> Voulez-vous un remboursement ?\n", "Oui."},
		{"interleaved answers kept", `Hi,

On Mon, 2 Jan 2006, Shop wrote:
> Which order is it?
#1001
> Would you like a refund or a replacement?
A replacement, please.
> Anything else?

No, thanks.
`, "Hi,\n\n#1001\nA replacement, please.\n\nNo, thanks."},
		{"signature", "Cancel please.\n-- \nAnn Smith\nACME Corp\n", "Cancel please."},
		{"forward kept", "See below.\n\n---------- Forwarded message ---------\nFrom: Carrier <no@carrier.example>\nDate: Mon, Jan 2, 2006\nSubject: Lost\n\nYour parcel was lost.\n", "See below.\n\n---------- Forwarded message ---------\nFrom: Carrier <no@carrier.example>\nDate: Mon, Jan 2, 2006\nSubject: Lost\n\nYour parcel was lost."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := mustParse(t, "From: ann@example.com\nMessage-ID: <q@example.com>\nContent-Type: text/plain; charset=utf-8\n\n"+tt.body)
			assert.Equal(t, tt.want, in.Text)
		})
	}
}

func TestNeverAnswered(t *testing.T) {
	// RFC 3464 appendix: a delivery status notification.
	dsn := `From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>
To: help@shop.example
Subject: Returned mail: User unknown
Message-ID: <dsn1@mx.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="RAA14128.773615765/CS.UTK.EDU"

--RAA14128.773615765/CS.UTK.EDU
Content-Type: text/plain

The original message was received at Thu, 24 Jul 1994 11:40:50 -0400
   ----- The following addresses had permanent fatal errors -----
<nonexistent@example.com>

--RAA14128.773615765/CS.UTK.EDU
Content-Type: message/delivery-status

Reporting-MTA: dns; cs.utk.edu

Original-Recipient: rfc822;nonexistent@example.com
Final-Recipient: rfc822;nonexistent@example.com
Action: failed
Status: 5.0.0

--RAA14128.773615765/CS.UTK.EDU--
`
	tests := []struct{ name, msg, reason string }{
		{"DSN (RFC 3464)", dsn, "report"},
		{"out of office (RFC 3834)", "From: ann@example.com\nMessage-ID: <o@x>\nAuto-Submitted: auto-replied\n\nAway until Monday.\n", "auto-submitted"},
		{"auto-submitted: auto-generated", "From: ann@example.com\nMessage-ID: <o2@x>\nAuto-Submitted: auto-generated\n\nReceipt\n", "auto-submitted"},
		{"bounce without Auto-Submitted", "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\nMessage-ID: <b@x>\nSubject: Undelivered Mail Returned to Sender\n\nThis is the mail system.\n", "daemon"},
		{"null reverse path", "Return-Path: <>\nFrom: postmaster@example.org\nMessage-ID: <n@x>\n\nDelivery failed\n", "null-sender"},
		{"mailing list (RFC 2919)", "From: ann@example.com\nMessage-ID: <l@x>\nList-Id: Support talk <support.lists.example.com>\n\nHi all\n", "list"},
		{"bulk", "From: news@example.com\nMessage-ID: <p@x>\nPrecedence: bulk\n\nOur newsletter\n", "precedence"},
		{"junk", "From: x@example.com\nMessage-ID: <j@x>\nPrecedence: junk\n\nBuy now\n", "precedence"},
		{"list request address", "From: support-request@lists.example.com\nMessage-ID: <r@x>\n\nConfirm\n", "daemon"},
		{"no-reply sender", "From: Orders <no-reply@store.example>\nMessage-ID: <nr@x>\n\nYour receipt\n", "no-reply"},
		{"X-Autoreply", "From: ann@example.com\nMessage-ID: <xa@x>\nX-Autoreply: yes\n\nAway\n", "auto-submitted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := mustParse(t, tt.msg)
			assert.True(t, in.Auto)
			assert.Equal(t, tt.reason, in.AutoReason)
		})
	}
	in := mustParse(t, "From: ann@example.com\nMessage-ID: <ok@x>\nAuto-Submitted: no\n\nHelp me\n")
	assert.False(t, in.Auto, "Auto-Submitted: no is a person")

	srv := newSMTPServer(t)
	obs := &adaptertest.Events{}
	a := newAdapter(t, srv, channel.Config{Observer: obs})
	q := &channeltest.Queue{}
	for _, tt := range tests {
		require.Equal(t, 200, post(a, q, []byte(strings.ReplaceAll(tt.msg, "\n", "\r\n"))), tt.name)
	}
	assert.Empty(t, q.Turns(), "none of them is answered")
	assert.Len(t, obs.All(), len(tests))
}

func TestReplyToHonoured(t *testing.T) {
	srv := newSMTPServer(t)
	a := newAdapter(t, srv, channel.Config{})
	q := &channeltest.Queue{}
	msg := "From: Ann <ann@work.example>\r\nReply-To: Ann Personal <ann@home.example>\r\nMessage-ID: <rt@work.example>\r\nSubject: Refund\r\n\r\nPlease refund.\r\n"
	require.Equal(t, 200, post(a, q, []byte(msg)))
	require.Len(t, q.Turns(), 1)
	assert.Equal(t, "ann@home.example", q.Turns()[0].Recipient)
	require.NoError(t, a.Send(context.Background(), parley.AddressOf(q.Turns()[0]), parley.Text("Done.")))
	out, err := mail.ReadMessage(bytes.NewReader(srv.Raw()[0]))
	require.NoError(t, err)
	assert.Equal(t, `"Ann Personal" <ann@home.example>`, out.Header.Get("To"))
}

func TestAttachmentsKept(t *testing.T) {
	pdf := []byte("%PDF-1.4 receipt")
	big := bytes.Repeat([]byte{0xff}, maxAttachment+1)
	msg := "From: ann@example.com\r\nMessage-ID: <att@example.com>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: multipart/related; boundary=\"b2\"\r\n\r\n" +
		"--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Receipt attached <img src=\"cid:logo\"></p>\r\n" +
		"--b2\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b2--\r\n" +
		"--b1\r\nContent-Type: application/pdf; name=\"receipt.pdf\"\r\nContent-Disposition: attachment; filename=\"=?utf-8?Q?re=C3=A7u.pdf?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(pdf) + "\r\n" +
		"--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"huge.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(big) + "\r\n--b1--\r\n"
	in, err := Parse(strings.NewReader(msg))
	require.NoError(t, err)
	assert.Equal(t, "Receipt attached", in.Text)
	assert.Equal(t, []parley.Attachment{{Kind: parley.File, MIMEType: "application/pdf", Name: "reçu.pdf", Data: pdf}}, in.Attachments,
		"the logo embedded in the HTML is not an attachment")
	assert.Equal(t, []string{"huge.bin"}, in.Omitted)

	srv := newSMTPServer(t)
	obs := &adaptertest.Events{}
	a := newAdapter(t, srv, channel.Config{Observer: obs, MaxBody: 16 << 20})
	q := &channeltest.Queue{}
	require.Equal(t, 200, post(a, q, []byte(msg)))
	require.Len(t, q.Turns(), 1)
	assert.Len(t, q.Turns()[0].Message.Attachments, 1)
	require.Len(t, obs.All(), 1)
	assert.Equal(t, map[string]string{"type": "attachment_over_limit", "name": "huge.bin"}, obs.All()[0].Attrs)
}

func TestMissingMessageIDSynthesised(t *testing.T) {
	msg := "From: ann@example.com\nDate: Mon, 02 Jan 2006 15:04:05 +0000\nSubject: Help\n\nWhere is my order?\n"
	a, b := mustParse(t, msg), mustParse(t, msg)
	assert.NotEmpty(t, a.MessageID)
	assert.Equal(t, a.MessageID, b.MessageID, "stable, so a redelivery is a duplicate")
	c := mustParse(t, strings.Replace(msg, "order", "refund", 1))
	assert.NotEqual(t, a.MessageID, c.MessageID)

	srv := newSMTPServer(t)
	ad := newAdapter(t, srv, channel.Config{})
	q := &channeltest.Queue{}
	assert.Equal(t, 200, post(ad, q, []byte(strings.ReplaceAll(msg, "\n", "\r\n"))), "not 400")
	require.Len(t, q.Turns(), 1)
}

func FuzzText(f *testing.F) {
	f.Add("<p>Hi &amp; bye<br><a href='https://x.example'>x</a></p><blockquote>old</blockquote>", false)
	f.Add("Yes\n\nOn Mon, Shop\nwrote:\n> q\nA\n-- \nsig", true)
	f.Add("Thanks\n________________________________\nFrom: a\nSent: b\n\nold", true)
	f.Fuzz(func(t *testing.T, s string, plain bool) {
		var out string
		if plain {
			out = stripQuoted(s)
		} else {
			out = htmlText(s)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of valid input: %q", out)
		}
		if plain && len(out) > len(s) {
			t.Fatalf("stripping added text: %q -> %q", s, out)
		}
	})
}
