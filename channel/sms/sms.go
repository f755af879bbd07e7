package sms

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
)

// Channel is the channel name on turns from SMS.
const Channel = "sms"

// Config configures an [Adapter].
type Config struct {
	// AccountSID and AuthToken authenticate REST calls; AuthToken also
	// signs webhooks. Required.
	AccountSID string
	AuthToken  string
	// From is the sending number (E.164), or MessagingServiceSID the
	// messaging service; one is required.
	From                string
	MessagingServiceSID string
	// PublicURL is the webhook URL exactly as configured in Twilio,
	// including any query string: X-Twilio-Signature is computed over it,
	// not over what the request looks like behind a proxy. Required.
	PublicURL string
	// HelpText answers HELP/INFO in the webhook's TwiML; empty passes
	// HELP to the handler.
	HelpText string
	// OptOuts records STOP and START (default: in memory).
	OptOuts OptOuts
	// BaseURL is the REST API root (default "https://api.twilio.com").
	BaseURL string
	channel.Options
}

// OptOuts records which numbers opted out of messages. Implementations
// must be safe for concurrent use.
type OptOuts interface {
	// OptedOut reports whether number opted out.
	OptedOut(ctx context.Context, number string) (bool, error)
	// SetOptedOut records an opt-out (true) or opt-in (false).
	SetOptedOut(ctx context.Context, number string, out bool) error
}

// MemoryOptOuts is an in-process [OptOuts]. The zero value is ready.
type MemoryOptOuts struct {
	mu  sync.Mutex
	out map[string]bool
}

// OptedOut implements [OptOuts].
func (m *MemoryOptOuts) OptedOut(ctx context.Context, number string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.out[number], nil
}

// SetOptedOut implements [OptOuts].
func (m *MemoryOptOuts) SetOptedOut(ctx context.Context, number string, out bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.out == nil {
		m.out = make(map[string]bool)
	}
	if out {
		m.out[number] = true
	} else {
		delete(m.out, number)
	}
	return nil
}

// Keywords Twilio's opt-out handling recognises (case-insensitive, whole
// message).
var (
	stopWords  = []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
	startWords = []string{"START", "UNSTOP", "YES"}
	helpWords  = []string{"HELP", "INFO"}
)

// Adapter is the Twilio Programmable Messaging (SMS/MMS) channel: an
// http.Handler for the incoming-message and status-callback webhooks that
// runs a [parley.Handler] for each message and replies over the REST API.
// It is safe for concurrent use.
type Adapter struct {
	*channel.Base
	cfg Config
}

var _ channel.Adapter = (*Adapter)(nil)

// New returns an Adapter that passes turns to h. It panics if h is nil.
func New(c Config, h parley.Handler) (*Adapter, error) {
	if c.AccountSID == "" || c.AuthToken == "" || c.PublicURL == "" || c.From == "" && c.MessagingServiceSID == "" {
		return nil, fmt.Errorf("sms: config: AccountSID, AuthToken, PublicURL and From or MessagingServiceSID are required")
	}
	if _, err := url.Parse(c.PublicURL); err != nil {
		return nil, fmt.Errorf("sms: config: PublicURL: %w", err)
	}
	if c.BaseURL == "" {
		c.BaseURL = "https://api.twilio.com"
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.OptOuts == nil {
		c.OptOuts = &MemoryOptOuts{}
	}
	return &Adapter{Base: channel.NewBase(Channel, h, c.Options, channel.SMS, channel.SMSLimits), cfg: c}, nil
}

// Signature returns the X-Twilio-Signature for a POST of params to
// publicURL: base64 HMAC-SHA1, under the auth token, of the URL followed by
// every parameter name and value, sorted by name.
func Signature(authToken, publicURL string, params url.Values) string {
	var b strings.Builder
	b.WriteString(publicURL)
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vs := slices.Clone(params[k])
		sort.Strings(vs)
		for _, v := range vs {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	m := hmac.New(sha1.New, []byte(authToken))
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// emptyTwiML acknowledges a webhook without replying in it: replies go
// over the REST API, because turns are handled after the acknowledgement.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// ServeHTTP implements the webhook.
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
	params, perr := url.ParseQuery(string(body))
	sig := r.Header.Get("X-Twilio-Signature")
	// Check the signature before reporting a parse error, so that unsigned
	// junk is a 401 whatever its shape.
	if sig == "" || perr == nil && !channel.EqualSecret([]byte(sig), []byte(Signature(a.cfg.AuthToken, a.cfg.PublicURL, params))) {
		a.Reject(w, r, channel.ErrSignature)
		return
	}
	if perr != nil {
		a.Reject(w, r, fmt.Errorf("%w: %w", channel.ErrMalformed, perr))
		return
	}
	twiml, err := a.handle(r.Context(), params)
	if err != nil {
		a.Reject(w, r, err)
		return
	}
	if twiml == "" {
		twiml = emptyTwiML
	}
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write([]byte(twiml)) //nolint:errcheck // acknowledged; Twilio retries failures
}

// handle processes one webhook and returns the TwiML to answer with
// ("" for the empty response).
func (a *Adapter) handle(ctx context.Context, p url.Values) (string, error) {
	sid := p.Get("MessageSid")
	if sid == "" {
		sid = p.Get("SmsSid")
	}
	from, to := p.Get("From"), p.Get("To")
	if sid == "" || from == "" {
		return "", fmt.Errorf("%w: no MessageSid or From", channel.ErrMalformed)
	}
	if st := p.Get("MessageStatus"); st != "" && st != "received" {
		var err error
		if code := p.Get("ErrorCode"); code != "" || st == "failed" || st == "undelivered" {
			err = &channel.PlatformError{Channel: Channel, Status: http.StatusOK, Code: code, Reason: "message " + st}
		}
		a.Status(ctx, conversation(to, from), sid, st, err)
		return "", nil
	}
	conv := conversation(from, to)
	body := strings.TrimSpace(p.Get("Body"))
	word := strings.ToUpper(body)
	out, err := a.cfg.OptOuts.OptedOut(ctx, from)
	if err != nil {
		return "", err
	}
	switch {
	case slices.Contains(stopWords, word):
		return "", a.optOut(ctx, conv, sid, from, true)
	case slices.Contains(startWords, word) && (out || word != "YES"):
		return "", a.optOut(ctx, conv, sid, from, false)
	case slices.Contains(helpWords, word) && a.cfg.HelpText != "":
		// Answered in the webhook's TwiML, once.
		fresh, err := a.Claim(ctx, conv, sid)
		if err != nil || !fresh {
			return "", err
		}
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Response><Message>`)
		if err := xml.EscapeText(&b, []byte(a.cfg.HelpText)); err != nil {
			return "", err
		}
		b.WriteString(`</Message></Response>`)
		return b.String(), nil
	case out:
		a.Emit(ctx, parley.Event{Kind: channel.EventOptOut, ConversationID: conv, MessageID: sid,
			Attrs: map[string]string{"action": "ignored"}})
		return "", nil
	}
	t := &parley.Turn{ConversationID: conv, MessageID: sid, Message: parley.Message{Text: a.ResolveChoice(conv, body)}}
	n, _ := strconv.Atoi(p.Get("NumMedia")) //nolint:errcheck // a bad count means no media
	for i := range min(n, 10) {
		u := p.Get("MediaUrl" + strconv.Itoa(i))
		if u == "" {
			continue
		}
		ct := p.Get("MediaContentType" + strconv.Itoa(i))
		kind := parley.File
		switch {
		case strings.HasPrefix(ct, "image/"):
			kind = parley.Image
		case strings.HasPrefix(ct, "audio/"):
			kind = parley.Audio
		case strings.HasPrefix(ct, "video/"):
			kind = parley.Video
		}
		t.Message.Attachments = append(t.Message.Attachments, parley.Attachment{Kind: kind, MIMEType: ct, URL: u})
	}
	t.CustomerID = a.Identify(ctx, from, channel.Contact{Phone: from})
	return "", a.Accept(ctx, t, &writer{a: a, to: from, conv: conv})
}

func (a *Adapter) optOut(ctx context.Context, conv, sid, from string, out bool) error {
	if err := a.cfg.OptOuts.SetOptedOut(ctx, from, out); err != nil {
		return err
	}
	action := "stop"
	if !out {
		action = "start"
	}
	a.Emit(ctx, parley.Event{Kind: channel.EventOptOut, ConversationID: conv, MessageID: sid,
		Attrs: map[string]string{"action": action}})
	return nil
}

func conversation(user, business string) string { return "sms:" + business + ":" + user }

// Writer returns a ReplyWriter that texts the number to.
func (a *Adapter) Writer(to string) parley.ReplyWriter {
	return &writer{a: a, to: to, conv: conversation(to, a.cfg.From)}
}

type writer struct {
	a    *Adapter
	to   string
	conv string
}

// Reply texts m: quick replies as numbered options (the reply "2" maps
// back), cards as text plus a link, images as MMS media. It returns
// [channel.ErrOptedOut] without sending if the recipient sent STOP.
func (w *writer) Reply(ctx context.Context, m parley.Message) error {
	out, err := w.a.cfg.OptOuts.OptedOut(ctx, w.to)
	if err != nil {
		return err
	}
	if out {
		return channel.ErrOptedOut
	}
	parts, err := channel.Render(m, w.a.Capabilities())
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	for _, p := range parts {
		form := url.Values{"To": {w.to}}
		if w.a.cfg.MessagingServiceSID != "" {
			form.Set("MessagingServiceSid", w.a.cfg.MessagingServiceSID)
		} else {
			form.Set("From", w.a.cfg.From)
		}
		if p.Text != "" {
			form.Set("Body", p.Text)
		}
		if p.Attachment != nil {
			form.Set("MediaUrl", p.Attachment.URL)
		}
		if len(p.Numbered) > 0 {
			// Before sending: the answer may arrive before our send returns.
			w.a.Choices().Remember(w.conv, p.Numbered, w.a.Now())
		}
		if _, err := w.a.Sender().Do(ctx, channel.Call{
			Conversation: w.conv,
			URL:          w.a.cfg.BaseURL + "/2010-04-01/Accounts/" + w.a.cfg.AccountSID + "/Messages.json",
			Header: http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(w.a.cfg.AccountSID+":"+w.a.cfg.AuthToken))},
				"Content-Type": {"application/x-www-form-urlencoded"}},
			Body:  []byte(form.Encode()),
			Check: w.a.check,
		}); err != nil {
			return err
		}
	}
	return nil
}

func (a *Adapter) check(status int, h http.Header, body []byte) error {
	if status/100 == 2 {
		return nil
	}
	var e struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	reason, code := strings.TrimSpace(string(body)), ""
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		reason, code = e.Message, strconv.Itoa(e.Code)
	}
	pe := channel.NewPlatformError(Channel, status, h, code, reason, a.Now())
	if e.Code == 21610 { // the recipient unsubscribed (Twilio's own STOP handling)
		return fmt.Errorf("%w: %w", channel.ErrOptedOut, pe)
	}
	return pe
}
