package whatsapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
)

// Channel is the channel name on turns from WhatsApp.
const Channel = "whatsapp"

// ErrOutsideWindow is returned when replying more than 24 hours after the
// user's last message without a [Template] in the message's Extras: the
// Cloud API accepts only template messages outside the customer-service
// window.
var ErrOutsideWindow = errors.New("whatsapp: outside the 24-hour customer-service window and no template given")

// Window is the customer-service window: free-form messages may be sent
// only this long after the user's last message.
const Window = 24 * time.Hour

// A Template is an approved message template, sent outside the 24-hour
// window. Put it in [parley.Message.Extras] under "whatsapp"; the adapter
// sends it instead of the free-form message when the window is closed.
type Template struct {
	// Name is the template's name.
	Name string `json:"name"`
	// Language is its language code, such as "en_US".
	Language string `json:"-"`
	// Components are the template's parameters, in the Cloud API's JSON
	// shape (header, body and button components).
	Components []json.RawMessage `json:"components,omitempty"`
}

// Config configures an [Adapter].
type Config struct {
	// PhoneNumberID is the business phone number's ID. Required.
	PhoneNumberID string
	// AccessToken is the system-user access token for the Cloud API.
	// Required.
	AccessToken string
	// AppSecret checks X-Hub-Signature-256 on webhooks. Required.
	AppSecret string
	// VerifyToken answers the webhook verification handshake. Required.
	VerifyToken string
	// BaseURL is the Graph API root (default
	// "https://graph.facebook.com/v21.0").
	BaseURL string
	// ListButton labels the button that opens a list (default "Options").
	ListButton string
	// ChooseText is the body of a button or list message whose reply has
	// no text (default "Please choose:").
	ChooseText string
	channel.Options
}

// Adapter is the WhatsApp Cloud API channel: an http.Handler for the
// webhook (GET for the verification handshake, POST for messages and
// status callbacks) that runs a [parley.Handler] for every message. It is
// safe for concurrent use.
type Adapter struct {
	*channel.Base
	cfg Config

	mu   sync.Mutex
	last map[string]time.Time // user -> time of their last message
}

var _ channel.Adapter = (*Adapter)(nil)

// New returns an Adapter that passes turns to h. It starts nothing; the
// workers start with the first webhook. It panics if h is nil.
func New(c Config, h parley.Handler) (*Adapter, error) {
	var missing []string
	for name, v := range map[string]string{"PhoneNumberID": c.PhoneNumberID, "AccessToken": c.AccessToken,
		"AppSecret": c.AppSecret, "VerifyToken": c.VerifyToken} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("whatsapp: config: missing %s", strings.Join(missing, ", "))
	}
	if c.BaseURL == "" {
		c.BaseURL = "https://graph.facebook.com/v21.0"
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.ListButton == "" {
		c.ListButton = "Options"
	}
	if c.ChooseText == "" {
		c.ChooseText = "Please choose:"
	}
	return &Adapter{
		Base: channel.NewBase(Channel, h, c.Options, channel.WhatsApp, channel.WhatsAppLimits),
		cfg:  c,
		last: make(map[string]time.Time),
	}, nil
}

// ServeHTTP implements the webhook.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		a.verify(w, r)
	case http.MethodPost:
		a.receive(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	}
}

// verify answers the subscription handshake: hub.mode=subscribe and the
// configured hub.verify_token get hub.challenge back.
func (a *Adapter) verify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("hub.mode") != "subscribe" ||
		!channel.EqualSecret([]byte(q.Get("hub.verify_token")), []byte(a.cfg.VerifyToken)) {
		a.Reject(w, r, fmt.Errorf("%w: verification handshake", channel.ErrSignature))
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(q.Get("hub.challenge"))) //nolint:errcheck // the platform retries a failed handshake
}

func (a *Adapter) receive(w http.ResponseWriter, r *http.Request) {
	body, err := a.ReadBody(w, r)
	if err != nil {
		a.Reject(w, r, err)
		return
	}
	if err := CheckSignature(a.cfg.AppSecret, r.Header.Get("X-Hub-Signature-256"), body); err != nil {
		a.Reject(w, r, err)
		return
	}
	n, err := Parse(body)
	if err != nil {
		a.Reject(w, r, err)
		return
	}
	ctx := r.Context()
	for _, c := range n.Entry {
		for _, ch := range c.Changes {
			v := ch.Value
			for _, st := range v.Statuses {
				a.status(ctx, v.Metadata.PhoneNumberID, st)
			}
			for _, m := range v.Messages {
				if err := a.message(ctx, v, m); err != nil {
					a.Reject(w, r, err)
					return
				}
			}
		}
	}
	w.WriteHeader(http.StatusOK)
}

// CheckSignature checks an X-Hub-Signature-256 header ("sha256=<hex>")
// against the HMAC-SHA256 of the raw body under the app secret, in
// constant time. Messenger and Instagram use the same scheme.
func CheckSignature(appSecret, header string, body []byte) error {
	got, ok := strings.CutPrefix(header, "sha256=")
	if !ok || !channel.EqualSecret([]byte(strings.ToLower(got)), []byte(channel.HMACHex(sha256.New, []byte(appSecret), body))) {
		return channel.ErrSignature
	}
	return nil
}

func (a *Adapter) conversation(phoneID, user string) string {
	if phoneID == "" {
		phoneID = a.cfg.PhoneNumberID
	}
	return "whatsapp:" + phoneID + ":" + user
}

func (a *Adapter) status(ctx context.Context, phoneID string, st Status) {
	var err error
	if st.Status == "failed" {
		pe := &channel.PlatformError{Channel: Channel, Status: http.StatusOK, Reason: "delivery failed"}
		if len(st.Errors) > 0 {
			e := st.Errors[0]
			pe.Code = strconv.Itoa(e.Code)
			pe.Reason = strings.TrimSpace(e.Title + ": " + e.Message + " " + e.ErrorData.Details)
		}
		err = pe
	}
	a.Status(ctx, a.conversation(phoneID, st.RecipientID), st.ID, st.Status, err)
}

func (a *Adapter) message(ctx context.Context, v Value, m InMessage) error {
	conv := a.conversation(v.Metadata.PhoneNumberID, m.From)
	t := &parley.Turn{ConversationID: conv, Channel: Channel, MessageID: m.ID, Time: unixTime(m.Timestamp)}
	switch m.Type {
	case "text":
		t.Message.Text = a.ResolveChoice(conv, m.Text.Body)
	case "interactive":
		switch {
		case m.Interactive.ButtonReply != nil:
			t.Message.Text = m.Interactive.ButtonReply.ID
		case m.Interactive.ListReply != nil:
			t.Message.Text = m.Interactive.ListReply.ID
		default:
			a.Unsupported(ctx, conv, m.ID, "interactive/"+m.Interactive.Type)
			return nil
		}
	case "button":
		t.Message.Text = m.Button.Payload
		if t.Message.Text == "" {
			t.Message.Text = m.Button.Text
		}
	case "image", "document", "audio", "video":
		md := m.media()
		kind := map[string]parley.AttachmentKind{"image": parley.Image, "document": parley.File,
			"audio": parley.Audio, "video": parley.Video}[m.Type]
		t.Message.Text = md.Caption
		t.Message.Attachments = []parley.Attachment{{Kind: kind, MIMEType: md.MIMEType, URL: "media:" + md.ID, Name: md.Filename}}
	default:
		// sticker, location, contacts, reaction, order, system, unsupported
		a.Unsupported(ctx, conv, m.ID, m.Type)
		return nil
	}
	a.mu.Lock()
	if len(a.last) > 100_000 {
		for k, at := range a.last {
			if a.Now().Sub(at) > Window {
				delete(a.last, k)
			}
		}
	}
	a.last[m.From] = a.Now()
	a.mu.Unlock()
	t.CustomerID = a.Identify(ctx, m.From, channel.Contact{Phone: m.From})
	return a.Accept(ctx, t, &writer{a: a, to: m.From, conv: conv, inbound: m.ID})
}

func unixTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0)
}

// Writer returns a ReplyWriter that sends to the WhatsApp user with the
// phone number to (digits, with country code), for messages that start
// outside a turn (proactive messages, which need a [Template] outside the
// window).
func (a *Adapter) Writer(to string) parley.ReplyWriter {
	return &writer{a: a, to: to, conv: a.conversation("", to)}
}

// writer sends replies to one WhatsApp user.
type writer struct {
	a       *Adapter
	to      string
	conv    string
	inbound string
}

// Reply sends m, rendered for WhatsApp: buttons (up to 3), lists (up to
// 10), numbered options beyond, media by link. Outside the 24-hour window
// it sends the message's [Template], or fails with [ErrOutsideWindow].
func (w *writer) Reply(ctx context.Context, m parley.Message) error {
	tpl, hasTpl := template(m)
	w.a.mu.Lock()
	last, known := w.a.last[w.to]
	w.a.mu.Unlock()
	switch {
	case known && w.a.Now().Sub(last) > Window && hasTpl:
		return w.a.sendTemplate(ctx, w.to, w.conv, tpl)
	case known && w.a.Now().Sub(last) > Window:
		return ErrOutsideWindow
	case !known && w.inbound == "" && hasTpl:
		// A proactive message to someone we have not heard from: the
		// template is the one kind the platform surely accepts.
		return w.a.sendTemplate(ctx, w.to, w.conv, tpl)
	}
	parts, err := channel.Render(m, w.a.Capabilities())
	if err != nil {
		return fmt.Errorf("whatsapp: %w", err)
	}
	for i, p := range parts {
		if len(p.Numbered) > 0 {
			// Before sending: the answer may arrive before our send returns.
			w.a.Choices().Remember(w.conv, p.Numbered, w.a.Now())
		}
		err := w.a.send(ctx, w.conv, w.a.payload(w.to, p))
		var pe *channel.PlatformError
		if i == 0 && hasTpl && errors.As(err, &pe) && pe.Code == "131047" {
			// The platform says the window is closed (we did not know):
			// nothing was sent, so the template is not a duplicate.
			return w.a.sendTemplate(ctx, w.to, w.conv, tpl)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func template(m parley.Message) (Template, bool) {
	switch v := m.Extras[Channel].(type) {
	case Template:
		return v, v.Name != ""
	case *Template:
		if v != nil {
			return *v, v.Name != ""
		}
	}
	return Template{}, false
}

// MarkRead marks the user's message as read (blue ticks).
func (w *writer) MarkRead(ctx context.Context, messageID string) error {
	return w.a.send(ctx, "", map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": messageID})
}

// Typing marks the inbound message read and shows the typing indicator
// until the next reply (or 25 seconds).
func (w *writer) Typing(ctx context.Context) error {
	if w.inbound == "" {
		return nil
	}
	return w.a.send(ctx, "", map[string]any{"messaging_product": "whatsapp", "status": "read",
		"message_id": w.inbound, "typing_indicator": map[string]string{"type": "text"}})
}

func (a *Adapter) sendTemplate(ctx context.Context, to, conv string, t Template) error {
	tpl := map[string]any{"name": t.Name, "language": map[string]string{"code": t.Language}}
	if len(t.Components) > 0 {
		tpl["components"] = t.Components
	}
	return a.send(ctx, conv, map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual",
		"to": to, "type": "template", "template": tpl})
}

func (a *Adapter) payload(to string, p channel.Part) map[string]any {
	msg := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
	body := p.Text
	if body == "" {
		body = a.cfg.ChooseText
	}
	switch {
	case p.Attachment != nil:
		kind := map[parley.AttachmentKind]string{parley.Image: "image", parley.File: "document",
			parley.Audio: "audio", parley.Video: "video"}[p.Attachment.Kind]
		media := map[string]string{"link": p.Attachment.URL}
		if kind == "document" && p.Attachment.Name != "" {
			media["filename"] = p.Attachment.Name
		}
		msg["type"] = kind
		msg[kind] = media
	case len(p.Buttons) > 0:
		var buttons []map[string]any
		for _, b := range p.Buttons {
			buttons = append(buttons, map[string]any{"type": "reply", "reply": map[string]string{"id": b.Value(), "title": b.Title}})
		}
		msg["type"] = "interactive"
		msg["interactive"] = map[string]any{"type": "button", "body": map[string]string{"text": body},
			"action": map[string]any{"buttons": buttons}}
	case len(p.List) > 0:
		var rows []map[string]string
		for _, q := range p.List {
			rows = append(rows, map[string]string{"id": q.Value(), "title": q.Title})
		}
		msg["type"] = "interactive"
		msg["interactive"] = map[string]any{"type": "list", "body": map[string]string{"text": body},
			"action": map[string]any{"button": channel.Truncate(a.cfg.ListButton, 20),
				"sections": []map[string]any{{"rows": rows}}}}
	default:
		msg["type"] = "text"
		msg["text"] = map[string]any{"body": p.Text, "preview_url": strings.Contains(p.Text, "https://")}
	}
	return msg
}

// send posts one message object to /{phone-number-id}/messages.
func (a *Adapter) send(ctx context.Context, conv string, msg map[string]any) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("whatsapp: encode: %w", err)
	}
	_, err = a.Sender().Do(ctx, channel.Call{
		Conversation: conv,
		URL:          a.cfg.BaseURL + "/" + a.cfg.PhoneNumberID + "/messages",
		Header: http.Header{"Authorization": {"Bearer " + a.cfg.AccessToken},
			"Content-Type": {"application/json"}},
		Body:  body,
		Check: a.check,
	})
	return err
}

// throttled lists the Graph API error codes that mean "slow down", which
// the platform may send with status 400.
var throttled = map[int]bool{4: true, 17: true, 32: true, 613: true, 80007: true, 130429: true, 131048: true, 131056: true}

func (a *Adapter) check(status int, h http.Header, body []byte) error {
	if status/100 == 2 {
		return nil
	}
	return GraphError(Channel, status, h, body, a.Now())
}

// GraphError decodes a Graph API error answer into a
// [*channel.PlatformError]: the code, the message with its details, and
// Temporary for 429, 5xx and the throttling codes.
func GraphError(ch string, status int, h http.Header, body []byte, now time.Time) *channel.PlatformError {
	var env struct {
		Error struct {
			Message   string `json:"message"`
			Code      int    `json:"code"`
			ErrorData struct {
				Details string `json:"details"`
			} `json:"error_data"`
		} `json:"error"`
	}
	reason := string(bytes.TrimSpace(body))
	code := ""
	if json.Unmarshal(body, &env) == nil && (env.Error.Message != "" || env.Error.Code != 0) {
		reason = strings.TrimSpace(env.Error.Message + " " + env.Error.ErrorData.Details)
		code = strconv.Itoa(env.Error.Code)
	}
	pe := channel.NewPlatformError(ch, status, h, code, reason, now)
	if throttled[env.Error.Code] {
		pe.Temporary = true
	}
	return pe
}
