package email

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
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
	// Service names the inbound-mail service whose webhooks the Handler
	// reads: "postmark" (its inbound JSON), "sendgrid" (Inbound Parse,
	// parsed or raw), "mailgun" (a route's forward(), parsed or raw MIME);
	// empty for a raw RFC 5322 message signed with X-Parley-Signature.
	Service string
	// WebhookSecret verifies inbound webhooks. Required. For raw messages
	// X-Parley-Signature must be "sha256=" + hex HMAC-SHA256 of the body
	// under it; for Mailgun it is the HTTP webhook signing key; Postmark
	// and SendGrid sign nothing, so their webhook URL must carry it as the
	// basic-auth password (https://inbound:<secret>@bot.example.com/...).
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
	// per conversation; a zero MaxBody takes 16 MiB.
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
	switch c.Service {
	case "", servicePostmark, serviceSendGrid, serviceMailgun:
	default:
		return nil, channel.Config{}, fmt.Errorf("email: config: unknown Service %q", c.Service)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	if c.RetryWait <= 0 {
		c.RetryWait = 30 * time.Second
	}
	if c.Dial == nil {
		var d net.Dialer
		c.Dial = d.DialContext
	}
	if c.Adapter.MaxBody == 0 {
		// Mail with attachments is larger than chat webhooks; attachments
		// themselves are bounded by Parse's limits.
		c.Adapter.MaxBody = 16 << 20
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
	if p.cfg.Service != "" {
		return p.verifyService(r, body)
	}
	got, ok := strings.CutPrefix(r.Header.Get("X-Parley-Signature"), "sha256=")
	if !ok || !channel.EqualSecret([]byte(strings.ToLower(got)), []byte(channel.HMACHex(sha256.New, []byte(p.cfg.WebhookSecret), body))) {
		return channel.ErrSignature
	}
	return nil
}

// Parse implements [channel.Platform].
func (p *smtpRelay) Parse(r *http.Request, body []byte) (*channel.Batch, error) {
	var in *Inbound
	var err error
	if p.cfg.Service != "" {
		in, err = parseService(p.cfg.Service, r, body)
	} else {
		in, err = Parse(bytes.NewReader(body))
	}
	if err != nil {
		return nil, err
	}
	b := &channel.Batch{}
	p.accept(b, in)
	return b, nil
}

// accept turns a parsed message into the batch's turn, or reports it.
func (p *smtpRelay) accept(b *channel.Batch, in *Inbound) {
	conv := p.conversation(in)
	if in.Auto {
		b.Events = append(b.Events, parley.Event{Kind: channel.EventUnsupported, ConversationID: conv, MessageID: in.MessageID,
			Attrs: map[string]string{"type": "auto_reply", "reason": in.AutoReason}})
		return
	}
	for _, name := range in.Omitted {
		b.Events = append(b.Events, parley.Event{Kind: channel.EventUnsupported, ConversationID: conv, MessageID: in.MessageID,
			Attrs: map[string]string{"type": "attachment_over_limit", "name": name}})
	}
	if in.Text == "" && len(in.Attachments) == 0 {
		b.Events = append(b.Events, parley.Event{Kind: channel.EventUnsupported, ConversationID: conv, MessageID: in.MessageID,
			Attrs: map[string]string{"type": "empty"}})
		return
	}
	to := in.From
	if in.ReplyTo != nil {
		to = in.ReplyTo // the sender asked for replies there
	}
	t := &parley.Turn{ConversationID: conv, MessageID: in.MessageID, Time: in.Date, Recipient: strings.ToLower(to.Address),
		Message: parley.Message{Text: in.Text, Attachments: in.Attachments}}
	p.mu.Lock()
	if len(p.state) > 100_000 {
		clear(p.state)
	}
	p.state[conv] = thread{to: to, subject: replySubject(in.Subject), inReplyTo: in.MessageID,
		refs: append(append([]string(nil), in.References...), in.MessageID)}
	p.mu.Unlock()
	b.Inbound = append(b.Inbound, channel.Inbound{Turn: t, UserID: strings.ToLower(in.From.Address)})
}

// An Inbound is a parsed inbound email.
type Inbound struct {
	From *mail.Address
	// ReplyTo is where the sender asked replies to go (Reply-To), or nil.
	ReplyTo    *mail.Address
	Subject    string
	MessageID  string
	InReplyTo  string
	References []string
	Date       time.Time
	// Text is the plain-text body (converted from HTML when the message
	// has no text part) without the quoted earlier messages, in UTF-8.
	Text string
	// Attachments are the message's attachments, within the limits of
	// 10 attachments, 5 MiB each and 10 MiB together.
	Attachments []parley.Attachment
	// Omitted names the attachments left out by those limits.
	Omitted []string
	// Auto reports a message that must not be answered (RFC 3834): an
	// auto-reply, a bounce or delivery report, mailing-list or bulk mail.
	Auto bool
	// AutoReason says why: "auto-submitted", "precedence", "list",
	// "null-sender", "report", "daemon" or "no-reply".
	AutoReason string
}

// Parse reads an RFC 5322 message. It returns an error wrapping
// [channel.ErrMalformed] if the message has no From address or cannot be
// read. A message without a Message-ID gets a stable one derived from its
// content, so that a redelivery is recognised.
func Parse(r io.Reader) (*Inbound, error) {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", channel.ErrMalformed, err)
	}
	var c content
	if err := c.walk(textproto.MIMEHeader(m.Header), m.Body, 0, false); err != nil && c.text == "" && c.html == "" {
		return nil, fmt.Errorf("%w: body: %w", channel.ErrMalformed, err)
	}
	return build(m.Header, &c)
}

// build makes the Inbound of a message with header h and content c.
func build(h mail.Header, c *content) (*Inbound, error) {
	from, err := parseAddressList(h.Get("From"))
	if err != nil {
		if from, err = parseAddressList(h.Get("Sender")); err != nil {
			return nil, fmt.Errorf("%w: From: %v", channel.ErrMalformed, err)
		}
	}
	in := &Inbound{From: from[0], MessageID: msgID(h.Get("Message-ID")), InReplyTo: msgID(h.Get("In-Reply-To")),
		References: msgIDs(h.Get("References")), Subject: decodeHeader(h.Get("Subject")),
		Attachments: c.attachments, Omitted: c.omitted}
	if rt, err := parseAddressList(h.Get("Reply-To")); err == nil {
		in.ReplyTo = rt[0]
	}
	if d, err := h.Date(); err == nil {
		in.Date = d
	}
	text := c.text
	if strings.TrimSpace(text) == "" && c.html != "" {
		text = htmlText(c.html)
	}
	in.Text = stripQuoted(text)
	if in.MessageID == "" {
		in.MessageID = syntheticID(h, c)
	}
	in.AutoReason = autoReason(h, in.From, c.report)
	in.Auto = in.AutoReason != ""
	return in, nil
}

// syntheticID derives a Message-ID from what identifies the message (its
// From, To, Date, Subject and body), so that the same message delivered
// twice gets the same ID and is answered once.
func syntheticID(h mail.Header, c *content) string {
	s := sha256.New()
	for _, k := range []string{"From", "To", "Date", "Subject"} {
		s.Write([]byte(h.Get(k)))
		s.Write([]byte{0})
	}
	s.Write([]byte(c.text))
	s.Write([]byte{0})
	s.Write([]byte(c.html))
	for _, a := range c.attachments {
		s.Write([]byte{0})
		s.Write(a.Data)
	}
	return "parley-" + hex.EncodeToString(s.Sum(nil)[:16]) + "@synthesized.invalid"
}

// autoReason says why a message must not be answered, or "". RFC 3834
// section 2: not a message with Auto-Submitted other than "no", nor one
// whose Precedence is bulk, list or junk, nor mailing-list mail (List-Id,
// RFC 2919, and the List-* fields of RFC 2369), nor one with a null
// reverse path (a bounce), nor to MAILER-DAEMON, postmaster or owner-/
// -request addresses; and not a delivery or disposition report (RFC 3464,
// RFC 8098: multipart/report). No-reply addresses and the X-Autoreply
// family some responders set instead of Auto-Submitted are left too.
func autoReason(h mail.Header, from *mail.Address, report bool) string {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && !strings.HasPrefix(v, "no") {
		return "auto-submitted"
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Response", "X-Autogenerated", "X-AutoReply-From", "X-Mail-Autoreply"} {
		if h.Get(k) != "" {
			return "auto-submitted"
		}
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "list", "junk", "auto_reply":
		return "precedence"
	}
	for _, k := range []string{"List-Id", "List-Unsubscribe", "List-Post", "List-Help", "List-Owner"} {
		if h.Get(k) != "" {
			return "list"
		}
	}
	if rp, ok := h["Return-Path"]; ok && len(rp) > 0 && strings.Trim(strings.TrimSpace(rp[0]), "<>") == "" {
		return "null-sender"
	}
	if report {
		return "report"
	}
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type")) //nolint:errcheck // an unreadable type is not a report
	if mt == "multipart/report" {
		return "report"
	}
	local, _, _ := strings.Cut(strings.ToLower(from.Address), "@")
	switch {
	case local == "mailer-daemon" || local == "postmaster" || local == "mail-daemon" ||
		strings.HasPrefix(local, "owner-") || strings.HasSuffix(local, "-request") || strings.HasSuffix(local, "-bounces"):
		return "daemon"
	case strings.Contains(strings.ReplaceAll(strings.ReplaceAll(local, "-", ""), "_", ""), "noreply") ||
		strings.Contains(strings.ReplaceAll(strings.ReplaceAll(local, "-", ""), "_", ""), "donotreply"):
		return "no-reply"
	}
	return ""
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
	if len(out) == 0 && strings.TrimSpace(s) != "" && !strings.ContainsAny(strings.TrimSpace(s), " \t") {
		out = append(out, strings.TrimSpace(s))
	}
	return out
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
