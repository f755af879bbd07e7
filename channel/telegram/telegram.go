package telegram

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/internal/driver"
	"github.com/parleyhq/parley/memory"
)

// Config configures the Telegram Bot API channel.
type Config struct {
	// Token is the bot token from @BotFather. Required.
	Token string
	// SecretToken is the secret_token given to setWebhook; every webhook
	// must carry it in X-Telegram-Bot-Api-Secret-Token. Required.
	SecretToken string
	// BaseURL is the Bot API root (default "https://api.telegram.org").
	BaseURL string
	// HTTPClient sends API calls (default: a client with a 30s timeout).
	HTTPClient *http.Client
	// Payloads keeps button payloads too long for callback_data's 64
	// bytes (sent as short tokens) for 7 days, so that a tap reaching
	// another replica, or this one after a restart, maps back to the
	// whole payload; nil keeps them in process memory.
	Payloads memory.Store
	// Adapter configures the [channel.Adapter]. Channel defaults to
	// "telegram"; zero Capabilities and Limits take the Bot API's: text of
	// 4096 characters, inline keyboards (up to 8 rows of one button),
	// media; 30 messages/s per bot and about 1/s per chat.
	Adapter channel.Config
}

// New returns the Telegram channel. Serve its Handler at the URL given to
// setWebhook and register it as the Bot's Sender for the channel. Private
// messages and inline keyboard taps become turns; a tap is answered
// (answerCallbackQuery) in the webhook's own response.
func New(c Config) (*channel.Adapter, error) { return driver.Adapt(newDriver(c)) }

func newDriver(c Config) (*botAPI, channel.Config, error) {
	if c.Token == "" || c.SecretToken == "" {
		return nil, channel.Config{}, fmt.Errorf("telegram: config: Token and SecretToken are required")
	}
	c.BaseURL = driver.BaseURL(c.BaseURL, "https://api.telegram.org")
	c.HTTPClient = driver.Client(c.HTTPClient)
	ac := driver.Defaults(c.Adapter, "telegram",
		channel.Capabilities{MaxText: 4096, MaxButtons: 8, MaxButtonTitle: 64,
			Media: []parley.AttachmentKind{parley.Image, parley.File, parley.Audio, parley.Video}, InlineMedia: true},
		channel.Limits{Rate: 30, Burst: 30, PerConversation: 1, PerConversationBurst: 5})
	return &botAPI{cfg: c, long: driver.Payloads{Store: c.Payloads}}, ac, nil
}

// botAPI is the Bot API driver.
type botAPI struct {
	cfg  Config
	long driver.Payloads // callback_data over 64 bytes, kept here
}

// An update is the webhook body.
type update struct {
	UpdateID      int64          `json:"update_id"`
	Message       *message       `json:"message,omitempty"`
	EditedMessage *message       `json:"edited_message,omitempty"`
	ChannelPost   *message       `json:"channel_post,omitempty"`
	CallbackQuery *callbackQuery `json:"callback_query,omitempty"`
}

// A message is a Telegram message.
type message struct {
	MessageID int64 `json:"message_id"`
	// MessageThreadID is the forum topic of a message in a forum
	// supergroup (IsTopicMessage true); replies must name it, or they land
	// in the General topic.
	MessageThreadID int64  `json:"message_thread_id,omitempty"`
	IsTopicMessage  bool   `json:"is_topic_message,omitempty"`
	From            *user  `json:"from,omitempty"`
	Chat            chat   `json:"chat"`
	Date            int64  `json:"date"`
	Text            string `json:"text,omitempty"`
	Caption         string `json:"caption,omitempty"`
	Photo           []file `json:"photo,omitempty"`
	Document        *file  `json:"document,omitempty"`
	Voice           *file  `json:"voice,omitempty"`
	Audio           *file  `json:"audio,omitempty"`
	Video           *file  `json:"video,omitempty"`
	// Kinds passed on as unsupported.
	Sticker  json.RawMessage `json:"sticker,omitempty"`
	Location json.RawMessage `json:"location,omitempty"`
	Contact  json.RawMessage `json:"contact,omitempty"`
	Poll     json.RawMessage `json:"poll,omitempty"`
	Dice     json.RawMessage `json:"dice,omitempty"`
	Venue    json.RawMessage `json:"venue,omitempty"`
	// ReplyMarkup is the message's inline keyboard, on the message of a
	// callback query: the tapped button's title when its data is a token
	// this process cannot resolve.
	ReplyMarkup *struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	} `json:"reply_markup,omitempty"`
}

// A user is a Telegram user or bot.
type user struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LanguageCode string `json:"language_code,omitempty"`
}

// A chat is a private chat, group or channel.
type chat struct {
	ID   int64  `json:"id"`
	Type string `json:"type"`
}

// A file is an inbound photo size, document, voice note, audio or video.
type file struct {
	FileID   string `json:"file_id"`
	MIMEType string `json:"mime_type,omitempty"`
	FileName string `json:"file_name,omitempty"`
}

// A callbackQuery is a tap on an inline keyboard button.
type callbackQuery struct {
	ID      string   `json:"id"`
	From    user     `json:"from"`
	Message *message `json:"message,omitempty"`
	// InlineMessageID is set instead of Message for a button on a message
	// sent via the bot in inline mode: its chat is not known.
	InlineMessageID string `json:"inline_message_id,omitempty"`
	Data            string `json:"data,omitempty"`
}

// parse decodes a webhook body, returning an error wrapping
// [channel.ErrMalformed] if it is not an update.
func parse(body []byte) (*update, error) {
	return driver.ParseJSON(body, func(u *update) string {
		if u.UpdateID == 0 {
			return "no update_id"
		}
		return ""
	})
}

// Verify implements [channel.Platform]: the webhook must carry the
// secret token in X-Telegram-Bot-Api-Secret-Token.
func (p *botAPI) Verify(r *http.Request, _ []byte) error {
	if !channel.EqualSecret([]byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token")), []byte(p.cfg.SecretToken)) {
		return channel.ErrSignature
	}
	return nil
}

// Parse implements [channel.Platform].
func (p *botAPI) Parse(r *http.Request, body []byte) (*channel.Batch, error) {
	u, err := parse(body)
	if err != nil {
		return nil, err
	}
	b := &channel.Batch{}
	switch {
	case u.Message != nil:
		p.message(b, u.Message)
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		// Every tap is answered (answerCallbackQuery) in the webhook
		// response itself, so the button stops spinning at once, whether
		// or not it becomes a turn.
		ans, err := json.Marshal(map[string]string{"method": "answerCallbackQuery", "callback_query_id": q.ID})
		if err != nil {
			return nil, err
		}
		b.Body, b.ContentType = ans, "application/json"
		if q.Message == nil || q.Message.Chat.ID == 0 {
			// A button on an inline-mode message (inline_message_id): the
			// chat it was sent to is not known, so there is nowhere to
			// answer in.
			b.Events = append(b.Events, unsupported("", "cb:"+q.ID, "inline_callback_query"))
			break
		}
		conv, to := place(q.Message)
		t := &parley.Turn{ConversationID: conv, MessageID: "cb:" + q.ID, Locale: q.From.LanguageCode,
			Recipient: to, Message: parley.Message{Text: p.resolve(r.Context(), q.Message, q.Data)}}
		b.Inbound = append(b.Inbound, channel.Inbound{Turn: t, UserID: strconv.FormatInt(q.From.ID, 10)})
	case u.EditedMessage != nil:
		b.Events = append(b.Events, unsupported(conversation(u.EditedMessage.Chat.ID), strconv.FormatInt(u.EditedMessage.MessageID, 10), "edited_message"))
	case u.ChannelPost != nil:
		b.Events = append(b.Events, unsupported(conversation(u.ChannelPost.Chat.ID), strconv.FormatInt(u.ChannelPost.MessageID, 10), "channel_post"))
	default:
		b.Events = append(b.Events, unsupported("", strconv.FormatInt(u.UpdateID, 10), "update"))
	}
	return b, nil
}

func unsupported(conv, id, kind string) parley.Event {
	return parley.Event{Kind: channel.EventUnsupported, ConversationID: conv, MessageID: id,
		Attrs: map[string]string{"type": kind}}
}

func conversation(chat int64) string { return "telegram:" + strconv.FormatInt(chat, 10) }

// place returns the conversation and the recipient of a message: its chat,
// or in a forum supergroup its topic ("telegram:<chat>:<thread>" and
// "<chat>:<thread>"), so that replies stay in the topic.
func place(m *message) (conv, to string) {
	chat := strconv.FormatInt(m.Chat.ID, 10)
	if m.IsTopicMessage && m.MessageThreadID != 0 {
		thread := strconv.FormatInt(m.MessageThreadID, 10)
		return "telegram:" + chat + ":" + thread, chat + ":" + thread
	}
	return "telegram:" + chat, chat
}

// target splits a recipient into chat_id (a number when it is one, else an
// @channelusername) and the forum topic's message_thread_id (0 for none).
func target(recipient string) (chat any, thread int64) {
	c, th, ok := strings.Cut(recipient, ":")
	if ok {
		if n, err := strconv.ParseInt(th, 10, 64); err == nil && n > 0 {
			thread = n
		} else {
			c = recipient
		}
	}
	if n, err := strconv.ParseInt(c, 10, 64); err == nil {
		return n, thread
	}
	return c, thread
}

// resolve maps a tapped button's data back to its payload: a token for
// a long one, from process memory or Config.Payloads, else the button's
// title, as the customer saw it.
func (p *botAPI) resolve(ctx context.Context, m *message, data string) string {
	if v, ok := p.long.Resolve(ctx, data); ok {
		return v
	}
	if m.ReplyMarkup != nil {
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.CallbackData == data && b.Text != "" {
					return b.Text
				}
			}
		}
	}
	return data
}

func (p *botAPI) message(b *channel.Batch, m *message) {
	conv, to := place(m)
	id := strconv.FormatInt(m.MessageID, 10)
	if m.From != nil && m.From.IsBot {
		b.Events = append(b.Events, unsupported(conv, id, "bot_message"))
		return
	}
	t := &parley.Turn{ConversationID: conv, MessageID: id, Recipient: to}
	if m.Date > 0 {
		t.Time = time.Unix(m.Date, 0)
	}
	in := channel.Inbound{Turn: t}
	if m.From != nil {
		t.Locale = m.From.LanguageCode
		in.UserID = strconv.FormatInt(m.From.ID, 10)
	}
	var att *parley.Attachment
	switch {
	case len(m.Photo) > 0:
		att = &parley.Attachment{Kind: parley.Image, URL: "file:" + m.Photo[len(m.Photo)-1].FileID}
	case m.Document != nil:
		att = &parley.Attachment{Kind: parley.File, URL: "file:" + m.Document.FileID, MIMEType: m.Document.MIMEType, Name: m.Document.FileName}
	case m.Voice != nil:
		att = &parley.Attachment{Kind: parley.Audio, URL: "file:" + m.Voice.FileID, MIMEType: m.Voice.MIMEType}
	case m.Audio != nil:
		att = &parley.Attachment{Kind: parley.Audio, URL: "file:" + m.Audio.FileID, MIMEType: m.Audio.MIMEType}
	case m.Video != nil:
		att = &parley.Attachment{Kind: parley.Video, URL: "file:" + m.Video.FileID, MIMEType: m.Video.MIMEType}
	}
	switch {
	case att != nil:
		t.Message = parley.Message{Text: m.Caption, Attachments: []parley.Attachment{*att}}
	case m.Text != "":
		t.Message.Text = m.Text
	default:
		kind := "unknown"
		for _, k := range []struct {
			name string
			raw  json.RawMessage
		}{{"sticker", m.Sticker}, {"location", m.Location}, {"contact", m.Contact}, {"poll", m.Poll}, {"dice", m.Dice}, {"venue", m.Venue}} {
			if len(k.raw) > 0 {
				kind = k.name
				break
			}
		}
		b.Events = append(b.Events, unsupported(conv, id, kind))
		return
	}
	b.Inbound = append(b.Inbound, in)
}

// Send implements [channel.Platform]: text with an inline keyboard (one
// button per row) for quick replies, sendPhoto, sendDocument, sendAudio or
// sendVideo for media: by URL, or uploaded as multipart/form-data when the
// attachment is given by value (Data, no URL).
func (p *botAPI) Send(ctx context.Context, o *channel.Outgoing) error {
	if o.To.Recipient == "" {
		return fmt.Errorf("telegram: no recipient for conversation %q", o.To.ConversationID)
	}
	chat, thread := target(o.To.Recipient)
	method, msg := p.payload(chat, o.Part)
	if err := p.long.Sync(ctx); err != nil {
		return err
	}
	if thread != 0 {
		msg["message_thread_id"] = thread
	}
	if a := o.Part.Attachment; a != nil && a.URL == "" {
		return p.upload(ctx, method, msg, a)
	}
	return p.call(ctx, method, msg)
}

// upload sends an attachment given by value (a spoken reply, say) as a
// multipart/form-data upload, as the Bot API's "Sending files" section
// documents: the file in the method's field (audio, photo, ...), the
// other parameters as form fields.
func (p *botAPI) upload(ctx context.Context, method string, msg map[string]any, a *parley.Attachment) error {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	var field string
	for k, v := range msg {
		if v == "" {
			field = k // the file's field, left empty by payload
			continue
		}
		if err := mw.WriteField(k, fmt.Sprint(v)); err != nil {
			return fmt.Errorf("telegram: encode: %w", err)
		}
	}
	name := cmp.Or(a.Name, string(a.Kind))
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, name))
	h.Set("Content-Type", cmp.Or(a.MIMEType, "application/octet-stream"))
	fw, err := mw.CreatePart(h)
	if err == nil {
		_, err = fw.Write(a.Data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return fmt.Errorf("telegram: encode: %w", err)
	}
	return p.post(ctx, method, mw.FormDataContentType(), body.Bytes())
}

// Typing sends the "typing" chat action, shown for 5 seconds or until the
// next message.
func (p *botAPI) Typing(ctx context.Context, to parley.Address, _ string) error {
	chat, thread := target(to.Recipient)
	msg := map[string]any{"chat_id": chat, "action": "typing"}
	if thread != 0 {
		msg["message_thread_id"] = thread
	}
	return p.call(ctx, "sendChatAction", msg)
}

func (p *botAPI) payload(chat any, part channel.Part) (string, map[string]any) {
	msg := map[string]any{"chat_id": chat}
	if part.Attachment != nil {
		mf := map[parley.AttachmentKind][2]string{
			parley.Image: {"sendPhoto", "photo"}, parley.File: {"sendDocument", "document"},
			parley.Audio: {"sendAudio", "audio"}, parley.Video: {"sendVideo", "video"},
		}[part.Attachment.Kind]
		method, field := mf[0], mf[1]
		msg[field] = part.Attachment.URL
		return method, msg
	}
	text := part.Text
	if text == "" {
		text = "Please choose:"
	}
	msg["text"] = text
	if len(part.Buttons) > 0 {
		var rows [][]map[string]string
		for _, b := range part.Buttons {
			// callback_data holds at most 64 bytes: a longer payload is
			// sent as a token and mapped back on the tap.
			rows = append(rows, []map[string]string{{"text": b.Title, "callback_data": p.long.Fit(b.Value(), 64)}})
		}
		msg["reply_markup"] = map[string]any{"inline_keyboard": rows}
	}
	return "sendMessage", msg
}

func (p *botAPI) call(ctx context.Context, method string, msg map[string]any) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("telegram: encode: %w", err)
	}
	return p.post(ctx, method, "application/json", body)
}

// post calls the Bot API's method with body, of the given content type.
func (p *botAPI) post(ctx context.Context, method, contentType string, body []byte) error {
	_, err := channel.Do(ctx, p.cfg.HTTPClient, channel.Call{
		URL:    p.cfg.BaseURL + "/bot" + p.cfg.Token + "/" + method,
		Header: http.Header{"Content-Type": {contentType}},
		Body:   body,
		Check:  check,
	})
	return err
}

func check(status int, h http.Header, body []byte) error {
	var res struct {
		OK          bool   `json:"ok"`
		ErrorCode   int    `json:"error_code"`
		Description string `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		if status/100 == 2 {
			return nil // accepted; an unreadable answer is no reason to send again
		}
		return channel.NewPlatformError(status, h, "", strings.TrimSpace(string(body)))
	}
	if res.OK && status/100 == 2 {
		return nil
	}
	if status/100 == 2 {
		status = res.ErrorCode
	}
	pe := channel.NewPlatformError(status, h, strconv.Itoa(res.ErrorCode), res.Description)
	if res.Parameters.RetryAfter > 0 {
		pe.RetryAfter = time.Duration(res.Parameters.RetryAfter) * time.Second
	}
	return pe
}
