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
)

// Channel is the channel name on turns from email.
const Channel = "email"

// Config configures an [Adapter].
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
	// WebhookSecret verifies raw messages posted to ServeHTTP:
	// X-Parley-Signature must be "sha256=" + hex HMAC-SHA256 of the body.
	// Required.
	WebhookSecret string
	// RetryWait is how long to wait before retrying after an SMTP 4xx
	// answer (default 30s); SMTP has no Retry-After.
	RetryWait time.Duration
	// Dial opens the connection to the relay (default net.Dialer).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	channel.Options
}

// Adapter is the email channel: inbound RFC 5322 messages (posted raw to
// ServeHTTP by an inbound-mail service, or passed to [Adapter.Receive])
// become turns; replies go out over SMTP in the same thread
// (In-Reply-To and References). It is safe for concurrent use.
type Adapter struct {
	*channel.Base
	cfg    Config
	from   *mail.Address
	domain string

	mu      sync.Mutex
	threads map[string]string // outbound Message-ID -> conversation
}

var _ channel.Adapter = (*Adapter)(nil)

// New returns an Adapter that passes turns to h. It panics if h is nil.
func New(c Config, h parley.Handler) (*Adapter, error) {
	if c.From == "" || c.SMTPAddr == "" || c.WebhookSecret == "" {
		return nil, errors.New("email: config: From, SMTPAddr and WebhookSecret are required")
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("email: config: From: %w", err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	if c.RetryWait <= 0 {
		c.RetryWait = 30 * time.Second
	}
	if c.Dial == nil {
		var d net.Dialer
		c.Dial = d.DialContext
	}
	return &Adapter{Base: channel.NewBase(Channel, h, c.Options, channel.Email, channel.EmailLimits),
		cfg: c, from: from, domain: domain, threads: make(map[string]string)}, nil
}

// ServeHTTP accepts a raw RFC 5322 message in the body of a POST signed
// with the webhook secret.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	body, err := a.ReadBody(w, r)
	if err != nil {
		a.Reject(w, r, err)
		return
	}
	got, ok := strings.CutPrefix(r.Header.Get("X-Parley-Signature"), "sha256=")
	if !ok || !channel.EqualSecret([]byte(strings.ToLower(got)), []byte(channel.HMACHex(sha256.New, []byte(a.cfg.WebhookSecret), body))) {
		a.Reject(w, r, channel.ErrSignature)
		return
	}
	if err := a.Receive(r.Context(), bytes.NewReader(body)); err != nil {
		a.Reject(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
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

// Receive handles one raw inbound message: it is parsed, mapped to its
// thread's conversation and queued as a turn. Automatic messages are
// acknowledged and reported as [channel.EventUnsupported].
func (a *Adapter) Receive(ctx context.Context, r io.Reader) error {
	in, err := Parse(r)
	if err != nil {
		return err
	}
	conv := a.conversation(in)
	if in.Auto {
		a.Unsupported(ctx, conv, in.MessageID, "auto_reply")
		return nil
	}
	t := &parley.Turn{ConversationID: conv, MessageID: in.MessageID, Time: in.Date,
		Message: parley.Message{Text: a.ResolveChoice(conv, in.Text)}}
	t.CustomerID = a.Identify(ctx, strings.ToLower(in.From.Address), channel.Contact{})
	refs := append(append([]string(nil), in.References...), in.MessageID)
	return a.Accept(ctx, t, &writer{a: a, to: in.From, subject: replySubject(in.Subject), inReplyTo: in.MessageID, refs: refs, conv: conv})
}

// conversation maps a message to its thread: a conversation we already
// know through one of its references, else the thread's root.
func (a *Adapter) conversation(in *Inbound) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range append([]string{in.InReplyTo}, in.References...) {
		if c, ok := a.threads[id]; ok {
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

// Writer returns a ReplyWriter that starts a new thread with the address
// to.
func (a *Adapter) Writer(to *mail.Address, subject string) parley.ReplyWriter {
	return &writer{a: a, to: to, subject: subject, conv: "email:" + strings.ToLower(to.Address)}
}

type writer struct {
	a         *Adapter
	to        *mail.Address
	subject   string
	inReplyTo string
	refs      []string
	conv      string
}

// Reply sends m as one plain-text email in the thread: quick replies as
// numbered options, cards and media as links.
func (w *writer) Reply(ctx context.Context, m parley.Message) error {
	parts, err := channel.Render(m, w.a.Capabilities())
	if err != nil {
		return fmt.Errorf("email: %w", err)
	}
	var texts []string
	var numbered []parley.QuickReply
	for _, p := range parts {
		if p.Text != "" {
			texts = append(texts, p.Text)
		}
		numbered = append(numbered, p.Numbered...)
	}
	id, err := w.a.newID()
	if err != nil {
		return err
	}
	msg, err := w.compose(id, strings.Join(texts, "\n\n"))
	if err != nil {
		return err
	}
	// Remember the thread and options first: the user may answer before
	// the relay's acknowledgement reaches us.
	w.a.mu.Lock()
	if len(w.a.threads) > 100_000 {
		clear(w.a.threads)
	}
	w.a.threads[id] = w.conv
	w.a.mu.Unlock()
	if len(numbered) > 0 {
		w.a.Choices().Remember(w.conv, numbered, w.a.Now())
	}
	return w.a.Sender().Retry(ctx, w.conv, func(ctx context.Context) error {
		return w.a.smtpSend(ctx, w.to.Address, msg)
	})
}

func (a *Adapter) newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("email: message id: %w", err)
	}
	return hex.EncodeToString(b[:]) + "@" + a.domain, nil
}

func (w *writer) compose(id, text string) ([]byte, error) {
	var b bytes.Buffer
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", w.a.from.String())
	hdr("To", w.to.String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", w.subject))
	hdr("Date", w.a.Now().Format(time.RFC1123Z))
	hdr("Message-ID", "<"+id+">")
	if w.inReplyTo != "" {
		hdr("In-Reply-To", "<"+w.inReplyTo+">")
	}
	if len(w.refs) > 0 {
		hdr("References", "<"+strings.Join(w.refs, "> <")+">")
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
func (a *Adapter) smtpSend(ctx context.Context, to string, msg []byte) (err error) {
	conn, err := a.cfg.Dial(ctx, "tcp", a.cfg.SMTPAddr)
	if err != nil {
		return &channel.PlatformError{Channel: Channel, Reason: err.Error(), Temporary: true}
	}
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return errors.Join(err, conn.Close())
		}
	}
	host, _, _ := net.SplitHostPort(a.cfg.SMTPAddr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return errors.Join(a.smtpError(err, false), conn.Close())
	}
	quit := false
	defer func() {
		if !quit {
			if cerr := c.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) {
				err = errors.Join(err, cerr)
			}
		}
	}()
	if a.cfg.TLS != nil {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(a.cfg.TLS); err != nil {
				return a.smtpError(err, false)
			}
		}
	}
	if a.cfg.Auth != nil {
		if err := c.Auth(a.cfg.Auth); err != nil {
			return a.smtpError(err, false)
		}
	}
	if err := c.Mail(a.from.Address); err != nil {
		return a.smtpError(err, false)
	}
	if err := c.Rcpt(to); err != nil {
		return a.smtpError(err, false)
	}
	wc, err := c.Data()
	if err != nil {
		return a.smtpError(err, false)
	}
	if _, err := wc.Write(msg); err != nil {
		return a.smtpError(err, false)
	}
	if err := wc.Close(); err != nil {
		return a.smtpError(err, true)
	}
	// Accepted. A failed QUIT does not un-send the message, and reporting
	// it would make the caller retry and send it twice.
	quit = true
	_ = c.Quit() //nolint:errcheck // the relay has accepted the message
	return nil
}

func (a *Adapter) smtpError(err error, afterData bool) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		pe := &channel.PlatformError{Channel: Channel, Status: te.Code, Code: fmt.Sprint(te.Code), Reason: te.Msg,
			Temporary: te.Code >= 400 && te.Code < 500}
		if pe.Temporary {
			pe.RetryAfter = a.cfg.RetryWait
		}
		return pe
	}
	if afterData {
		return fmt.Errorf("email: %w: %w", channel.ErrAmbiguous, err)
	}
	return &channel.PlatformError{Channel: Channel, Reason: err.Error(), Temporary: true}
}
