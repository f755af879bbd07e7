package whatsapp

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/internal/driver"
	"github.com/parleyhq/parley/channel/internal/meta"
	"github.com/parleyhq/parley/memory"
)

// ErrOutsideWindow is returned when replying more than 24 hours after the
// user's last message without a [Template] in the message's Extras: the
// Cloud API accepts only template messages outside the customer-service
// window.
var ErrOutsideWindow = errors.New("whatsapp: outside the 24-hour customer-service window and no template given")

// window is the customer-service window: free-form messages may be sent
// only this long after the user's last message.
const window = 24 * time.Hour

// A Template is an approved message template, sent outside the 24-hour
// window. Put it in [parley.Message.Extras] under "whatsapp"; the adapter
// sends it instead of the free-form message when the window is closed, and
// for a message to someone it has not heard from.
type Template struct {
	// Name is the template's name.
	Name string `json:"name"`
	// Language is its language code, such as "en_US".
	Language string `json:"-"`
	// Components are the template's parameters, in the Cloud API's JSON
	// shape (header, body and button components).
	Components []json.RawMessage `json:"components,omitempty"`
}

// Config configures the WhatsApp Cloud API channel.
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
	// HTTPClient sends API calls (default: a client with a 30s timeout).
	HTTPClient *http.Client
	// Payloads keeps button payloads too long for the platform (sent as
	// short tokens) for 7 days, so that a tap reaching another replica,
	// or this one after a restart, maps back to the whole payload; nil
	// keeps them in process memory.
	Payloads memory.Store
	// Adapter configures the [channel.Adapter]. Channel defaults to
	// "whatsapp"; zero Capabilities and Limits take the Cloud API's: text of
	// 4096 characters, 3 reply buttons of 20, lists of 10 rows of 24, media;
	// 80 messages/s per business number and 1/s (bursts of 10) per user.
	Adapter channel.Config
}

// New returns the WhatsApp Cloud API channel. Serve its Handler at the
// webhook URL (GET answers the verification handshake, POST carries
// messages and status callbacks) and register it as the Bot's Sender for
// the channel.
func New(c Config) (*channel.Adapter, error) { return driver.Adapt(newDriver(c)) }

func newDriver(c Config) (*cloudAPI, channel.Config, error) {
	var missing []string
	for _, f := range []struct{ name, v string }{{"PhoneNumberID", c.PhoneNumberID}, {"AccessToken", c.AccessToken},
		{"AppSecret", c.AppSecret}, {"VerifyToken", c.VerifyToken}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, channel.Config{}, fmt.Errorf("whatsapp: config: missing %s", strings.Join(missing, ", "))
	}
	c.BaseURL = driver.BaseURL(c.BaseURL, "https://graph.facebook.com/v21.0")
	if c.ListButton == "" {
		c.ListButton = "Options"
	}
	if c.ChooseText == "" {
		c.ChooseText = "Please choose:"
	}
	c.HTTPClient = driver.Client(c.HTTPClient)
	ac := driver.Defaults(c.Adapter, "whatsapp",
		channel.Capabilities{MaxText: maxText, MaxOptionsText: maxBody, MaxButtons: 3, MaxButtonTitle: maxTitle, MaxListItems: 10, MaxListTitle: maxRowTitle,
			Media: []parley.AttachmentKind{parley.Image, parley.File, parley.Audio, parley.Video}, InlineMedia: true},
		channel.Limits{Rate: 80, Burst: 80, PerConversation: 1, PerConversationBurst: 10})
	return &cloudAPI{cfg: c, long: driver.Payloads{Store: c.Payloads}, last: make(map[string]time.Time)}, ac, nil
}

// The Cloud API's limits for what it accepts (messages reference:
// https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages#interactive-object);
// a message over one of them is refused and the customer gets nothing.
const (
	maxText     = 4096 // text.body
	maxBody     = 1024 // interactive.body.text
	maxTitle    = 20   // a reply button's title, and the list's button label
	maxButtonID = 256  // a reply button's id
	maxRowTitle = 24   // a list row's title
	maxRowID    = 200  // a list row's id
)

// cloudAPI is the Cloud API driver.
type cloudAPI struct {
	cfg  Config
	long driver.Payloads // button and row IDs over the limits, kept here

	mu   sync.Mutex
	last map[string]time.Time // user -> time of their last message
}

// Verify implements [channel.Platform].
func (p *cloudAPI) Verify(r *http.Request, body []byte) error {
	return meta.Verify(r, body, p.cfg.AppSecret, p.cfg.VerifyToken)
}

// Parse implements [channel.Platform].
func (p *cloudAPI) Parse(r *http.Request, body []byte) (*channel.Batch, error) {
	if b := meta.Handshake(r); b != nil {
		return b, nil
	}
	n, err := parse(body)
	if err != nil {
		return nil, err
	}
	b := &channel.Batch{}
	for _, e := range n.Entry {
		for _, ch := range e.Changes {
			v := ch.Value
			for _, st := range v.Statuses {
				b.Events = append(b.Events, p.status(v.Metadata.PhoneNumberID, st))
			}
			for _, m := range v.Messages {
				p.message(r.Context(), b, v, m)
			}
		}
	}
	return b, nil
}

func (p *cloudAPI) conversation(phoneID, user string) string {
	if phoneID == "" {
		phoneID = p.cfg.PhoneNumberID
	}
	return "whatsapp:" + phoneID + ":" + user
}

func (p *cloudAPI) status(phoneID string, st status) parley.Event {
	var err error
	if st.Status == "failed" {
		pe := &channel.PlatformError{Channel: "whatsapp", Status: http.StatusOK, Reason: "delivery failed"}
		if len(st.Errors) > 0 {
			e := st.Errors[0]
			pe.Code = strconv.Itoa(e.Code)
			pe.Reason = strings.TrimSpace(e.Title + ": " + e.Message + " " + e.ErrorData.Details)
		}
		err = pe
	}
	return parley.Event{Kind: channel.EventStatus, ConversationID: p.conversation(phoneID, st.RecipientID), Err: err,
		Attrs: map[string]string{"status": st.Status, "message_id": st.ID}}
}

func (p *cloudAPI) message(ctx context.Context, b *channel.Batch, v value, m inMessage) {
	conv := p.conversation(v.Metadata.PhoneNumberID, m.From)
	t := &parley.Turn{ConversationID: conv, MessageID: m.ID, Recipient: m.From, Time: unixTime(m.Timestamp)}
	switch m.Type {
	case "text":
		t.Message.Text = m.Text.Body
	case "interactive":
		switch {
		case m.Interactive.ButtonReply != nil:
			t.Message.Text = p.resolve(ctx, *m.Interactive.ButtonReply)
		case m.Interactive.ListReply != nil:
			t.Message.Text = p.resolve(ctx, *m.Interactive.ListReply)
		default:
			b.Events = append(b.Events, unsupported(conv, m.ID, "interactive/"+m.Interactive.Type))
			return
		}
	case "button":
		t.Message.Text = m.Button.Payload
		if t.Message.Text == "" {
			t.Message.Text = m.Button.Text
		}
	case "image", "document", "audio", "video":
		md := m.attachment()
		kind := map[string]parley.AttachmentKind{"image": parley.Image, "document": parley.File,
			"audio": parley.Audio, "video": parley.Video}[m.Type]
		t.Message.Text = md.Caption
		t.Message.Attachments = []parley.Attachment{{Kind: kind, MIMEType: md.MIMEType, URL: "media:" + md.ID, Name: md.Filename}}
	default:
		// sticker, location, contacts, reaction, order, system, unsupported
		b.Events = append(b.Events, unsupported(conv, m.ID, m.Type))
		return
	}
	now := time.Now()
	p.mu.Lock()
	if len(p.last) > 100_000 {
		for k, at := range p.last {
			if now.Sub(at) > window {
				delete(p.last, k)
			}
		}
	}
	p.last[m.From] = now
	p.mu.Unlock()
	b.Inbound = append(b.Inbound, channel.Inbound{Turn: t, UserID: m.From, Verified: channel.Contact{Phone: m.From}})
}

// resolve maps a tapped button or row back to its payload: the ID, or the
// payload an over-long ID stood for, or (for a token this process does not
// know) the title the user saw.
func (p *cloudAPI) resolve(ctx context.Context, r reply) string {
	v, ok := p.long.Resolve(ctx, r.ID)
	if !ok || v == "" {
		return r.Title
	}
	return v
}

func unsupported(conv, id, kind string) parley.Event {
	return parley.Event{Kind: channel.EventUnsupported, ConversationID: conv, MessageID: id,
		Attrs: map[string]string{"type": kind}}
}

func unixTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0)
}

// Send implements [channel.Platform]: buttons (up to 3), lists (up to
// 10), numbered options beyond, media by link, or uploaded first
// (POST /{phone-number-id}/media) when given by value. Outside the 24-hour window
// it sends the message's [Template] in place of its first part and skips
// the rest, or fails with [ErrOutsideWindow]; to someone it has not heard
// from it sends the template when there is one.
func (p *cloudAPI) Send(ctx context.Context, o *channel.Outgoing) error {
	to := o.To.Recipient
	if to == "" {
		return fmt.Errorf("whatsapp: no recipient for conversation %q", o.To.ConversationID)
	}
	tpl, hasTpl := template(o.Message)
	p.mu.Lock()
	last, known := p.last[to]
	p.mu.Unlock()
	closed := known && time.Since(last) > window
	switch {
	case (closed || !known) && hasTpl:
		if o.Index > 0 {
			return nil // the template replaced the whole message
		}
		return p.sendTemplate(ctx, to, tpl)
	case closed:
		return ErrOutsideWindow
	}
	msg := p.payload(to, o.Part)
	if err := p.long.Sync(ctx); err != nil {
		return err
	}
	if a := o.Part.Attachment; a != nil && a.URL == "" {
		id, err := p.upload(ctx, a)
		if err != nil {
			return err
		}
		md := msg[msg["type"].(string)].(map[string]string)
		delete(md, "link")
		md["id"] = id
	}
	err := p.send(ctx, msg)
	var pe *channel.PlatformError
	if o.Index == 0 && hasTpl && errors.As(err, &pe) && pe.Code == "131047" {
		// The platform says the window is closed (we did not know):
		// nothing was sent, so the template is not a duplicate.
		p.mu.Lock()
		p.last[to] = time.Time{}
		p.mu.Unlock()
		return p.sendTemplate(ctx, to, tpl)
	}
	return err
}

// Typing marks the inbound message read and shows the typing indicator
// until the next reply (or 25 seconds).
func (p *cloudAPI) Typing(ctx context.Context, _ parley.Address, inbound string) error {
	if inbound == "" {
		return parley.ErrNotSupported // WhatsApp shows typing only in answer to a message
	}
	return p.send(ctx, map[string]any{"messaging_product": "whatsapp", "status": "read",
		"message_id": inbound, "typing_indicator": map[string]string{"type": "text"}})
}

// MarkRead marks the user's message read (blue ticks).
func (p *cloudAPI) MarkRead(ctx context.Context, _ parley.Address, messageID string) error {
	return p.send(ctx, map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": messageID})
}

func template(m parley.Message) (Template, bool) {
	switch v := m.Extras["whatsapp"].(type) {
	case Template:
		return v, v.Name != ""
	case *Template:
		if v != nil {
			return *v, v.Name != ""
		}
	case map[string]any:
		// A message that went through the Bot's outbox (proactive
		// messages, replies to enqueued turns) comes back decoded from
		// JSON: {"name", "language", "components"}.
		t := Template{}
		t.Name, _ = v["name"].(string)
		t.Language, _ = v["language"].(string)
		if cs, ok := v["components"].([]any); ok {
			for _, c := range cs {
				raw, err := json.Marshal(c)
				if err != nil {
					return Template{}, false
				}
				t.Components = append(t.Components, raw)
			}
		}
		return t, t.Name != ""
	}
	return Template{}, false
}

func (p *cloudAPI) sendTemplate(ctx context.Context, to string, t Template) error {
	tpl := map[string]any{"name": t.Name, "language": map[string]string{"code": t.Language}}
	if len(t.Components) > 0 {
		tpl["components"] = t.Components
	}
	return p.send(ctx, map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual",
		"to": to, "type": "template", "template": tpl})
}

func (p *cloudAPI) payload(to string, part channel.Part) map[string]any {
	msg := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
	// Render keeps the body of a message with options within maxBody;
	// Capabilities set by hand may not, and the API refuses a longer one.
	body := channel.Truncate(cmp.Or(part.Text, p.cfg.ChooseText), maxBody)
	switch {
	case part.Attachment != nil:
		kind := map[parley.AttachmentKind]string{parley.Image: "image", parley.File: "document",
			parley.Audio: "audio", parley.Video: "video"}[part.Attachment.Kind]
		md := map[string]string{"link": part.Attachment.URL}
		if kind == "document" && part.Attachment.Name != "" {
			md["filename"] = part.Attachment.Name
		}
		msg["type"] = kind
		msg[kind] = md
	case len(part.Buttons) > 0:
		var buttons []map[string]any
		ids := map[string]bool{}
		for i, b := range part.Buttons {
			buttons = append(buttons, map[string]any{"type": "reply", "reply": map[string]string{
				"id": p.uniqueID(ids, b.Value(), maxButtonID, i), "title": title(b, maxTitle)}})
		}
		msg["type"] = "interactive"
		msg["interactive"] = map[string]any{"type": "button", "body": map[string]string{"text": body},
			"action": map[string]any{"buttons": buttons}}
	case len(part.List) > 0:
		var rows []map[string]string
		ids := map[string]bool{}
		for i, q := range part.List {
			rows = append(rows, map[string]string{"id": p.uniqueID(ids, q.Value(), maxRowID, i), "title": title(q, maxRowTitle)})
		}
		msg["type"] = "interactive"
		msg["interactive"] = map[string]any{"type": "list", "body": map[string]string{"text": body},
			"action": map[string]any{"button": channel.Truncate(p.cfg.ListButton, maxTitle),
				"sections": []map[string]any{{"rows": rows}}}}
	default:
		msg["type"] = "text"
		text := channel.Truncate(part.Text, maxText)
		msg["text"] = map[string]any{"body": text, "preview_url": strings.Contains(text, "https://")}
	}
	return msg
}

// uniqueID returns the ID of the i-th button or row sending v: v itself
// when it fits limit and no earlier one in seen has it, else a token kept
// server-side (the API wants the IDs of one message unique).
func (p *cloudAPI) uniqueID(seen map[string]bool, v string, limit, i int) string {
	id := p.long.Fit(v, limit)
	if seen[id] {
		id = p.long.Alias(v, i)
	}
	seen[id] = true
	return id
}

// title is a button or row title the API accepts: not empty (the payload
// stands in for a missing title) and within limit.
func title(q parley.QuickReply, limit int) string {
	t := strings.TrimSpace(q.Title)
	if t == "" {
		t = strings.TrimSpace(q.Value())
	}
	return channel.Truncate(t, limit)
}

// send posts one message object to /{phone-number-id}/messages.
func (p *cloudAPI) send(ctx context.Context, msg map[string]any) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("whatsapp: encode: %w", err)
	}
	_, err = channel.Do(ctx, p.cfg.HTTPClient, channel.Call{
		URL: p.cfg.BaseURL + "/" + p.cfg.PhoneNumberID + "/messages",
		Header: http.Header{"Authorization": {"Bearer " + p.cfg.AccessToken},
			"Content-Type": {"application/json"}},
		Body:  body,
		Check: check,
	})
	return err
}

// upload posts an attachment given by value (a spoken reply, say) to
// POST /{phone-number-id}/media as multipart/form-data with the fields
// messaging_product, type and file, as the Cloud API's media reference
// documents (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media),
// and returns the media ID to send it by. Uploading again delivers
// nothing to the customer, so a failed upload may be retried.
func (p *cloudAPI) upload(ctx context.Context, a *parley.Attachment) (string, error) {
	mt := cmp.Or(a.MIMEType, "application/octet-stream")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	err := mw.WriteField("messaging_product", "whatsapp")
	if err == nil {
		err = mw.WriteField("type", mt)
	}
	var fw io.Writer
	if err == nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, cmp.Or(a.Name, string(a.Kind))))
		h.Set("Content-Type", mt)
		fw, err = mw.CreatePart(h)
	}
	if err == nil {
		_, err = fw.Write(a.Data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return "", fmt.Errorf("whatsapp: encode upload: %w", err)
	}
	resp, err := channel.Do(ctx, p.cfg.HTTPClient, channel.Call{
		URL: p.cfg.BaseURL + "/" + p.cfg.PhoneNumberID + "/media",
		Header: http.Header{"Authorization": {"Bearer " + p.cfg.AccessToken},
			"Content-Type": {mw.FormDataContentType()}},
		Body:       body.Bytes(),
		Idempotent: true,
		Check:      check,
	})
	if err != nil {
		return "", err
	}
	var r struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp, &r); err != nil || r.ID == "" {
		return "", fmt.Errorf("whatsapp: media upload: no media id in %.200q", resp)
	}
	return r.ID, nil
}

// throttled lists the Graph API error codes that mean "slow down", which
// the platform may send with status 400.
var throttled = map[int]bool{4: true, 17: true, 32: true, 613: true, 80007: true, 130429: true, 131048: true, 131056: true}

// check is the Check of every Graph API call.
var check = meta.Check(throttled)
