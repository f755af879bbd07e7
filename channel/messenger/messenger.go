package messenger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
)

// Platform names, used as channel names on turns.
const (
	Messenger = "messenger"
	Instagram = "instagram"
)

// Config configures an [Adapter].
type Config struct {
	// Platform is [Messenger] (the default) or [Instagram].
	Platform string
	// PageAccessToken is the page's access token. Required.
	PageAccessToken string
	// AppSecret checks X-Hub-Signature-256 on webhooks. Required.
	AppSecret string
	// VerifyToken answers the webhook verification handshake. Required.
	VerifyToken string
	// BaseURL is the Graph API root (default
	// "https://graph.facebook.com/v21.0").
	BaseURL string
	channel.Options
}

// Adapter is the Messenger (or Instagram direct messages) channel of the
// Messenger Platform: an http.Handler for the page's webhook that runs a
// [parley.Handler] for each message, quick reply and postback. It is safe
// for concurrent use.
type Adapter struct {
	*channel.Base
	cfg Config
}

var _ channel.Adapter = (*Adapter)(nil)

// New returns an Adapter that passes turns to h. It panics if h is nil.
func New(c Config, h parley.Handler) (*Adapter, error) {
	if c.Platform == "" {
		c.Platform = Messenger
	}
	if c.Platform != Messenger && c.Platform != Instagram {
		return nil, fmt.Errorf("messenger: config: unknown platform %q", c.Platform)
	}
	if c.PageAccessToken == "" || c.AppSecret == "" || c.VerifyToken == "" {
		return nil, fmt.Errorf("messenger: config: PageAccessToken, AppSecret and VerifyToken are required")
	}
	if c.BaseURL == "" {
		c.BaseURL = "https://graph.facebook.com/v21.0"
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	caps := channel.Messenger
	if c.Platform == Instagram {
		caps = channel.Instagram
	}
	return &Adapter{Base: channel.NewBase(c.Platform, h, c.Options, caps, channel.MessengerLimits), cfg: c}, nil
}

// A Notification is the webhook body.
type Notification struct {
	Object string `json:"object"`
	Entry  []struct {
		ID        string      `json:"id"`
		Time      int64       `json:"time"`
		Messaging []Messaging `json:"messaging"`
	} `json:"entry"`
}

// Messaging is one event for the page: a message, a postback, a reaction,
// a delivery or read receipt.
type Messaging struct {
	Sender struct {
		ID string `json:"id"`
	} `json:"sender"`
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	Timestamp int64    `json:"timestamp"`
	Message   *Message `json:"message,omitempty"`
	Postback  *struct {
		Title   string `json:"title"`
		Payload string `json:"payload"`
		MID     string `json:"mid"`
	} `json:"postback,omitempty"`
	Reaction json.RawMessage `json:"reaction,omitempty"`
	Delivery *struct {
		MIDs []string `json:"mids"`
	} `json:"delivery,omitempty"`
	Read *struct {
		Watermark int64 `json:"watermark"`
	} `json:"read,omitempty"`
}

// A Message is an inbound message.
type Message struct {
	MID        string `json:"mid"`
	Text       string `json:"text,omitempty"`
	IsEcho     bool   `json:"is_echo,omitempty"`
	StickerID  int64  `json:"sticker_id,omitempty"`
	QuickReply *struct {
		Payload string `json:"payload"`
	} `json:"quick_reply,omitempty"`
	Attachments []struct {
		Type    string `json:"type"`
		Payload struct {
			URL string `json:"url"`
		} `json:"payload"`
	} `json:"attachments,omitempty"`
}

// Parse decodes a webhook body for the platform ("page" or "instagram"
// object), returning an error wrapping [channel.ErrMalformed].
func Parse(body []byte, object string) (*Notification, error) {
	var n Notification
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, fmt.Errorf("%w: %w", channel.ErrMalformed, err)
	}
	if n.Object != object {
		return nil, fmt.Errorf("%w: object %q", channel.ErrMalformed, n.Object)
	}
	return &n, nil
}

// ServeHTTP implements the webhook: GET for the verification handshake,
// POST for events.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		if q.Get("hub.mode") != "subscribe" ||
			!channel.EqualSecret([]byte(q.Get("hub.verify_token")), []byte(a.cfg.VerifyToken)) {
			a.Reject(w, r, fmt.Errorf("%w: verification handshake", channel.ErrSignature))
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(q.Get("hub.challenge"))) //nolint:errcheck // Meta retries a failed handshake
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	body, err := a.ReadBody(w, r)
	if err != nil {
		a.Reject(w, r, err)
		return
	}
	got, ok := strings.CutPrefix(r.Header.Get("X-Hub-Signature-256"), "sha256=")
	if !ok || !channel.EqualSecret([]byte(strings.ToLower(got)), []byte(channel.HMACHex(sha256.New, []byte(a.cfg.AppSecret), body))) {
		a.Reject(w, r, channel.ErrSignature)
		return
	}
	object := "page"
	if a.cfg.Platform == Instagram {
		object = "instagram"
	}
	n, err := Parse(body, object)
	if err != nil {
		a.Reject(w, r, err)
		return
	}
	for _, e := range n.Entry {
		for _, m := range e.Messaging {
			if err := a.event(r.Context(), m); err != nil {
				a.Reject(w, r, err)
				return
			}
		}
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) conversation(page, user string) string {
	return a.cfg.Platform + ":" + page + ":" + user
}

func (a *Adapter) event(ctx context.Context, m Messaging) error {
	conv := a.conversation(m.Recipient.ID, m.Sender.ID)
	t := &parley.Turn{ConversationID: conv, Time: time.UnixMilli(m.Timestamp)}
	switch {
	case m.Message != nil && m.Message.IsEcho:
		return nil // the page's own message
	case m.Message != nil:
		msg := m.Message
		t.MessageID = msg.MID
		switch {
		case msg.QuickReply != nil:
			t.Message.Text = msg.QuickReply.Payload
		case msg.StickerID != 0:
			a.Unsupported(ctx, conv, msg.MID, "sticker")
			return nil
		case len(msg.Attachments) > 0:
			kinds := map[string]parley.AttachmentKind{"image": parley.Image, "file": parley.File, "audio": parley.Audio, "video": parley.Video}
			for _, at := range msg.Attachments {
				k, ok := kinds[at.Type]
				if !ok {
					a.Unsupported(ctx, conv, msg.MID, at.Type) // location, fallback, template
					continue
				}
				t.Message.Attachments = append(t.Message.Attachments, parley.Attachment{Kind: k, URL: at.Payload.URL})
			}
			t.Message.Text = msg.Text
			if len(t.Message.Attachments) == 0 && t.Message.Text == "" {
				return nil
			}
		default:
			t.Message.Text = a.ResolveChoice(conv, msg.Text)
		}
	case m.Postback != nil:
		t.MessageID = m.Postback.MID
		if t.MessageID == "" {
			t.MessageID = "postback:" + strconv.FormatInt(m.Timestamp, 10)
		}
		t.Message.Text = m.Postback.Payload
		if t.Message.Text == "" {
			t.Message.Text = m.Postback.Title
		}
	case m.Delivery != nil:
		for _, mid := range m.Delivery.MIDs {
			a.Status(ctx, conv, mid, "delivered", nil)
		}
		return nil
	case m.Read != nil:
		a.Status(ctx, conv, "", "read", nil)
		return nil
	case len(m.Reaction) > 0:
		a.Unsupported(ctx, conv, "", "reaction")
		return nil
	default:
		a.Unsupported(ctx, conv, "", "event")
		return nil
	}
	if t.MessageID == "" || m.Sender.ID == "" {
		return fmt.Errorf("%w: message without mid or sender", channel.ErrMalformed)
	}
	t.CustomerID = a.Identify(ctx, m.Sender.ID, channel.Contact{})
	return a.Accept(ctx, t, &writer{a: a, to: m.Sender.ID, conv: conv})
}

// Writer returns a ReplyWriter for the user with the page-scoped ID psid.
// Outside Messenger's 24-hour window only tagged messages are allowed;
// set Extras["messenger"] (or "instagram") to a [Tag].
func (a *Adapter) Writer(psid string) parley.ReplyWriter {
	return &writer{a: a, to: psid, conv: a.conversation("", psid)}
}

// A Tag is a message tag ("HUMAN_AGENT", "ACCOUNT_UPDATE") that lets a
// message be sent outside the 24-hour window.
type Tag string

type writer struct {
	a    *Adapter
	to   string
	conv string
}

// Reply sends m: text with quick replies (up to 13), generic-template
// cards (up to 10), media attachments by URL.
func (w *writer) Reply(ctx context.Context, m parley.Message) error {
	parts, err := channel.Render(m, w.a.Capabilities())
	if err != nil {
		return fmt.Errorf("%s: %w", w.a.cfg.Platform, err)
	}
	tag, _ := m.Extras[w.a.cfg.Platform].(Tag)
	for _, p := range parts {
		msg := map[string]any{"recipient": map[string]string{"id": w.to}, "messaging_type": "RESPONSE", "message": message(p)}
		if tag != "" {
			msg["messaging_type"] = "MESSAGE_TAG"
			msg["tag"] = string(tag)
		}
		if len(p.Numbered) > 0 {
			// Before sending: the answer may arrive before our send returns.
			w.a.Choices().Remember(w.conv, p.Numbered, w.a.Now())
		}
		if err := w.a.send(ctx, w.conv, "/me/messages", msg); err != nil {
			return err
		}
	}
	return nil
}

func message(p channel.Part) map[string]any {
	switch {
	case p.Attachment != nil:
		kind := map[parley.AttachmentKind]string{parley.Image: "image", parley.File: "file", parley.Audio: "audio", parley.Video: "video"}[p.Attachment.Kind]
		return map[string]any{"attachment": map[string]any{"type": kind, "payload": map[string]any{"url": p.Attachment.URL, "is_reusable": true}}}
	case len(p.Cards) > 0:
		var els []map[string]any
		for _, c := range p.Cards {
			el := map[string]any{"title": c.Title}
			if c.Subtitle != "" {
				el["subtitle"] = c.Subtitle
			}
			if c.ImageURL != "" {
				el["image_url"] = c.ImageURL
			}
			if c.URL != "" {
				el["default_action"] = map[string]string{"type": "web_url", "url": c.URL}
			}
			var buttons []map[string]string
			for _, b := range c.Buttons {
				if b.URL != "" {
					buttons = append(buttons, map[string]string{"type": "web_url", "url": b.URL, "title": b.Title})
				} else {
					buttons = append(buttons, map[string]string{"type": "postback", "payload": b.Payload, "title": b.Title})
				}
			}
			if len(buttons) > 3 {
				buttons = buttons[:3]
			}
			if len(buttons) > 0 {
				el["buttons"] = buttons
			}
			els = append(els, el)
		}
		return map[string]any{"attachment": map[string]any{"type": "template",
			"payload": map[string]any{"template_type": "generic", "elements": els}}}
	}
	text := p.Text
	if text == "" {
		text = "Please choose:"
	}
	msg := map[string]any{"text": text}
	if len(p.Buttons) > 0 {
		var qs []map[string]string
		for _, b := range p.Buttons {
			qs = append(qs, map[string]string{"content_type": "text", "title": b.Title, "payload": b.Value()})
		}
		msg["quick_replies"] = qs
	}
	return msg
}

// Typing shows the typing indicator (sender_action typing_on).
func (w *writer) Typing(ctx context.Context) error {
	return w.a.send(ctx, "", "/me/messages", map[string]any{"recipient": map[string]string{"id": w.to}, "sender_action": "typing_on"})
}

// MarkRead marks the conversation seen (sender_action mark_seen).
func (w *writer) MarkRead(ctx context.Context, _ string) error {
	return w.a.send(ctx, "", "/me/messages", map[string]any{"recipient": map[string]string{"id": w.to}, "sender_action": "mark_seen"})
}

// SetPersistentMenu sets the page's persistent menu through the Messenger
// Profile API, for all locales: URL buttons open the URL, others send their
// payload back as a postback.
func (a *Adapter) SetPersistentMenu(ctx context.Context, items []parley.Button) error {
	var actions []map[string]string
	for _, b := range items {
		if b.URL != "" {
			actions = append(actions, map[string]string{"type": "web_url", "title": b.Title, "url": b.URL, "webview_height_ratio": "full"})
		} else {
			actions = append(actions, map[string]string{"type": "postback", "title": b.Title, "payload": b.Payload})
		}
	}
	path := "/me/messenger_profile"
	if a.cfg.Platform == Instagram {
		path += "?platform=instagram"
	}
	return a.send(ctx, "", path, map[string]any{"persistent_menu": []map[string]any{{
		"locale": "default", "composer_input_disabled": false, "call_to_actions": actions}}})
}

func (a *Adapter) send(ctx context.Context, conv, path string, msg map[string]any) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", a.cfg.Platform, err)
	}
	_, err = a.Sender().Do(ctx, channel.Call{
		Conversation: conv,
		URL:          a.cfg.BaseURL + path,
		Header:       http.Header{"Authorization": {"Bearer " + a.cfg.PageAccessToken}, "Content-Type": {"application/json"}},
		Body:         body,
		Check:        a.check,
	})
	return err
}

// throttled lists the Graph API codes that mean "slow down".
var throttled = map[int]bool{4: true, 17: true, 32: true, 613: true, 80006: true}

func (a *Adapter) check(status int, h http.Header, body []byte) error {
	if status/100 == 2 {
		return nil
	}
	var env struct {
		Error struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
		} `json:"error"`
	}
	reason, code := string(bytes.TrimSpace(body)), ""
	if json.Unmarshal(body, &env) == nil && (env.Error.Message != "" || env.Error.Code != 0) {
		reason, code = env.Error.Message, strconv.Itoa(env.Error.Code)
	}
	pe := channel.NewPlatformError(a.cfg.Platform, status, h, code, reason, a.Now())
	if throttled[env.Error.Code] {
		pe.Temporary = true
	}
	return pe
}
