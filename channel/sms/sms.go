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
	"github.com/parleyhq/parley/channel/internal/driver"
)

// Config configures the Twilio Programmable Messaging (SMS/MMS) channel.
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
	// HELP on as a turn.
	HelpText string
	// BaseURL is the REST API root (default "https://api.twilio.com").
	BaseURL string
	// HTTPClient sends API calls (default: a client with a 30s timeout).
	HTTPClient *http.Client
	// Adapter configures the [channel.Adapter]. Channel defaults to "sms";
	// zero Capabilities and Limits take Twilio's: 1600-character bodies, no
	// buttons (quick replies become numbered options, and the reply "2"
	// maps back), MMS images by URL; a long code's 1 segment/s (bursts of
	// 5).
	Adapter channel.Config
}

// Keywords Twilio's opt-out handling recognises (case-insensitive, whole
// message).
var (
	stopWords  = []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
	startWords = []string{"START", "UNSTOP", "YES"}
	helpWords  = []string{"HELP", "INFO"}
)

// New returns the SMS channel. Serve its Handler at PublicURL for both the
// incoming-message and the status-callback webhooks, and register it as
// the Bot's Sender for the channel.
//
// STOP and START (Twilio's opt-out keywords) are reported as
// [channel.EventOptOut] and passed on as turns, so the Bot records the
// opt-out on the customer; until START, other messages from the number are
// dropped and sends to it fail with [channel.ErrOptedOut], as Twilio's
// own opt-out handling (error 21610) does.
func New(c Config) (*channel.Adapter, error) { return driver.Adapt(newDriver(c)) }

func newDriver(c Config) (*twilio, channel.Config, error) {
	if c.AccountSID == "" || c.AuthToken == "" || c.PublicURL == "" || c.From == "" && c.MessagingServiceSID == "" {
		return nil, channel.Config{}, fmt.Errorf("sms: config: AccountSID, AuthToken, PublicURL and From or MessagingServiceSID are required")
	}
	if _, err := url.Parse(c.PublicURL); err != nil {
		return nil, channel.Config{}, fmt.Errorf("sms: config: PublicURL: %w", err)
	}
	c.BaseURL = driver.BaseURL(c.BaseURL, "https://api.twilio.com")
	c.HTTPClient = driver.Client(c.HTTPClient)
	ac := driver.Defaults(c.Adapter, "sms", channel.Capabilities{MaxText: 1600, Media: []parley.AttachmentKind{parley.Image}},
		channel.Limits{Rate: 1, Burst: 5, PerConversation: 1, PerConversationBurst: 5})
	return &twilio{cfg: c, out: make(map[string]bool), helped: make(map[string]bool)}, ac, nil
}

// twilio is the Twilio driver.
type twilio struct {
	cfg Config

	mu     sync.Mutex
	out    map[string]bool // numbers that sent STOP
	helped map[string]bool // MessageSids answered with HelpText
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

// Verify implements [channel.Platform]: X-Twilio-Signature must be the
// [Signature] of the form parameters under the auth token, over PublicURL
// with or without its port, as Twilio's helper libraries accept: Twilio
// may sign "https://host/path" for a webhook configured as
// "https://host:443/path", and the reverse.
func (p *twilio) Verify(r *http.Request, body []byte) error {
	if r.Method != http.MethodPost {
		return fmt.Errorf("%w: method %s", channel.ErrMalformed, r.Method)
	}
	params, perr := url.ParseQuery(string(body))
	sig := r.Header.Get("X-Twilio-Signature")
	// Check the signature before reporting a parse error, so that unsigned
	// junk is a 401 whatever its shape.
	if sig == "" {
		return channel.ErrSignature
	}
	if perr != nil {
		return nil // Parse reports it as malformed
	}
	ok := false
	for _, u := range urlVariants(p.cfg.PublicURL) {
		// Every variant is checked, so the time taken does not say which matched.
		if channel.EqualSecret([]byte(sig), []byte(Signature(p.cfg.AuthToken, u, params))) {
			ok = true
		}
	}
	if !ok {
		return channel.ErrSignature
	}
	return nil
}

// urlVariants returns the URLs a Twilio signature for u may be computed
// over, as twilio-python's RequestValidator.validate accepts them: u
// itself, u without its port, and u with the scheme's default port (443
// for https, 80 for http) when it has none.
func urlVariants(u string) []string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return []string{u}
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	auth, tail := rest[:end], rest[end:]
	userinfo := ""
	if i := strings.LastIndexByte(auth, '@'); i >= 0 {
		userinfo, auth = auth[:i+1], auth[i+1:]
	}
	host, port := auth, ""
	if i := strings.LastIndexByte(auth, ':'); i >= 0 && !strings.Contains(auth[i:], "]") {
		host, port = auth[:i], auth[i+1:]
	}
	build := func(hostport string) string { return scheme + "://" + userinfo + hostport + tail }
	out := []string{u}
	switch {
	case port != "":
		out = append(out, build(host))
	case strings.EqualFold(scheme, "https"):
		out = append(out, build(host+":443"))
	case strings.EqualFold(scheme, "http"):
		out = append(out, build(host+":80"))
	}
	return out
}

// Parse implements [channel.Platform].
func (p *twilio) Parse(_ *http.Request, body []byte) (*channel.Batch, error) {
	params, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", channel.ErrMalformed, err)
	}
	b := &channel.Batch{Body: []byte(emptyTwiML), ContentType: "text/xml"}
	sid := params.Get("MessageSid")
	if sid == "" {
		sid = params.Get("SmsSid")
	}
	from, to := params.Get("From"), params.Get("To")
	if sid == "" || from == "" {
		return nil, fmt.Errorf("%w: no MessageSid or From", channel.ErrMalformed)
	}
	if st := params.Get("MessageStatus"); st != "" && st != "received" {
		var err error
		if code := params.Get("ErrorCode"); code != "" || st == "failed" || st == "undelivered" {
			err = &channel.PlatformError{Channel: "sms", Status: http.StatusOK, Code: code, Reason: "message " + st}
		}
		b.Events = append(b.Events, parley.Event{Kind: channel.EventStatus, ConversationID: conversation(to, from), Err: err,
			Attrs: map[string]string{"status": st, "message_id": sid}})
		return b, nil
	}
	conv := conversation(from, to)
	text := strings.TrimSpace(params.Get("Body"))
	word := strings.ToUpper(text)
	optOut := func(action string) {
		b.Events = append(b.Events, parley.Event{Kind: channel.EventOptOut, ConversationID: conv, MessageID: sid,
			Attrs: map[string]string{"action": action}})
	}
	p.mu.Lock()
	out := p.out[from]
	switch {
	case slices.Contains(stopWords, word):
		if len(p.out) > 1_000_000 {
			clear(p.out)
		}
		p.out[from] = true
		optOut("stop")
	case slices.Contains(startWords, word) && (out || word != "YES"):
		delete(p.out, from)
		optOut("start")
	case slices.Contains(helpWords, word) && p.cfg.HelpText != "":
		// Answered in the webhook's TwiML, once.
		answered := p.helped[sid]
		if len(p.helped) > 10_000 {
			clear(p.helped)
		}
		p.helped[sid] = true
		p.mu.Unlock()
		if !answered {
			var x strings.Builder
			x.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Response><Message>`)
			if err := xml.EscapeText(&x, []byte(p.cfg.HelpText)); err != nil {
				return nil, err
			}
			x.WriteString(`</Message></Response>`)
			b.Body = []byte(x.String())
		}
		return b, nil
	case out:
		p.mu.Unlock()
		optOut("ignored")
		return b, nil
	}
	p.mu.Unlock()
	if loc := location(params); loc != "" {
		// A location shared over WhatsApp via Twilio: Latitude and
		// Longitude (and Address, Label for a named place), with no Body.
		text = driver.JoinLines(text, loc)
	}
	t := &parley.Turn{ConversationID: conv, MessageID: sid, Recipient: from, Message: parley.Message{Text: text}}
	n, _ := strconv.Atoi(params.Get("NumMedia")) //nolint:errcheck // a bad count means no media
	for i := range min(n, 10) {
		u := params.Get("MediaUrl" + strconv.Itoa(i))
		if u == "" {
			continue
		}
		ct := params.Get("MediaContentType" + strconv.Itoa(i))
		t.Message.Attachments = append(t.Message.Attachments, parley.Attachment{Kind: driver.AttachmentKind(ct), MIMEType: ct, URL: u})
	}
	b.Inbound = append(b.Inbound, channel.Inbound{Turn: t, UserID: from, Verified: channel.Contact{Phone: from}})
	return b, nil
}

// location describes the location of a WhatsApp location message
// (https://www.twilio.com/docs/messaging/guides/webhook-request: Latitude,
// Longitude, Address, Label) as text ending with its RFC 5870 geo URI:
// "Location: Moscone Center, 747 Howard St (geo:37.78,-122.40)". It
// returns "" when the parameters hold no valid coordinates.
func location(params url.Values) string {
	lat, err1 := strconv.ParseFloat(params.Get("Latitude"), 64)
	lon, err2 := strconv.ParseFloat(params.Get("Longitude"), 64)
	if err1 != nil || err2 != nil || !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) { // NaN fails too
		return ""
	}
	var name []string
	for _, k := range []string{"Label", "Address"} {
		if v := strings.TrimSpace(params.Get(k)); v != "" {
			name = append(name, v)
		}
	}
	geo := "geo:" + strconv.FormatFloat(lat, 'f', -1, 64) + "," + strconv.FormatFloat(lon, 'f', -1, 64)
	if len(name) == 0 {
		return "Location: " + geo
	}
	return "Location: " + strings.Join(name, ", ") + " (" + geo + ")"
}

func conversation(user, business string) string { return "sms:" + business + ":" + user }

// Send implements [channel.Platform]: one message per part, images as MMS
// media. It fails with [channel.ErrOptedOut] without sending to a number
// that sent STOP.
func (p *twilio) Send(ctx context.Context, o *channel.Outgoing) error {
	to := o.To.Recipient
	if to == "" {
		return fmt.Errorf("sms: no recipient for conversation %q", o.To.ConversationID)
	}
	p.mu.Lock()
	out := p.out[to]
	p.mu.Unlock()
	if out {
		return channel.ErrOptedOut
	}
	form := url.Values{"To": {to}}
	if p.cfg.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", p.cfg.MessagingServiceSID)
	} else {
		form.Set("From", p.cfg.From)
	}
	if o.Part.Text != "" {
		form.Set("Body", o.Part.Text)
	}
	if o.Part.Attachment != nil {
		form.Set("MediaUrl", o.Part.Attachment.URL)
	}
	_, err := channel.Do(ctx, p.cfg.HTTPClient, channel.Call{
		URL: p.cfg.BaseURL + "/2010-04-01/Accounts/" + p.cfg.AccountSID + "/Messages.json",
		Header: http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(p.cfg.AccountSID+":"+p.cfg.AuthToken))},
			"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:  []byte(form.Encode()),
		Check: check,
	})
	return err
}

func check(status int, h http.Header, body []byte) error {
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
	pe := channel.NewPlatformError(status, h, code, reason)
	if e.Code == 21610 { // the recipient unsubscribed (Twilio's own STOP handling)
		return fmt.Errorf("%w: %w", channel.ErrOptedOut, pe)
	}
	return pe
}
