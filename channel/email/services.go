package email

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/parleyhq/parley/channel"
)

// The inbound-mail services whose webhooks the Handler reads (Config.Service).
const (
	servicePostmark = "postmark"
	serviceSendGrid = "sendgrid"
	serviceMailgun  = "mailgun"
)

// verifyService checks a webhook from an inbound-mail service:
//   - Mailgun signs every POST: signature must be the hex HMAC-SHA256 of
//     timestamp followed by token under the HTTP webhook signing key
//     (WebhookSecret), compared in constant time. A replayed request can
//     only repeat a message, which the Bot drops as a duplicate.
//   - Postmark and SendGrid Inbound Parse sign nothing; their documents
//     advise HTTP basic authentication in the webhook URL
//     (https://user:password@host/path), so the password must be
//     WebhookSecret.
func (p *smtpRelay) verifyService(r *http.Request, body []byte) error {
	switch p.cfg.Service {
	case serviceMailgun:
		f, err := readForm(r, body)
		if err != nil {
			// Unsigned junk is a 401 whatever its shape.
			return channel.ErrSignature
		}
		ts, tok, sig := f.value("timestamp"), f.value("token"), f.value("signature")
		if ts == "" || tok == "" || sig == "" ||
			!channel.EqualSecret([]byte(strings.ToLower(sig)), []byte(channel.HMACHex(sha256.New, []byte(p.cfg.WebhookSecret), []byte(ts+tok)))) {
			return channel.ErrSignature
		}
		return nil
	case servicePostmark, serviceSendGrid:
		_, pass, ok := r.BasicAuth()
		if !ok || !channel.EqualSecret([]byte(pass), []byte(p.cfg.WebhookSecret)) {
			return channel.ErrSignature
		}
		return nil
	}
	return fmt.Errorf("email: unknown Service %q", p.cfg.Service)
}

// parseService reads a verified webhook of an inbound-mail service.
func parseService(service string, r *http.Request, body []byte) (*Inbound, error) {
	switch service {
	case servicePostmark:
		return parsePostmark(body)
	case serviceSendGrid:
		f, err := readForm(r, body)
		if err != nil {
			return nil, err
		}
		return parseSendGrid(f)
	case serviceMailgun:
		f, err := readForm(r, body)
		if err != nil {
			return nil, err
		}
		return parseMailgun(f)
	}
	return nil, fmt.Errorf("email: unknown Service %q", service)
}

// A form is a webhook's form: its values and, for multipart/form-data,
// its files.
type form struct {
	values url.Values
	files  map[string][]*multipart.FileHeader
}

func (f *form) value(k string) string { return f.values.Get(k) }

// file returns the content and type of the file field k.
func (f *form) file(k string) ([]byte, string, string, bool) {
	fhs := f.files[k]
	if len(fhs) == 0 {
		return nil, "", "", false
	}
	fh := fhs[0]
	rc, err := fh.Open()
	if err != nil {
		return nil, "", "", false
	}
	defer rc.Close() //nolint:errcheck // read from memory
	b, err := io.ReadAll(io.LimitReader(rc, maxAttachment+1))
	if err != nil {
		return nil, "", "", false
	}
	return b, fh.Filename, fh.Header.Get("Content-Type"), true
}

// readForm reads a urlencoded or multipart/form-data body held in memory.
func readForm(r *http.Request, body []byte) (*form, error) {
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, fmt.Errorf("%w: Content-Type: %w", channel.ErrMalformed, err)
	}
	switch ct {
	case "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", channel.ErrMalformed, err)
		}
		return &form{values: v}, nil
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, fmt.Errorf("%w: multipart without boundary", channel.ErrMalformed)
		}
		// The body is in memory already (at most MaxBody): keep the files there.
		mf, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(int64(len(body)) + 1)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", channel.ErrMalformed, err)
		}
		return &form{values: url.Values(mf.Value), files: mf.File}, nil
	}
	return nil, fmt.Errorf("%w: Content-Type %q", channel.ErrMalformed, ct)
}

// headerBlock parses a raw header block ("Name: value\r\n...").
func headerBlock(raw string) mail.Header {
	raw = strings.TrimRight(strings.ReplaceAll(raw, "\r\n", "\n"), "\n")
	raw = strings.ReplaceAll(raw, "\n", "\r\n") + "\r\n\r\n"
	h, err := textproto.NewReader(bufio.NewReader(strings.NewReader(raw))).ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return mail.Header{}
	}
	return mail.Header(h)
}

// setIfEmpty sets h[k] to v when h has no k and v is not empty.
func setIfEmpty(h mail.Header, k, v string) {
	if h.Get(k) == "" && strings.TrimSpace(v) != "" {
		textproto.MIMEHeader(h).Set(k, v)
	}
}

// parsePostmark reads Postmark's inbound webhook JSON
// (https://postmarkapp.com/developer/webhooks/inbound-webhook): FromFull,
// ReplyTo, Subject, Date, TextBody, HtmlBody, the original Headers (for
// Message-ID, In-Reply-To, References and the auto-reply markers) and
// Attachments with base64 Content.
func parsePostmark(body []byte) (*Inbound, error) {
	var m struct {
		From     string
		FromFull struct {
			Email, Name string
		}
		ReplyTo, Subject, MessageID, Date string
		TextBody                          string
		HTMLBody                          string `json:"HtmlBody"`
		Headers                           []struct{ Name, Value string }
		Attachments                       []struct {
			Name, Content, ContentType, ContentID string
		}
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("%w: %w", channel.ErrMalformed, err)
	}
	h := mail.Header{}
	for _, kv := range m.Headers {
		if kv.Name != "" {
			textproto.MIMEHeader(h).Add(kv.Name, kv.Value)
		}
	}
	from := m.From
	if m.FromFull.Email != "" {
		from = (&mail.Address{Name: m.FromFull.Name, Address: m.FromFull.Email}).String()
	}
	textproto.MIMEHeader(h).Set("From", from)
	setIfEmpty(h, "Reply-To", m.ReplyTo)
	setIfEmpty(h, "Subject", m.Subject)
	setIfEmpty(h, "Date", m.Date)
	if m.MessageID != "" {
		setIfEmpty(h, "Message-ID", "<"+m.MessageID+"@postmark>") // Postmark's own ID when the original is not among Headers
	}
	c := &content{text: m.TextBody, html: m.HTMLBody}
	for _, a := range m.Attachments {
		if a.ContentID != "" && strings.Contains(m.HTMLBody, "cid:"+strings.Trim(a.ContentID, "<>")) {
			continue // an image embedded in the HTML
		}
		data, err := base64.StdEncoding.DecodeString(a.Content)
		if err != nil {
			c.omitted = append(c.omitted, a.Name)
			continue
		}
		if err := c.attach(cmpOr(a.Name, "attachment"), cmpOr(a.ContentType, "application/octet-stream"), bytes.NewReader(data)); err != nil {
			return nil, err
		}
	}
	return build(h, c)
}

// parseSendGrid reads a SendGrid Inbound Parse POST
// (https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/setting-up-the-inbound-parse-webhook):
// the raw message in "email" when "POST the raw, full MIME message" is
// on; otherwise the parsed fields "headers" (the raw header block), "text"
// and "html" in the charsets named by "charsets" (JSON), and files
// attachment1..N described by "attachment-info" (JSON).
func parseSendGrid(f *form) (*Inbound, error) {
	if raw := f.value("email"); raw != "" {
		return Parse(strings.NewReader(raw))
	}
	var charsets map[string]string
	_ = json.Unmarshal([]byte(f.value("charsets")), &charsets) //nolint:errcheck // absent: UTF-8
	h := headerBlock(f.value("headers"))
	setIfEmpty(h, "From", toUTF8(f.value("from"), charsets["from"]))
	setIfEmpty(h, "Subject", toUTF8(f.value("subject"), charsets["subject"]))
	c := &content{text: toUTF8(f.value("text"), charsets["text"]), html: toUTF8(f.value("html"), charsets["html"])}
	var info map[string]struct {
		Filename, Name, Type string
		ContentID            string `json:"content-id"`
	}
	_ = json.Unmarshal([]byte(f.value("attachment-info")), &info) //nolint:errcheck // absent: none described
	for i := 1; i <= maxAttachments+5; i++ {
		k := fmt.Sprintf("attachment%d", i)
		data, filename, ctype, ok := f.file(k)
		if !ok {
			continue
		}
		d := info[k]
		if d.ContentID != "" && strings.Contains(c.html, "cid:"+d.ContentID) {
			continue
		}
		if err := c.attach(cmpOr(cmpOr(d.Filename, filename), "attachment"), cmpOr(cmpOr(d.Type, ctype), "application/octet-stream"), bytes.NewReader(data)); err != nil {
			return nil, err
		}
	}
	return build(h, c)
}

// parseMailgun reads a Mailgun route's forward() POST
// (https://documentation.mailgun.com/docs/mailgun/user-manual/receive-forward-store/):
// the raw message in "body-mime" for a URL ending in "mime"; otherwise
// "message-headers" (a JSON list of [name, value] pairs), "body-plain",
// "body-html" and files attachment-1..N.
func parseMailgun(f *form) (*Inbound, error) {
	if raw := f.value("body-mime"); raw != "" {
		return Parse(strings.NewReader(raw))
	}
	h := mail.Header{}
	var pairs [][]string
	if err := json.Unmarshal([]byte(f.value("message-headers")), &pairs); err == nil {
		for _, kv := range pairs {
			if len(kv) == 2 && kv[0] != "" {
				textproto.MIMEHeader(h).Add(kv[0], kv[1])
			}
		}
	}
	setIfEmpty(h, "From", f.value("from"))
	setIfEmpty(h, "From", f.value("sender"))
	setIfEmpty(h, "Subject", f.value("subject"))
	setIfEmpty(h, "Message-Id", f.value("Message-Id"))
	setIfEmpty(h, "In-Reply-To", f.value("In-Reply-To"))
	setIfEmpty(h, "References", f.value("References"))
	c := &content{text: f.value("body-plain"), html: f.value("body-html")}
	var cids map[string]string
	_ = json.Unmarshal([]byte(f.value("content-id-map")), &cids) //nolint:errcheck // absent: nothing embedded
	embedded := map[string]bool{}
	for _, field := range cids {
		embedded[field] = true
	}
	for i := 1; i <= maxAttachments+5; i++ {
		k := fmt.Sprintf("attachment-%d", i)
		data, filename, ctype, ok := f.file(k)
		if !ok || embedded[k] {
			continue
		}
		if err := c.attach(cmpOr(filename, "attachment"), cmpOr(ctype, "application/octet-stream"), bytes.NewReader(data)); err != nil {
			return nil, err
		}
	}
	if f.value("from") == "" && f.value("sender") == "" && len(pairs) == 0 {
		return nil, fmt.Errorf("%w: mailgun: no sender", channel.ErrMalformed)
	}
	return build(h, c)
}
