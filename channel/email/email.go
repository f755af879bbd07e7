package email

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/internal/driver"
)

// Config configures the email channel.
type Config struct {
	// From is the bot's address, as "Support <help@example.com>" or a
	// bare address. Required.
	From string
	// SMTPAddr is the relay's host:port. Required.
	SMTPAddr string
	// Auth authenticates to the relay (nil: none). net/smtp only sends
	// PLAIN auth over TLS or to localhost.
	Auth smtp.Auth
	// TLS, when set, is used for STARTTLS if the relay offers it.
	TLS *tls.Config
	// WebhookSecret verifies raw messages posted to the Handler:
	// X-Parley-Signature must be "sha256=" + hex HMAC-SHA256 of the body.
	// Required.
	WebhookSecret string
	// RetryWait is how long to wait before retrying after an SMTP 4xx
	// answer (default 30s); SMTP has no Retry-After.
	RetryWait time.Duration
	// Dial opens the connection to the relay (default net.Dialer).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Adapter configures the [channel.Adapter]. Channel defaults to
	// "email"; zero Capabilities mean one plain-text email per message,
	// with quick replies as numbered options and cards and media as links;
	// zero Limits take 10 messages/s to the relay and 1/s (bursts of 5)
	// per conversation.
	Adapter channel.Config
}

// New returns the email channel. Its Handler accepts a raw RFC 5322
// message in the body of a signed POST (from an inbound-mail service),
// mapped to its thread's conversation; replies go out over SMTP in the same
// thread (In-Reply-To and References), each with a Message-ID derived from
// the reply's ID so a re-send is recognisably the same email. Automatic
// messages (out-of-office, bounces) are acknowledged and reported as
// [channel.EventUnsupported], never answered. Register it as the Bot's
// Sender for the channel.
func New(c Config) (*channel.Adapter, error) { return driver.Adapt(newDriver(c)) }

func newDriver(c Config) (*smtpRelay, channel.Config, error) {
	if c.From == "" || c.SMTPAddr == "" || c.WebhookSecret == "" {
		return nil, channel.Config{}, errors.New("email: config: From, SMTPAddr and WebhookSecret are required")
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, channel.Config{}, fmt.Errorf("email: config: From: %w", err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	if c.RetryWait <= 0 {
		c.RetryWait = 30 * time.Second
	}
	if c.Dial == nil {
		var d net.Dialer
		c.Dial = d.DialContext
	}
	ac := driver.Defaults(c.Adapter, "email", c.Adapter.Capabilities,
		channel.Limits{Rate: 10, Burst: 10, PerConversation: 1, PerConversationBurst: 5})
	return &smtpRelay{cfg: c, from: from, domain: domain, threads: make(map[string]string), state: make(map[string]thread)}, ac, nil
}

// smtpRelay is the email driver.
type smtpRelay struct {
	cfg    Config
	from   *mail.Address
	domain string

	mu      sync.Mutex
	threads map[string]string // Message-ID -> conversation
	state   map[string]thread // conversation -> how to reply in it
}

// thread is what a reply in a conversation needs.
type thread struct {
	to        *mail.Address
	subject   string
	inReplyTo string
	refs      []string
}

// Verify implements [channel.Platform].
func (p *smtpRelay) Verify(r *http.Request, body []byte) error {
	if r.Method != http.MethodPost {
		return fmt.Errorf("%w: method %s", channel.ErrMalformed, r.Method)
	}
	got, ok := strings.CutPrefix(r.Header.Get("X-Parley-Signature"), "sha256=")
	if !ok || !channel.EqualSecret([]byte(strings.ToLower(got)), []byte(channel.HMACHex(sha256.New, []byte(p.cfg.WebhookSecret), body))) {
		return channel.ErrSignature
	}
	return nil
}

// Parse implements [channel.Platform].
func (p *smtpRelay) Parse(_ *http.Request, body []byte) (*channel.Batch, error) {
	in, err := Parse(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	conv := p.conversation(in)
	b := &channel.Batch{}
	if in.Auto {
		b.Events = append(b.Events, parley.Event{Kind: channel.EventUnsupported, ConversationID: conv, MessageID: in.MessageID,
			Attrs: map[string]string{"type": "auto_reply"}})
		return b, nil
	}
	addr := strings.ToLower(in.From.Address)
	t := &parley.Turn{ConversationID: conv, MessageID: in.MessageID, Time: in.Date, Recipient: addr,
		Message: parley.Message{Text: in.Text}}
	p.mu.Lock()
	if len(p.state) > 100_000 {
		clear(p.state)
	}
	p.state[conv] = thread{to: in.From, subject: replySubject(in.Subject), inReplyTo: in.MessageID,
		refs: append(append([]string(nil), in.References...), in.MessageID)}
	p.mu.Unlock()
	b.Inbound = append(b.Inbound, channel.Inbound{Turn: t, UserID: addr})
	return b, nil
}

// An Inbound is a parsed inbound email.
type Inbound struct {
	From       *mail.Address
	Subject    string
	MessageID  string
	InReplyTo  string
	References []string
	Date       time.Time
	// Text is the plain-text body without the quoted earlier messages.
	Text string
	// Auto reports an automatic message (Auto-Submitted, a bounce, an
	// out-of-office reply), which must not be answered.
	Auto bool
}

// Parse reads an RFC 5322 message. It returns an error wrapping
// [channel.ErrMalformed] if the message has no From or Message-ID, or
// cannot be read.
func Parse(r io.Reader) (*Inbound, error) {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", channel.ErrMalformed, err)
	}
	from, err := m.Header.AddressList("From")
	if err != nil || len(from) == 0 {
		return nil, fmt.Errorf("%w: From: %v", channel.ErrMalformed, err)
	}
	in := &Inbound{From: from[0], MessageID: msgID(m.Header.Get("Message-ID")),
		InReplyTo: msgID(m.Header.Get("In-Reply-To")), References: msgIDs(m.Header.Get("References"))}
	if in.MessageID == "" {
		return nil, fmt.Errorf("%w: no Message-ID", channel.ErrMalformed)
	}
	dec := new(mime.WordDecoder)
	if s, err := dec.DecodeHeader(m.Header.Get("Subject")); err == nil {
		in.Subject = s
	} else {
		in.Subject = m.Header.Get("Subject")
	}
	if d, err := m.Header.Date(); err == nil {
		in.Date = d
	}
	auto := strings.ToLower(m.Header.Get("Auto-Submitted"))
	in.Auto = auto != "" && auto != "no" || m.Header.Get("X-Autoreply") != "" ||
		strings.EqualFold(m.Header.Get("Precedence"), "bulk") || strings.EqualFold(m.Header.Get("Precedence"), "auto_reply")
	text, err := plainText(textproto.MIMEHeader(m.Header), m.Body, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: body: %w", channel.ErrMalformed, err)
	}
	in.Text = stripQuoted(text)
	return in, nil
}

func msgID(s string) string {
	ids := msgIDs(s)
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// msgIDs extracts the <id> tokens of a Message-ID, In-Reply-To or
// References header.
func msgIDs(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(s[i+1 : i+j]); id != "" {
			out = append(out, id)
		}
		s = s[i+j+1:]
	}
	if len(out) == 0 && strings.TrimSpace(s) != "" && !strings.ContainsAny(s, " \t") {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// plainText returns the text/plain content of a (possibly multipart)
// body, decoding quoted-printable and base64.
func plainText(h textproto.MIMEHeader, body io.Reader, depth int) (string, error) {
	if depth > 5 {
		return "", errors.New("MIME nesting too deep")
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", err
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return "", nil
			}
			if err != nil {
				return "", err
			}
			s, err := plainText(p.Header, p, depth+1)
			if err != nil {
				return "", err
			}
			if s != "" {
				return s, nil
			}
		}
	}
	if mt != "text/plain" {
		return "", nil
	}
	b, err := io.ReadAll(io.LimitReader(body, 1<<20))
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}

// stripQuoted removes the quoted earlier message of a reply: lines from
// "On ... wrote:" or the first ">" line onward, and the signature after
// "-- ".
func stripQuoted(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, ">") || l == "-- " ||
			strings.HasPrefix(t, "On ") && strings.HasSuffix(t, "wrote:") ||
			strings.HasPrefix(t, "-----Original Message-----") {
			break
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// conversation maps a message to its thread: a conversation we already
// know through one of its references, else the thread's root.
func (p *smtpRelay) conversation(in *Inbound) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range append([]string{in.InReplyTo}, in.References...) {
		if c, ok := p.threads[id]; ok {
			return c
		}
	}
	root := in.MessageID
	switch {
	case len(in.References) > 0:
		root = in.References[0]
	case in.InReplyTo != "":
		root = in.InReplyTo
	}
	return "email:" + root
}

func replySubject(s string) string {
	if s == "" {
		return "Re: your message"
	}
	if strings.HasPrefix(strings.ToLower(s), "re:") {
		return s
	}
	return "Re: " + s
}

// Send implements [channel.Platform]: one plain-text email per part, in
// the conversation's thread when this process saw its last message, else
// a new one to To.Recipient.
func (p *smtpRelay) Send(ctx context.Context, o *channel.Outgoing) error {
	p.mu.Lock()
	th, ok := p.state[o.To.ConversationID]
	p.mu.Unlock()
	if !ok {
		if o.To.Recipient == "" {
			return fmt.Errorf("email: no recipient for conversation %q", o.To.ConversationID)
		}
		to, err := mail.ParseAddress(o.To.Recipient)
		if err != nil {
			return fmt.Errorf("email: recipient: %w", err)
		}
		th = thread{to: to, subject: "Re: your message"}
	}
	id, err := p.messageID(o.Key)
	if err != nil {
		return err
	}
	msg, err := p.compose(th, id, o.Part.Text)
	if err != nil {
		return err
	}
	// Remember the thread first: the user may answer before the relay's
	// acknowledgement reaches us.
	p.mu.Lock()
	if len(p.threads) > 100_000 {
		clear(p.threads)
	}
	p.threads[id] = o.To.ConversationID
	p.mu.Unlock()
	return p.smtpSend(ctx, th.to.Address, msg)
}

// messageID derives the Message-ID from the part's key, so that a re-sent
// reply carries the same ID and mail clients show it once; a random one
// when there is no key.
func (p *smtpRelay) messageID(key string) (string, error) {
	if key != "" {
		sum := sha256.Sum256([]byte(key))
		return hex.EncodeToString(sum[:16]) + "@" + p.domain, nil
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("email: message id: %w", err)
	}
	return hex.EncodeToString(b[:]) + "@" + p.domain, nil
}

func (p *smtpRelay) compose(th thread, id, text string) ([]byte, error) {
	var b bytes.Buffer
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", p.from.String())
	hdr("To", th.to.String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", th.subject))
	hdr("Date", time.Now().Format(time.RFC1123Z))
	hdr("Message-ID", "<"+id+">")
	if th.inReplyTo != "" {
		hdr("In-Reply-To", "<"+th.inReplyTo+">")
	}
	if len(th.refs) > 0 {
		hdr("References", "<"+strings.Join(th.refs, "> <")+">")
	}
	hdr("Auto-Submitted", "auto-replied")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n"))); err != nil {
		return nil, fmt.Errorf("email: encode: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("email: encode: %w", err)
	}
	b.WriteString("\r\n")
	return b.Bytes(), nil
}

// smtpSend delivers msg in one SMTP session. Replies 4xx become temporary
// [*channel.PlatformError]s (retried after RetryWait), 5xx permanent ones.
// A connection lost after the message data was sent is
// [channel.ErrAmbiguous]: the relay may have queued it.
func (p *smtpRelay) smtpSend(ctx context.Context, to string, msg []byte) (err error) {
	conn, err := p.cfg.Dial(ctx, "tcp", p.cfg.SMTPAddr)
	if err != nil {
		return &channel.PlatformError{Reason: err.Error(), Temporary: true}
	}
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return errors.Join(err, conn.Close())
		}
	}
	host, _, _ := net.SplitHostPort(p.cfg.SMTPAddr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return errors.Join(p.smtpError(err, false), conn.Close())
	}
	quit := false
	defer func() {
		if !quit {
			if cerr := c.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) {
				err = errors.Join(err, cerr)
			}
		}
	}()
	if p.cfg.TLS != nil {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(p.cfg.TLS); err != nil {
				return p.smtpError(err, false)
			}
		}
	}
	if p.cfg.Auth != nil {
		if err := c.Auth(p.cfg.Auth); err != nil {
			return p.smtpError(err, false)
		}
	}
	if err := c.Mail(p.from.Address); err != nil {
		return p.smtpError(err, false)
	}
	if err := c.Rcpt(to); err != nil {
		return p.smtpError(err, false)
	}
	wc, err := c.Data()
	if err != nil {
		return p.smtpError(err, false)
	}
	if _, err := wc.Write(msg); err != nil {
		return p.smtpError(err, false)
	}
	if err := wc.Close(); err != nil {
		return p.smtpError(err, true)
	}
	// Accepted. A failed QUIT does not un-send the message, and reporting
	// it would make the caller retry and send it twice.
	quit = true
	_ = c.Quit() //nolint:errcheck // the relay has accepted the message
	return nil
}

func (p *smtpRelay) smtpError(err error, afterData bool) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		pe := &channel.PlatformError{Status: te.Code, Code: fmt.Sprint(te.Code), Reason: te.Msg,
			Temporary: te.Code >= 400 && te.Code < 500}
		if pe.Temporary {
			pe.RetryAfter = p.cfg.RetryWait
		}
		return pe
	}
	if afterData {
		return fmt.Errorf("email: %w: %w", channel.ErrAmbiguous, err)
	}
	return &channel.PlatformError{Reason: err.Error(), Temporary: true}
}
