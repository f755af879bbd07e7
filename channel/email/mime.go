package email

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/internal/driver"
)

// Limits on what one inbound email may carry. Attachments beyond them are
// left out and named in [Inbound.Omitted]; the message itself still
// arrives.
const (
	// maxAttachment is the largest attachment kept (decoded).
	maxAttachment = 5 << 20
	// maxAttachments is how many attachments one message keeps.
	maxAttachments = 10
	// maxAttachmentTotal bounds the attachments of one message together.
	maxAttachmentTotal = 10 << 20
	// maxTextPart is the largest text or HTML part read.
	maxTextPart = 1 << 20
	// maxParts and maxDepth bound the MIME tree that is walked.
	maxParts = 100
	maxDepth = 8
)

// The standard library decodes RFC 2047 words and bodies in UTF-8,
// US-ASCII and ISO-8859-1 only; golang.org/x/text (already a dependency)
// supplies the rest (windows-1252, iso-2022-jp, shift_jis, gb2312, koi8-r,
// ...), by the WHATWG labels mail clients use, then by IANA names. A MIME
// library would add a dependency for what net/mail, mime/multipart and
// x/text do together.

// lookupCharset returns the encoding for a charset label, or nil.
func lookupCharset(label string) encoding.Encoding {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if e, err := htmlindex.Get(label); err == nil {
		return e
	}
	if e, err := ianaindex.MIME.Encoding(label); err == nil && e != nil {
		return e
	}
	return nil
}

// charsetReader is mime.WordDecoder.CharsetReader (and so
// mail.AddressParser's): it decodes any charset x/text knows.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	e := lookupCharset(label)
	if e == nil {
		return nil, fmt.Errorf("unknown charset %q", label)
	}
	return e.NewDecoder().Reader(r), nil
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// decodeHeader decodes the RFC 2047 encoded words of a header value; raw
// 8-bit bytes that are not UTF-8 are read as windows-1252.
func decodeHeader(v string) string {
	if s, err := wordDecoder.DecodeHeader(v); err == nil {
		v = s
	}
	return toUTF8(v, "")
}

// toUTF8 transcodes s from charset to UTF-8. Text that claims UTF-8 (or
// no charset) but is not valid UTF-8 is read as windows-1252, the usual
// mislabel; what cannot be decoded becomes U+FFFD.
func toUTF8(s, charset string) string {
	label := strings.ToLower(strings.TrimSpace(charset))
	switch label {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		if utf8.ValidString(s) {
			return s
		}
		label = "windows-1252"
	}
	e := lookupCharset(label)
	if e == nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	out, err := e.NewDecoder().String(s)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ToValidUTF8(out, "\uFFFD")
}

// parseAddressList reads an address header whose display names may be
// RFC 2047 words in any charset, or raw 8-bit text; it falls back to the
// last <addr-spec> in the value.
func parseAddressList(v string) ([]*mail.Address, error) {
	if strings.TrimSpace(v) == "" {
		return nil, errors.New("empty")
	}
	p := mail.AddressParser{WordDecoder: wordDecoder}
	if l, err := p.ParseList(v); err == nil && len(l) > 0 {
		return l, nil
	}
	if !utf8.ValidString(v) {
		if l, err := p.ParseList(toUTF8(v, "windows-1252")); err == nil && len(l) > 0 {
			return l, nil
		}
	}
	i, j := strings.LastIndexByte(v, '<'), strings.LastIndexByte(v, '>')
	if i >= 0 && j > i {
		if a, err := mail.ParseAddress(v[i : j+1]); err == nil {
			a.Name = decodeHeader(strings.Trim(strings.TrimSpace(v[:i]), `"`))
			return []*mail.Address{a}, nil
		}
	}
	return nil, fmt.Errorf("no address in %q", v)
}

// content is what a message's MIME tree holds for the bot.
type content struct {
	text, html  string // the first text/plain and text/html parts, in UTF-8
	attachments []parley.Attachment
	omitted     []string // attachments beyond the limits
	report      bool     // a multipart/report (DSN, MDN) or delivery-status part
	total       int      // bytes of attachments kept
	parts       int
}

// walk reads the body of a part with header h into c.
func (c *content) walk(h textproto.MIMEHeader, body io.Reader, depth int, related bool) error {
	if depth > maxDepth {
		return errors.New("MIME nesting too deep")
	}
	c.parts++
	if c.parts > maxParts {
		return nil // the rest is ignored
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		// An unreadable type is read as text/plain, as RFC 2045 says for
		// a missing one; the charset may still be found.
		mt, params = "text/plain", map[string]string{}
		if i := strings.Index(asciiLower(ct), "charset="); i >= 0 {
			if f := strings.FieldsFunc(ct[i+8:], func(r rune) bool { return r == ';' || r == ' ' || r == '"' || r == '\t' }); len(f) > 0 {
				params["charset"] = f[0]
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, &base64Cleaner{r: body})
	}
	if mt == "multipart/report" || mt == "message/delivery-status" || mt == "message/disposition-notification" {
		c.report = true
	}
	if strings.HasPrefix(mt, "multipart/") {
		if params["boundary"] == "" {
			return errors.New("multipart without boundary")
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				if c.text != "" || c.html != "" {
					return nil // a truncated tail: keep what was read
				}
				return err
			}
			if err := c.walk(p.Header, p, depth+1, mt == "multipart/related"); err != nil {
				return err
			}
		}
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition")) //nolint:errcheck // no disposition is inline
	name := decodeHeader(cmpOr(dparams["filename"], params["name"]))
	isAttachment := disp == "attachment" || name != "" && !strings.HasPrefix(mt, "text/")
	if (mt == "text/plain" || mt == "text/html") && !isAttachment {
		b, err := io.ReadAll(io.LimitReader(body, maxTextPart))
		if err != nil && len(b) == 0 {
			return err
		}
		s := strings.ReplaceAll(toUTF8(string(b), params["charset"]), "\r\n", "\n")
		if mt == "text/plain" && c.text == "" {
			if strings.EqualFold(params["format"], "flowed") {
				s = unflow(s, strings.EqualFold(params["delsp"], "yes"))
			}
			c.text = s
		} else if mt == "text/html" && c.html == "" {
			c.html = s
		}
		return nil
	}
	if related && h.Get("Content-Id") != "" && disp != "attachment" {
		return nil // an image embedded in the HTML (a logo), not sent by the user
	}
	if strings.HasPrefix(mt, "message/") && mt != "message/rfc822" || mt == "text/rfc822-headers" {
		return nil // the parts of a report
	}
	if name == "" {
		name = "attachment"
	}
	return c.attach(name, mt, body)
}

// attach keeps an attachment within the limits.
func (c *content) attach(name, mimeType string, body io.Reader) error {
	if len(c.attachments) >= maxAttachments {
		c.omitted = append(c.omitted, name)
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(body, maxAttachment+1))
	if err != nil {
		c.omitted = append(c.omitted, name)
		return nil //nolint:nilerr // an unreadable attachment is left out, the message kept
	}
	if len(b) > maxAttachment || c.total+len(b) > maxAttachmentTotal {
		c.omitted = append(c.omitted, name)
		return nil
	}
	c.total += len(b)
	c.attachments = append(c.attachments, parley.Attachment{Kind: driver.AttachmentKind(mimeType), MIMEType: mimeType, Name: name, Data: b})
	return nil
}

// base64Cleaner drops the characters base64 bodies may carry besides the
// alphabet (line breaks, spaces), which encoding/base64 stops at.
type base64Cleaner struct{ r io.Reader }

func (b *base64Cleaner) Read(p []byte) (int, error) {
	for {
		n, err := b.r.Read(p)
		j := 0
		for _, c := range p[:n] {
			if c == '\r' || c == '\n' || c == ' ' || c == '\t' {
				continue
			}
			p[j] = c
			j++
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676): a
// line ending in a space continues on the next one.
func unflow(s string, delsp bool) string {
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for i, l := range lines {
		if l != "-- " && strings.HasSuffix(l, " ") && i < len(lines)-1 {
			if delsp {
				l = l[:len(l)-1]
			}
			b.WriteString(l)
			continue
		}
		b.WriteString(l)
		if i < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// asciiLower lower-cases ASCII letters only, so that byte offsets stay
// those of s (strings.ToLower may change the length of invalid UTF-8).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
