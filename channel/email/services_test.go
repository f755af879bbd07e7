package email

import (
	"bytes"
	"crypto/sha256"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
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

func serviceAdapter(t *testing.T, service string, obs parley.Observer) *channel.Adapter {
	t.Helper()
	srv := newSMTPServer(t)
	a, err := New(Config{From: "Shop Support <help@shop.example>", SMTPAddr: srv.Addr(), Dial: srv.Dial, WebhookSecret: secret,
		Service: service, Adapter: channel.Config{Observer: obs}})
	require.NoError(t, err)
	return a
}

func basicAuth(r *http.Request, pass string) *http.Request {
	r.SetBasicAuth("inbound", pass)
	return r
}

// postmarkInbound follows the example of Postmark's inbound webhook
// documentation (https://postmarkapp.com/developer/webhooks/inbound-webhook):
// FromFull, ReplyTo, MessageID (Postmark's), Date, TextBody, HtmlBody,
// StrippedTextReply, Headers and base64 Attachments.
const postmarkInbound = `{
  "FromName": "Postmarkapp Support",
  "MessageStream": "inbound",
  "From": "support@postmarkapp.com",
  "FromFull": {"Email": "support@postmarkapp.com", "Name": "Postmarkapp Support", "MailboxHash": ""},
  "To": "\"Firstname Lastname\" <yourhash+SampleHash@inbound.postmarkapp.com>",
  "ToFull": [{"Email": "yourhash+SampleHash@inbound.postmarkapp.com", "Name": "Firstname Lastname", "MailboxHash": "SampleHash"}],
  "Cc": "\"First Cc\" <firstcc@postmarkapp.com>, secondCc@postmarkapp.com>",
  "OriginalRecipient": "yourhash+SampleHash@inbound.postmarkapp.com",
  "Subject": "Test subject",
  "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
  "ReplyTo": "replyto@postmarkapp.com",
  "MailboxHash": "SampleHash",
  "Date": "Fri, 1 Aug 2014 16:45:32 -04:00",
  "TextBody": "This is a test text body.",
  "HtmlBody": "<html><body><p>This is a test html body.</p></body></html>",
  "StrippedTextReply": "This is the reply text",
  "Tag": "TestTag",
  "Headers": [
    {"Name": "X-Header-Test", "Value": ""},
    {"Name": "X-Spam-Status", "Value": "No"},
    {"Name": "X-Spam-Score", "Value": "-0.1"},
    {"Name": "X-Spam-Tests", "Value": "DKIM_SIGNED,DKIM_VALID,DKIM_VALID_AU,SPF_PASS"},
    {"Name": "Message-ID", "Value": "<CAFm0Zh1S9sxk+Y1J2zG1qQm@mail.gmail.com>"},
    {"Name": "In-Reply-To", "Value": "<thread-root@shop.example>"}
  ],
  "Attachments": [
    {"Name": "test.txt", "Content": "VGhpcyBpcyBhdHRhY2htZW50IGNvbnRlbnRzLCBiYXNlLTY0IGVuY29kZWQu", "ContentType": "text/plain", "ContentLength": 45}
  ]
}`

func TestPostmarkInbound(t *testing.T) {
	a := serviceAdapter(t, "postmark", nil)
	q := &channeltest.Queue{}
	req := func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/inbound/email", strings.NewReader(postmarkInbound))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	assert.Equal(t, 401, adaptertest.Post(a, q, req()).Code, "no credentials")
	assert.Equal(t, 401, adaptertest.Post(a, q, basicAuth(req(), "wrong")).Code)
	require.Equal(t, 200, adaptertest.Post(a, q, basicAuth(req(), secret)).Code)
	require.Len(t, q.Turns(), 1)
	tn := q.Turns()[0]
	assert.Equal(t, "This is a test text body.", tn.Text())
	assert.Equal(t, "CAFm0Zh1S9sxk+Y1J2zG1qQm@mail.gmail.com", tn.MessageID, "the original Message-ID, not Postmark's")
	assert.Equal(t, "email:thread-root@shop.example", tn.ConversationID)
	assert.Equal(t, "replyto@postmarkapp.com", tn.Recipient, "Reply-To honoured")
	assert.Equal(t, []parley.Attachment{{Kind: parley.File, MIMEType: "text/plain", Name: "test.txt",
		Data: []byte("This is attachment contents, base-64 encoded.")}}, tn.Message.Attachments)

	// An out-of-office through Postmark is not answered either.
	ooo := strings.Replace(postmarkInbound, `{"Name": "X-Header-Test", "Value": ""}`, `{"Name": "Auto-Submitted", "Value": "auto-replied"}`, 1)
	ooo = strings.Replace(ooo, "CAFm0Zh1S9sxk", "other", 1)
	r := httptest.NewRequest(http.MethodPost, "/inbound/email", strings.NewReader(ooo))
	r.Header.Set("Content-Type", "application/json")
	require.Equal(t, 200, adaptertest.Post(a, q, basicAuth(r, secret)).Code)
	assert.Len(t, q.Turns(), 1)
}

// sendGridForm builds a SendGrid Inbound Parse POST with the fields of
// its documentation: headers, text, html, from, to, subject, envelope,
// charsets, attachments, attachment-info and the files.
func sendGridForm(t *testing.T, fields map[string]string, files map[string][]byte) (*http.Request, []byte) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		require.NoError(t, w.WriteField(k, v))
	}
	for k, data := range files {
		fw, err := w.CreateFormFile(k, "label.jpg")
		require.NoError(t, err)
		_, err = fw.Write(data)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	r := httptest.NewRequest(http.MethodPost, "/inbound/email", bytes.NewReader(b.Bytes()))
	r.Header.Set("Content-Type", w.FormDataContentType())
	return r, b.Bytes()
}

func TestSendGridInboundParse(t *testing.T) {
	a := serviceAdapter(t, "sendgrid", nil)
	q := &channeltest.Queue{}
	headers := "Received: by mx0047p1mdw1.sendgrid.net with SMTP id 6WCVv7KAWn Wed, 27 Jul 2016 20:53:06 +0000 (UTC)\n" +
		"From: =?iso-8859-1?Q?Ren=E9e?= <renee@example.fr>\nTo: support@inbound.shop.example\n" +
		"Message-ID: <sg-1@example.fr>\nSubject: Colis\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"001a113df448cad2d00538a2d4c7\"\n"
	img := []byte("\xff\xd8\xff\xe0 jpeg")
	r, _ := sendGridForm(t, map[string]string{
		"headers": headers, "from": "Renée <renee@example.fr>", "to": "support@inbound.shop.example", "subject": "Colis",
		"text":     "J'ai re\xe7u un colis ab\xeem\xe9.\n\nLe lun. 2 janv. 2006, Shop a \xe9crit :\n> Votre colis est parti.\n",
		"html":     "<p>J'ai re\xe7u un colis ab\xeem\xe9.</p>",
		"charsets": `{"to":"UTF-8","html":"iso-8859-1","subject":"UTF-8","from":"UTF-8","text":"iso-8859-1"}`,
		"envelope": `{"to":["support@inbound.shop.example"],"from":"renee@example.fr"}`, "attachments": "1",
		"attachment-info": `{"attachment1":{"filename":"label.jpg","name":"label.jpg","type":"image/jpeg"}}`,
		"sender_ip":       "209.85.223.170", "SPF": "pass", "dkim": "{@example.fr : pass}",
	}, map[string][]byte{"attachment1": img})
	assert.Equal(t, 401, adaptertest.Post(a, q, r).Code)
	r, _ = sendGridForm(t, map[string]string{"headers": headers, "text": "J'ai re\xe7u un colis ab\xeem\xe9.", "charsets": `{"text":"iso-8859-1"}`,
		"attachment-info": `{"attachment1":{"filename":"label.jpg","name":"label.jpg","type":"image/jpeg"}}`}, map[string][]byte{"attachment1": img})
	require.Equal(t, 200, adaptertest.Post(a, q, basicAuth(r, secret)).Code)
	require.Len(t, q.Turns(), 1)
	tn := q.Turns()[0]
	assert.Equal(t, "J'ai reçu un colis abîmé.", tn.Text(), "transcoded from the charset SendGrid names")
	assert.Equal(t, "sg-1@example.fr", tn.MessageID)
	assert.Equal(t, []parley.Attachment{{Kind: parley.Image, MIMEType: "image/jpeg", Name: "label.jpg", Data: img}}, tn.Message.Attachments)

	// "POST the raw, full MIME message": the message in the email field.
	raw := "From: Bob <bob@example.com>\r\nMessage-ID: <sg-raw@example.com>\r\nSubject: Hi\r\n\r\nRaw mode works.\r\n"
	r, _ = sendGridForm(t, map[string]string{"email": raw, "to": "support@inbound.shop.example"}, nil)
	require.Equal(t, 200, adaptertest.Post(a, q, basicAuth(r, secret)).Code)
	require.Len(t, q.Turns(), 2)
	assert.Equal(t, "Raw mode works.", q.Turns()[1].Text())
}

// mailgunSign signs a Mailgun webhook as its documentation describes:
// hex HMAC-SHA256 of timestamp+token under the HTTP webhook signing key.
func mailgunSign(v url.Values, key string) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	tok := "b1c7e5f4a3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3"
	v.Set("timestamp", ts)
	v.Set("token", tok)
	v.Set("signature", channel.HMACHex(sha256.New, []byte(key), []byte(ts+tok)))
}

func TestMailgunRoutes(t *testing.T) {
	a := serviceAdapter(t, "mailgun", nil)
	q := &channeltest.Queue{}
	// A route's forward() of a parsed message, as Mailgun's "Receiving
	// messages via HTTP through a forward() action" lists its fields.
	v := url.Values{"recipient": {"support@mg.shop.example"}, "sender": {"bob@example.com"}, "from": {"Bob <bob@example.com>"},
		"subject": {"Re: Your order"}, "body-plain": {"Please send a new one.\n\nOn Mon, 2 Jan 2006, Shop wrote:\n> Sorry it broke.\n"},
		"stripped-text": {"Please send a new one."}, "body-html": {"<p>Please send a new one.</p>"}, "attachment-count": {"0"},
		"message-headers": {`[["Received","by luna.mailgun.net with SMTP mgrt 8734663311733"],["Message-Id","<mg-1@example.com>"],` +
			`["In-Reply-To","<order-7@shop.example>"],["From","Bob <bob@example.com>"],["Subject","Re: Your order"],["Mime-Version","1.0"]]`}}
	mailgunSign(v, secret)
	r := httptest.NewRequest(http.MethodPost, "/inbound/email", strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	require.Equal(t, 200, adaptertest.Post(a, q, r).Code)
	require.Len(t, q.Turns(), 1)
	assert.Equal(t, "Please send a new one.", q.Turns()[0].Text())
	assert.Equal(t, "mg-1@example.com", q.Turns()[0].MessageID)
	assert.Equal(t, "email:order-7@shop.example", q.Turns()[0].ConversationID)

	// A forged signature, and one under another key, are refused.
	v.Set("signature", strings.Repeat("0", 64))
	r = httptest.NewRequest(http.MethodPost, "/inbound/email", strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	assert.Equal(t, 401, adaptertest.Post(a, q, r).Code)
	mailgunSign(v, "another-key")
	r = httptest.NewRequest(http.MethodPost, "/inbound/email", strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	assert.Equal(t, 401, adaptertest.Post(a, q, r).Code)

	// A URL ending in "mime" gets the raw message in body-mime, here a
	// multipart form with an attachment too.
	raw := "From: Carol <carol@example.com>\r\nMessage-ID: <mg-mime@example.com>\r\nContent-Type: text/plain; charset=windows-1252\r\n\r\nThanks \x93a lot\x94\r\n"
	mv := url.Values{"body-mime": {raw}, "recipient": {"support@mg.shop.example"}}
	mailgunSign(mv, secret)
	fields := map[string]string{}
	for k := range mv {
		fields[k] = mv.Get(k)
	}
	r, _ = sendGridForm(t, fields, nil)
	require.Equal(t, 200, adaptertest.Post(a, q, r).Code)
	require.Len(t, q.Turns(), 2)
	assert.Equal(t, "Thanks “a lot”", q.Turns()[1].Text())
}

func TestUnknownService(t *testing.T) {
	_, err := New(Config{From: "a@b.c", SMTPAddr: "x:25", WebhookSecret: "s", Service: "sparkpost"})
	assert.ErrorContains(t, err, "unknown Service")
}

func FuzzServices(f *testing.F) {
	f.Add("postmark", "application/json", []byte(postmarkInbound))
	f.Add("mailgun", "application/x-www-form-urlencoded", []byte("from=a%40b.c&body-plain=hi&message-headers=%5B%5D"))
	f.Add("sendgrid", "multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"headers\"\r\n\r\nFrom: a@b.c\r\n--x--\r\n"))
	f.Fuzz(func(t *testing.T, service, ctype string, body []byte) {
		switch service {
		case "postmark", "sendgrid", "mailgun":
		default:
			t.Skip()
		}
		r := httptest.NewRequest(http.MethodPost, "/inbound/email", bytes.NewReader(body))
		r.Header.Set("Content-Type", ctype)
		in, err := parseService(service, r, body)
		if err == nil && (in.From == nil || in.MessageID == "") {
			t.Fatalf("parsed without From or Message-ID: %+v", in)
		}
	})
}
