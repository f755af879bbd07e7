package messenger

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/internal/driver"
	"github.com/parleyhq/parley/channel/internal/meta"
	"github.com/parleyhq/parley/memory"
)

// Config configures the Messenger (or Instagram direct messages) channel
// of the Messenger Platform.
type Config struct {
	// Instagram selects Instagram direct messages instead of Messenger:
	// the webhook object is "instagram", the channel name "instagram".
	Instagram bool
	// PageAccessToken is the page's access token. Required.
	PageAccessToken string
	// AppSecret checks X-Hub-Signature-256 on webhooks. Required.
	AppSecret string
	// VerifyToken answers the webhook verification handshake. Required.
	VerifyToken string
	// BaseURL is the Graph API root (default
	// "https://graph.facebook.com/v21.0").
	BaseURL string
	// HTTPClient sends API calls (default: a client with a 30s timeout).
	HTTPClient *http.Client
	// Payloads keeps button payloads too long for the platform (sent as
	// short tokens) for 7 days, so that a tap reaching another replica,
	// or this one after a restart, maps back to the whole payload; nil
	// keeps them in process memory.
	Payloads memory.Store
	// Adapter configures the [channel.Adapter]. Channel defaults to
	// "messenger" (or "instagram"); zero Capabilities and Limits take the
	// platform's: Messenger text of 2000 characters, 13 quick replies of 20,
	// carousels of 10 cards, media; Instagram text of 1000 characters, 13
	// quick replies, carousels, images, video and audio; a conservative
	// 40 messages/s per page and 1/s (bursts of 10) per user.
	Adapter channel.Config
}

// New returns the Messenger (or Instagram) channel. Serve its Handler at
// the page's webhook URL (GET answers the verification handshake, POST
// carries messages, quick replies and postbacks) and register it as the
// Bot's Sender for the channel. Outside Messenger's 24-hour window only
// tagged messages are allowed: put a [Tag] in the message's Extras under
// the channel name.
func New(c Config) (*channel.Adapter, error) { return driver.Adapt(newDriver(c)) }

func newDriver(c Config) (*graphAPI, channel.Config, error) {
	if c.PageAccessToken == "" || c.AppSecret == "" || c.VerifyToken == "" {
		return nil, channel.Config{}, fmt.Errorf("messenger: config: PageAccessToken, AppSecret and VerifyToken are required")
	}
	c.BaseURL = driver.BaseURL(c.BaseURL, "https://graph.facebook.com/v21.0")
	c.HTTPClient = driver.Client(c.HTTPClient)
	name, object := "messenger", "page"
	caps := channel.Capabilities{MaxText: 2000, MaxButtons: 13, MaxButtonTitle: 20, MaxCards: 10,
		Media: []parley.AttachmentKind{parley.Image, parley.File, parley.Audio, parley.Video}}
	if c.Instagram {
		name, object = "instagram", "instagram"
		caps = channel.Capabilities{MaxText: 1000, MaxButtons: 13, MaxButtonTitle: 20, MaxCards: 10,
			Media: []parley.AttachmentKind{parley.Image, parley.Video, parley.Audio}}
	}
	ac := driver.Defaults(c.Adapter, name, caps, channel.Limits{Rate: 40, Burst: 40, PerConversation: 1, PerConversationBurst: 10})
	return &graphAPI{cfg: c, name: name, object: object, long: driver.Payloads{Store: c.Payloads}}, ac, nil
}

// graphAPI is the Messenger Platform driver.
type graphAPI struct {
	cfg    Config
	name   string // "messenger" or "instagram"
	object string // the webhook's object
	long   driver.Payloads
}

// maxPayload is the longest quick-reply or postback payload the Send API
// takes (1,000 characters); longer ones are kept server-side.
const maxPayload = 1000

// A notification is the webhook body.
type notification struct {
	Object string `json:"object"`
	Entry  []struct {
		ID        string      `json:"id"`
		Time      int64       `json:"time"`
		Messaging []messaging `json:"messaging"`
	} `json:"entry"`
}

// messaging is one event for the page: a message, a postback, a reaction,
// a delivery or read receipt.
type messaging struct {
	Sender struct {
		ID string `json:"id"`
	} `json:"sender"`
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	Timestamp int64    `json:"timestamp"`
	Message   *message `json:"message,omitempty"`
	Postback  *struct {
		Title   string `json:"title"`
		Payload string `json:"payload"`
		MID     string `json:"mid"`
	} `json:"postback,omitempty"`
	Reaction json.RawMessage `json:"reaction,omitempty"`
	// MessageDeletes is an unsend: the user removed messages (mids).
	MessageDeletes *struct {
		MIDs []string `json:"mids"`
	} `json:"message_deletes,omitempty"`
	Delivery *struct {
		MIDs []string `json:"mids"`
	} `json:"delivery,omitempty"`
	Read *struct {
		Watermark int64 `json:"watermark"`
	} `json:"read,omitempty"`
}

// A message is an inbound message.
type message struct {
	MID       string `json:"mid"`
	Text      string `json:"text,omitempty"`
	IsEcho    bool   `json:"is_echo,omitempty"`
	StickerID int64  `json:"sticker_id,omitempty"`
	// IsDeleted marks an unsend (Instagram): the user removed message MID.
	IsDeleted bool `json:"is_deleted,omitempty"`
	// IsUnsupported marks a message the platform cannot pass to the API
	// (Instagram: a kind the Messaging API does not carry).
	IsUnsupported bool `json:"is_unsupported,omitempty"`
	QuickReply    *struct {
		Payload string `json:"payload"`
	} `json:"quick_reply,omitempty"`
	Attachments []attachment `json:"attachments,omitempty"`
}

// An attachment is an inbound attachment: media, or a kind passed on as
// a description (a location, a shared post or link, a story mention).
type attachment struct {
	Type    string `json:"type"`
	Title   string `json:"title,omitempty"`
	URL     string `json:"url,omitempty"`
	Payload struct {
		URL         string `json:"url"`
		Title       string `json:"title"`
		Coordinates *struct {
			Lat  float64 `json:"lat"`
			Long float64 `json:"long"`
		} `json:"coordinates,omitempty"`
	} `json:"payload"`
}

// attachmentNames name the attachment kinds described in text.
var attachmentNames = map[string]string{
	"location": "a location", "fallback": "a link", "share": "a shared post", "story_mention": "a story mention",
	"ig_reel": "a reel", "reel": "a reel", "ig_post": "a post", "template": "a card", "product": "a product",
}

// describe renders an attachment the platform's API cannot show as text
// for the bot: "[sent a location: geo:52.52,13.405]", "[sent a link:
// Our sale https://…]".
func describe(a attachment) string {
	name := attachmentNames[a.Type]
	if name == "" {
		name = "an attachment of type " + strconv.Quote(a.Type)
	}
	var parts []string
	for _, s := range []string{cmp.Or(a.Payload.Title, a.Title), cmp.Or(a.Payload.URL, a.URL)} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if c := a.Payload.Coordinates; c != nil {
		parts = append(parts, "geo:"+strconv.FormatFloat(c.Lat, 'f', -1, 64)+","+strconv.FormatFloat(c.Long, 'f', -1, 64))
	}
	if len(parts) == 0 {
		return "[sent " + name + "]"
	}
	return "[sent " + name + ": " + strings.Join(parts, " ") + "]"
}

// parse decodes a webhook body for the platform ("page" or "instagram"
// object), returning an error wrapping [channel.ErrMalformed].
func parse(body []byte, object string) (*notification, error) {
	return driver.ParseJSON(body, func(n *notification) string {
		if n.Object != object {
			return fmt.Sprintf("object %q", n.Object)
		}
		return ""
	})
}

// Verify implements [channel.Platform].
func (p *graphAPI) Verify(r *http.Request, body []byte) error {
	return meta.Verify(r, body, p.cfg.AppSecret, p.cfg.VerifyToken)
}

// Parse implements [channel.Platform].
func (p *graphAPI) Parse(r *http.Request, body []byte) (*channel.Batch, error) {
	if b := meta.Handshake(r); b != nil {
		return b, nil
	}
	n, err := parse(body, p.object)
	if err != nil {
		return nil, err
	}
	b := &channel.Batch{}
	for _, e := range n.Entry {
		for _, m := range e.Messaging {
			if err := p.event(r.Context(), b, m); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}

func (p *graphAPI) conversation(page, user string) string {
	return p.name + ":" + page + ":" + user
}

func unsupported(conv, id, kind string) parley.Event {
	return parley.Event{Kind: channel.EventUnsupported, ConversationID: conv, MessageID: id,
		Attrs: map[string]string{"type": kind}}
}

// unsend reports that the user removed their message id: the Bot is not
// asked to answer it, and an observer may record it (or remove the message
// from a transcript).
func unsend(conv, id string) parley.Event {
	return parley.Event{Kind: channel.EventUnsupported, ConversationID: conv, MessageID: id,
		Attrs: map[string]string{"type": "unsend", "message_id": id}}
}

func status(conv, id, st string) parley.Event {
	return parley.Event{Kind: channel.EventStatus, ConversationID: conv,
		Attrs: map[string]string{"status": st, "message_id": id}}
}

func (p *graphAPI) event(ctx context.Context, b *channel.Batch, m messaging) error {
	conv := p.conversation(m.Recipient.ID, m.Sender.ID)
	t := &parley.Turn{ConversationID: conv, Recipient: m.Sender.ID, Time: time.UnixMilli(m.Timestamp)}
	switch {
	case m.Message != nil && m.Message.IsEcho:
		return nil // the page's own message
	case m.Message != nil && m.Message.IsDeleted:
		// An unsend: recorded for the observer, never a turn.
		b.Events = append(b.Events, unsend(conv, m.Message.MID))
		return nil
	case m.Message != nil:
		msg := m.Message
		t.MessageID = msg.MID
		switch {
		case msg.QuickReply != nil:
			payload, ok := p.long.Resolve(ctx, msg.QuickReply.Payload)
			if !ok {
				payload = msg.Text // kept by another process: the title the user tapped
			}
			t.Message.Text = payload
		case msg.StickerID != 0:
			b.Events = append(b.Events, unsupported(conv, msg.MID, "sticker"))
			return nil
		case msg.IsUnsupported:
			b.Events = append(b.Events, unsupported(conv, msg.MID, "unsupported"))
			t.Message.Text = driver.JoinLines(msg.Text, "[sent a message this channel cannot show]")
		case len(msg.Attachments) > 0:
			kinds := map[string]parley.AttachmentKind{"image": parley.Image, "file": parley.File, "audio": parley.Audio, "video": parley.Video}
			text := msg.Text
			for _, at := range msg.Attachments {
				k, ok := kinds[at.Type]
				if !ok || at.Payload.URL == "" {
					// A location, shared post, story mention, link: described,
					// so the bot sees what was sent rather than empty text.
					b.Events = append(b.Events, unsupported(conv, msg.MID, at.Type))
					text = driver.JoinLines(text, describe(at))
					continue
				}
				t.Message.Attachments = append(t.Message.Attachments, parley.Attachment{Kind: k, URL: at.Payload.URL})
			}
			t.Message.Text = text
		case msg.Text == "":
			b.Events = append(b.Events, unsupported(conv, msg.MID, "empty"))
			return nil
		default:
			t.Message.Text = msg.Text
		}
	case m.Postback != nil:
		t.MessageID = m.Postback.MID
		if t.MessageID == "" {
			t.MessageID = "postback:" + strconv.FormatInt(m.Timestamp, 10)
		}
		payload, ok := p.long.Resolve(ctx, m.Postback.Payload)
		if !ok || payload == "" {
			payload = m.Postback.Title
		}
		t.Message.Text = payload
	case m.Delivery != nil:
		for _, mid := range m.Delivery.MIDs {
			b.Events = append(b.Events, status(conv, mid, "delivered"))
		}
		return nil
	case m.MessageDeletes != nil:
		for _, mid := range m.MessageDeletes.MIDs {
			b.Events = append(b.Events, unsend(conv, mid))
		}
		return nil
	case m.Read != nil:
		b.Events = append(b.Events, status(conv, "", "read"))
		return nil
	case len(m.Reaction) > 0:
		b.Events = append(b.Events, unsupported(conv, "", "reaction"))
		return nil
	default:
		b.Events = append(b.Events, unsupported(conv, "", "event"))
		return nil
	}
	if t.MessageID == "" || m.Sender.ID == "" {
		return fmt.Errorf("%w: message without mid or sender", channel.ErrMalformed)
	}
	b.Inbound = append(b.Inbound, channel.Inbound{Turn: t, UserID: m.Sender.ID})
	return nil
}

// A Tag is a message tag ("HUMAN_AGENT", "ACCOUNT_UPDATE") that lets a
// message be sent outside the 24-hour window.
type Tag string

// Send implements [channel.Platform]: text with quick replies (up to 13),
// generic-template cards (up to 10), media attachments by URL. A [Tag] in
// the message's Extras (under the channel name) sends it as a tagged
// message, allowed outside the 24-hour window.
func (p *graphAPI) Send(ctx context.Context, o *channel.Outgoing) error {
	if o.To.Recipient == "" {
		return fmt.Errorf("%s: no recipient for conversation %q", p.name, o.To.ConversationID)
	}
	msg := map[string]any{"recipient": map[string]string{"id": o.To.Recipient}, "messaging_type": "RESPONSE", "message": p.payload(o.Part)}
	if err := p.long.Sync(ctx); err != nil {
		return err
	}
	tag, _ := o.Message.Extras[o.To.Channel].(Tag)
	if tag == "" {
		tag, _ = o.Message.Extras[p.name].(Tag)
	}
	if tag != "" {
		msg["messaging_type"] = "MESSAGE_TAG"
		msg["tag"] = string(tag)
	}
	return p.post(ctx, "/me/messages", msg)
}

// post makes one Graph API call.
func (p *graphAPI) post(ctx context.Context, path string, msg map[string]any) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", p.name, err)
	}
	_, err = channel.Do(ctx, p.cfg.HTTPClient, channel.Call{
		URL:    p.cfg.BaseURL + path,
		Header: http.Header{"Authorization": {"Bearer " + p.cfg.PageAccessToken}, "Content-Type": {"application/json"}},
		Body:   body,
		Check:  check,
	})
	return err
}

func (d *graphAPI) payload(p channel.Part) map[string]any {
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
					buttons = append(buttons, map[string]string{"type": "postback", "payload": d.long.Fit(cmp.Or(b.Payload, b.Title), maxPayload), "title": channel.Truncate(b.Title, 20)})
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
			qs = append(qs, map[string]string{"content_type": "text", "title": b.Title, "payload": d.long.Fit(b.Value(), maxPayload)})
		}
		msg["quick_replies"] = qs
	}
	return msg
}

// throttled lists the Graph API codes that mean "slow down".
var throttled = map[int]bool{4: true, 17: true, 32: true, 613: true, 80006: true}

// check is the Check of every Graph API call.
var check = meta.Check(throttled)

// Typing shows the typing indicator (sender_action typing_on).
func (p *graphAPI) Typing(ctx context.Context, to parley.Address, _ string) error {
	return p.action(ctx, to, "typing_on")
}

// MarkRead marks the conversation seen (sender_action mark_seen).
func (p *graphAPI) MarkRead(ctx context.Context, to parley.Address, _ string) error {
	return p.action(ctx, to, "mark_seen")
}

func (p *graphAPI) action(ctx context.Context, to parley.Address, action string) error {
	return p.post(ctx, "/me/messages", map[string]any{"recipient": map[string]string{"id": to.Recipient}, "sender_action": action})
}

// SetPersistentMenu sets the page's persistent menu through the Messenger
// Profile API, for all locales: URL buttons open the URL, others send their
// payload back as a postback. It makes one attempt.
func SetPersistentMenu(ctx context.Context, c Config, items []parley.Button) error {
	p, _, err := newDriver(c)
	if err != nil {
		return err
	}
	var actions []map[string]string
	for _, b := range items {
		if b.URL != "" {
			actions = append(actions, map[string]string{"type": "web_url", "title": b.Title, "url": b.URL, "webview_height_ratio": "full"})
		} else {
			actions = append(actions, map[string]string{"type": "postback", "title": b.Title, "payload": b.Payload})
		}
	}
	path := "/me/messenger_profile"
	if c.Instagram {
		path += "?platform=instagram"
	}
	err = p.post(ctx, path, map[string]any{"persistent_menu": []map[string]any{{
		"locale": "default", "composer_input_disabled": false, "call_to_actions": actions}}})
	var pe *channel.PlatformError
	if errors.As(err, &pe) {
		pe.Channel = p.name
	}
	return err
}
