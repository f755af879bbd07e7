package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
)

// Channel is the channel name on turns from Telegram.
const Channel = "telegram"

// Config configures an [Adapter].
type Config struct {
	// Token is the bot token from @BotFather. Required.
	Token string
	// SecretToken is the secret_token given to setWebhook; every webhook
	// must carry it in X-Telegram-Bot-Api-Secret-Token. Required.
	SecretToken string
	// BaseURL is the Bot API root (default "https://api.telegram.org").
	BaseURL string
	channel.Options
}

// Adapter is the Telegram Bot API channel: an http.Handler for the
// webhook that runs a [parley.Handler] for every message and inline
// keyboard tap. It is safe for concurrent use.
type Adapter struct {
	*channel.Base
	cfg Config
}

var _ channel.Adapter = (*Adapter)(nil)

// New returns an Adapter that passes turns to h. It panics if h is nil.
func New(c Config, h parley.Handler) (*Adapter, error) {
	if c.Token == "" || c.SecretToken == "" {
		return nil, fmt.Errorf("telegram: config: Token and SecretToken are required")
	}
	if c.BaseURL == "" {
		c.BaseURL = "https://api.telegram.org"
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return &Adapter{Base: channel.NewBase(Channel, h, c.Options, channel.Telegram, channel.TelegramLimits), cfg: c}, nil
}

// An Update is the webhook body.
type Update struct {
	UpdateID      int64          `json:"update_id"`
	Message       *Message       `json:"message,omitempty"`
	EditedMessage *Message       `json:"edited_message,omitempty"`
	ChannelPost   *Message       `json:"channel_post,omitempty"`
	CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
}

// A Message is a Telegram message.
type Message struct {
	MessageID int64  `json:"message_id"`
	From      *User  `json:"from,omitempty"`
	Chat      Chat   `json:"chat"`
	Date      int64  `json:"date"`
	Text      string `json:"text,omitempty"`
	Caption   string `json:"caption,omitempty"`
	Photo     []File `json:"photo,omitempty"`
	Document  *File  `json:"document,omitempty"`
	Voice     *File  `json:"voice,omitempty"`
	Audio     *File  `json:"audio,omitempty"`
	Video     *File  `json:"video,omitempty"`
	// Kinds passed on as unsupported.
	Sticker  json.RawMessage `json:"sticker,omitempty"`
	Location json.RawMessage `json:"location,omitempty"`
	Contact  json.RawMessage `json:"contact,omitempty"`
	Poll     json.RawMessage `json:"poll,omitempty"`
	Dice     json.RawMessage `json:"dice,omitempty"`
	Venue    json.RawMessage `json:"venue,omitempty"`
}

// A User is a Telegram user or bot.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LanguageCode string `json:"language_code,omitempty"`
}

// A Chat is a private chat, group or channel.
type Chat struct {
	ID   int64  `json:"id"`
	Type string `json:"type"`
}

// A File is an inbound photo size, document, voice note, audio or video.
type File struct {
	FileID   string `json:"file_id"`
	MIMEType string `json:"mime_type,omitempty"`
	FileName string `json:"file_name,omitempty"`
}

// A CallbackQuery is a tap on an inline keyboard button.
type CallbackQuery struct {
	ID      string   `json:"id"`
	From    User     `json:"from"`
	Message *Message `json:"message,omitempty"`
	Data    string   `json:"data,omitempty"`
}

// Parse decodes a webhook body, returning an error wrapping
// [channel.ErrMalformed] if it is not an update.
func Parse(body []byte) (*Update, error) {
	var u Update
	if err := json.Unmarshal(body, &u); err != nil {
		return nil, fmt.Errorf("%w: %w", channel.ErrMalformed, err)
	}
	if u.UpdateID == 0 {
		return nil, fmt.Errorf("%w: no update_id", channel.ErrMalformed)
	}
	return &u, nil
}

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
	if !channel.EqualSecret([]byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token")), []byte(a.cfg.SecretToken)) {
		a.Reject(w, r, channel.ErrSignature)
		return
	}
	u, err := Parse(body)
	if err != nil {
		a.Reject(w, r, err)
		return
	}
	ctx := r.Context()
	switch {
	case u.Message != nil:
		if err := a.message(ctx, u.Message); err != nil {
			a.Reject(w, r, err)
			return
		}
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		if q.Message == nil {
			a.Unsupported(ctx, "", "cb:"+q.ID, "inline_callback_query")
			break
		}
		conv := conversation(q.Message.Chat.ID)
		t := &parley.Turn{ConversationID: conv, MessageID: "cb:" + q.ID, Locale: q.From.LanguageCode,
			Message: parley.Message{Text: a.ResolveChoice(conv, q.Data)}}
		t.CustomerID = a.Identify(ctx, strconv.FormatInt(q.From.ID, 10), channel.Contact{})
		if err := a.Accept(ctx, t, &writer{a: a, chat: q.Message.Chat.ID, conv: conv}); err != nil {
			a.Reject(w, r, err)
			return
		}
		// Answer the callback query in the webhook response itself, so the
		// button stops spinning at once.
		w.Header().Set("Content-Type", "application/json")
		b, err := json.Marshal(map[string]string{"method": "answerCallbackQuery", "callback_query_id": q.ID})
		if err != nil {
			a.Reject(w, r, err)
			return
		}
		_, _ = w.Write(b) //nolint:errcheck // acknowledged; Telegram retries a failed answer
		return
	case u.EditedMessage != nil:
		a.Unsupported(ctx, conversation(u.EditedMessage.Chat.ID), strconv.FormatInt(u.EditedMessage.MessageID, 10), "edited_message")
	case u.ChannelPost != nil:
		a.Unsupported(ctx, conversation(u.ChannelPost.Chat.ID), strconv.FormatInt(u.ChannelPost.MessageID, 10), "channel_post")
	default:
		a.Unsupported(ctx, "", strconv.FormatInt(u.UpdateID, 10), "update")
	}
	w.WriteHeader(http.StatusOK)
}

func conversation(chat int64) string { return "telegram:" + strconv.FormatInt(chat, 10) }

func (a *Adapter) message(ctx context.Context, m *Message) error {
	conv := conversation(m.Chat.ID)
	id := strconv.FormatInt(m.MessageID, 10)
	if m.From != nil && m.From.IsBot {
		a.Unsupported(ctx, conv, id, "bot_message")
		return nil
	}
	t := &parley.Turn{ConversationID: conv, MessageID: id, Time: time.Unix(m.Date, 0)}
	if m.Date <= 0 {
		t.Time = time.Time{}
	}
	if m.From != nil {
		t.Locale = m.From.LanguageCode
		t.CustomerID = a.Identify(ctx, strconv.FormatInt(m.From.ID, 10), channel.Contact{})
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
		t.Message.Text = a.ResolveChoice(conv, m.Text)
	default:
		kind := "unknown"
		for name, raw := range map[string]json.RawMessage{"sticker": m.Sticker, "location": m.Location,
			"contact": m.Contact, "poll": m.Poll, "dice": m.Dice, "venue": m.Venue} {
			if len(raw) > 0 {
				kind = name
			}
		}
		a.Unsupported(ctx, conv, id, kind)
		return nil
	}
	return a.Accept(ctx, t, &writer{a: a, chat: m.Chat.ID, conv: conv})
}

// Writer returns a ReplyWriter for the chat, for proactive messages.
func (a *Adapter) Writer(chat int64) parley.ReplyWriter {
	return &writer{a: a, chat: chat, conv: conversation(chat)}
}

type writer struct {
	a    *Adapter
	chat int64
	conv string
}

// Reply sends m: text with an inline keyboard (one button per row) for
// quick replies, sendPhoto/sendDocument/sendAudio/sendVideo for media.
func (w *writer) Reply(ctx context.Context, m parley.Message) error {
	parts, err := channel.Render(m, w.a.Capabilities())
	if err != nil {
		return fmt.Errorf("telegram: %w", err)
	}
	for _, p := range parts {
		method, msg := w.payload(p)
		if err := w.a.call(ctx, w.conv, method, msg); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) payload(p channel.Part) (string, map[string]any) {
	msg := map[string]any{"chat_id": w.chat}
	if p.Attachment != nil {
		mf := map[parley.AttachmentKind][2]string{
			parley.Image: {"sendPhoto", "photo"}, parley.File: {"sendDocument", "document"},
			parley.Audio: {"sendAudio", "audio"}, parley.Video: {"sendVideo", "video"},
		}[p.Attachment.Kind]
		method, field := mf[0], mf[1]
		msg[field] = p.Attachment.URL
		return method, msg
	}
	text := p.Text
	if text == "" {
		text = "Please choose:"
	}
	msg["text"] = text
	if len(p.Buttons) > 0 {
		var rows [][]map[string]string
		long := false
		for _, b := range p.Buttons {
			if len(b.Value()) > 64 {
				long = true
			}
		}
		for i, b := range p.Buttons {
			data := b.Value()
			if long {
				// callback_data holds at most 64 bytes: send the option's
				// number and map it back on the tap.
				data = "#" + strconv.Itoa(i+1)
			}
			rows = append(rows, []map[string]string{{"text": b.Title, "callback_data": data}})
		}
		if long {
			w.a.Choices().Remember(w.conv, p.Buttons, w.a.Now())
		}
		msg["reply_markup"] = map[string]any{"inline_keyboard": rows}
	}
	if len(p.Numbered) > 0 {
		w.a.Choices().Remember(w.conv, p.Numbered, w.a.Now())
	}
	return "sendMessage", msg
}

// Typing sends the "typing" chat action, shown for 5 seconds or until the
// next message.
func (w *writer) Typing(ctx context.Context) error {
	return w.a.call(ctx, "", "sendChatAction", map[string]any{"chat_id": w.chat, "action": "typing"})
}

func (a *Adapter) call(ctx context.Context, conv, method string, msg map[string]any) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("telegram: encode: %w", err)
	}
	_, err = a.Sender().Do(ctx, channel.Call{
		Conversation: conv,
		URL:          a.cfg.BaseURL + "/bot" + a.cfg.Token + "/" + method,
		Header:       http.Header{"Content-Type": {"application/json"}},
		Body:         body,
		Check:        a.check,
	})
	return err
}

func (a *Adapter) check(status int, h http.Header, body []byte) error {
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
		return channel.NewPlatformError(Channel, status, h, "", strings.TrimSpace(string(body)), a.Now())
	}
	if res.OK && status/100 == 2 {
		return nil
	}
	if status/100 == 2 {
		status = res.ErrorCode
	}
	pe := channel.NewPlatformError(Channel, status, h, strconv.Itoa(res.ErrorCode), res.Description, a.Now())
	if res.Parameters.RetryAfter > 0 {
		pe.RetryAfter = time.Duration(res.Parameters.RetryAfter) * time.Second
	}
	return pe
}
