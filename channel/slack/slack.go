package slack

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
)

// Channel is the channel name on turns from Slack.
const Channel = "slack"

// ReplayWindow is how far a request's X-Slack-Request-Timestamp may be
// from now; older (or future) requests are refused as replays.
const ReplayWindow = 5 * time.Minute

// Config configures an [Adapter].
type Config struct {
	// BotToken is the bot user OAuth token (xoxb-...). Required.
	BotToken string
	// SigningSecret verifies X-Slack-Signature. Required.
	SigningSecret string
	// BaseURL is the Web API root (default "https://slack.com/api").
	BaseURL string
	channel.Options
}

// Adapter is the Slack channel: one http.Handler for both the Events API
// request URL and the interactivity request URL. It runs a
// [parley.Handler] for direct messages, mentions and thread replies, and
// for Block Kit button taps. It is safe for concurrent use.
type Adapter struct {
	*channel.Base
	cfg Config
}

var _ channel.Adapter = (*Adapter)(nil)

// New returns an Adapter that passes turns to h. It panics if h is nil.
func New(c Config, h parley.Handler) (*Adapter, error) {
	if c.BotToken == "" || c.SigningSecret == "" {
		return nil, fmt.Errorf("slack: config: BotToken and SigningSecret are required")
	}
	if c.BaseURL == "" {
		c.BaseURL = "https://slack.com/api"
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return &Adapter{Base: channel.NewBase(Channel, h, c.Options, channel.Slack, channel.SlackLimits), cfg: c}, nil
}

// CheckSignature verifies a Slack request: the timestamp must be within
// [ReplayWindow] of now ([channel.ErrReplay]) and the signature must be
// "v0=" + hex HMAC-SHA256 of "v0:<timestamp>:<body>" under the signing
// secret ([channel.ErrSignature]), compared in constant time.
func CheckSignature(secret string, h http.Header, body []byte, now time.Time) error {
	ts := h.Get("X-Slack-Request-Timestamp")
	sig := h.Get("X-Slack-Signature")
	if ts == "" || sig == "" {
		return channel.ErrSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return channel.ErrSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > ReplayWindow || d < -ReplayWindow {
		return channel.ErrReplay
	}
	want := "v0=" + channel.HMACHex(sha256.New, []byte(secret), []byte("v0:"+ts+":"+string(body)))
	if !channel.EqualSecret([]byte(sig), []byte(want)) {
		return channel.ErrSignature
	}
	return nil
}

// An Envelope is an Events API request body.
type Envelope struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge,omitempty"`
	TeamID    string `json:"team_id,omitempty"`
	EventID   string `json:"event_id,omitempty"`
	EventTime int64  `json:"event_time,omitempty"`
	Event     *Event `json:"event,omitempty"`
}

// An Event is the inner event of an event_callback.
type Event struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype,omitempty"`
	User        string `json:"user,omitempty"`
	BotID       string `json:"bot_id,omitempty"`
	Text        string `json:"text,omitempty"`
	Channel     string `json:"channel,omitempty"`
	ChannelType string `json:"channel_type,omitempty"`
	TS          string `json:"ts,omitempty"`
	ThreadTS    string `json:"thread_ts,omitempty"`
}

// An Interaction is a block_actions payload from the interactivity URL.
type Interaction struct {
	Type string `json:"type"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	Team struct {
		ID string `json:"id"`
	} `json:"team"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	Container struct {
		MessageTS string `json:"message_ts"`
		ThreadTS  string `json:"thread_ts"`
	} `json:"container"`
	Actions []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
		ActionTS string `json:"action_ts"`
		Text     struct {
			Text string `json:"text"`
		} `json:"text"`
	} `json:"actions"`
}

// ParseEvent decodes an Events API body, returning an error wrapping
// [channel.ErrMalformed] if it is not one.
func ParseEvent(body []byte) (*Envelope, error) {
	var e Envelope
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("%w: %w", channel.ErrMalformed, err)
	}
	switch {
	case e.Type == "url_verification":
	case e.Type == "event_callback" && e.Event != nil:
	default:
		return nil, fmt.Errorf("%w: envelope type %q", channel.ErrMalformed, e.Type)
	}
	return &e, nil
}

// ParseInteraction decodes an interactivity body (a form with a JSON
// "payload" field), returning an error wrapping [channel.ErrMalformed].
func ParseInteraction(body []byte) (*Interaction, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", channel.ErrMalformed, err)
	}
	var in Interaction
	if err := json.Unmarshal([]byte(form.Get("payload")), &in); err != nil {
		return nil, fmt.Errorf("%w: payload: %w", channel.ErrMalformed, err)
	}
	if in.Type == "" {
		return nil, fmt.Errorf("%w: payload without type", channel.ErrMalformed)
	}
	return &in, nil
}

// ServeHTTP implements the Events API and interactivity endpoints.
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
	if err := CheckSignature(a.cfg.SigningSecret, r.Header, body, a.Now()); err != nil {
		a.Reject(w, r, err)
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")) //nolint:errcheck // an unparsable type is treated as JSON
	if ct == "application/x-www-form-urlencoded" {
		err = a.interaction(r.Context(), body)
	} else {
		var env *Envelope
		env, err = ParseEvent(body)
		if err == nil && env.Type == "url_verification" {
			w.Header().Set("Content-Type", "application/json")
			b, jerr := json.Marshal(map[string]string{"challenge": env.Challenge})
			if jerr != nil {
				a.Reject(w, r, jerr)
				return
			}
			_, _ = w.Write(b) //nolint:errcheck // Slack retries a failed verification
			return
		}
		if err == nil {
			err = a.event(r.Context(), env)
		}
	}
	if err != nil {
		a.Reject(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// Conversation returns the conversation ID for a Slack channel and thread
// (threadTS may be empty): "slack:<team>:<channel>[:<thread_ts>]".
func Conversation(team, ch, threadTS string) string {
	id := "slack:" + team + ":" + ch
	if threadTS != "" {
		id += ":" + threadTS
	}
	return id
}

func (a *Adapter) event(ctx context.Context, env *Envelope) error {
	ev := env.Event
	conv := Conversation(env.TeamID, ev.Channel, ev.ThreadTS)
	switch {
	case ev.BotID != "" || ev.Subtype == "bot_message":
		return nil // our own (or another bot's) message: not a turn
	case ev.Type != "message" && ev.Type != "app_mention", ev.Subtype != "":
		kind := ev.Type
		if ev.Subtype != "" {
			kind += "/" + ev.Subtype
		}
		a.Unsupported(ctx, conv, env.EventID, kind)
		return nil
	case ev.User == "" || ev.Channel == "" || ev.TS == "":
		return fmt.Errorf("%w: message event without user, channel or ts", channel.ErrMalformed)
	}
	t := &parley.Turn{ConversationID: conv, MessageID: ev.TS, Time: tsTime(ev.TS),
		Message: parley.Message{Text: a.ResolveChoice(conv, ev.Text)}}
	t.CustomerID = a.Identify(ctx, ev.User, channel.Contact{})
	return a.Accept(ctx, t, &writer{a: a, ch: ev.Channel, thread: ev.ThreadTS, conv: conv})
}

func (a *Adapter) interaction(ctx context.Context, body []byte) error {
	in, err := ParseInteraction(body)
	if err != nil {
		return err
	}
	if in.Type != "block_actions" || len(in.Actions) == 0 {
		a.Unsupported(ctx, "", "", "interaction/"+in.Type)
		return nil
	}
	act := in.Actions[0]
	if in.Channel.ID == "" || act.ActionTS == "" {
		return fmt.Errorf("%w: block_actions without channel or action_ts", channel.ErrMalformed)
	}
	conv := Conversation(in.Team.ID, in.Channel.ID, in.Container.ThreadTS)
	text := act.Value
	if text == "" {
		text = act.Text.Text
	}
	t := &parley.Turn{ConversationID: conv, MessageID: "action:" + act.ActionTS, Time: tsTime(act.ActionTS),
		Message: parley.Message{Text: text}}
	t.CustomerID = a.Identify(ctx, in.User.ID, channel.Contact{})
	return a.Accept(ctx, t, &writer{a: a, ch: in.Channel.ID, thread: in.Container.ThreadTS, conv: conv})
}

func tsTime(ts string) time.Time {
	f, err := strconv.ParseFloat(ts, 64)
	if err != nil || f <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(f), int64((f-float64(int64(f)))*1e9))
}

// Writer returns a ReplyWriter that posts to a Slack channel, in the
// thread threadTS if it is not empty. Escalation uses it to post a
// hand-off into an agents' channel; agents' replies in that thread come
// back as turns whose ConversationID is [Conversation](team, ch, threadTS).
func (a *Adapter) Writer(ch, threadTS string) parley.ReplyWriter {
	return &writer{a: a, ch: ch, thread: threadTS, conv: "slack::" + ch}
}

// Post sends m to a channel (in a thread if threadTS is set) and returns
// the ts of the last message posted, which starts a thread for a hand-off.
func (a *Adapter) Post(ctx context.Context, ch, threadTS string, m parley.Message) (string, error) {
	w := &writer{a: a, ch: ch, thread: threadTS, conv: "slack::" + ch}
	return w.post(ctx, m)
}

type writer struct {
	a      *Adapter
	ch     string
	thread string
	conv   string
}

// Reply posts m with chat.postMessage: text as an mrkdwn section, quick
// replies as buttons in an actions block, cards as sections, images as
// image blocks.
func (w *writer) Reply(ctx context.Context, m parley.Message) error {
	_, err := w.post(ctx, m)
	return err
}

func (w *writer) post(ctx context.Context, m parley.Message) (string, error) {
	parts, err := channel.Render(m, w.a.Capabilities())
	if err != nil {
		return "", fmt.Errorf("slack: %w", err)
	}
	ts := ""
	for _, p := range parts {
		msg := map[string]any{"channel": w.ch, "text": fallbackText(p), "blocks": blocks(p)}
		if w.thread != "" {
			msg["thread_ts"] = w.thread
		}
		body, err := json.Marshal(msg)
		if err != nil {
			return "", fmt.Errorf("slack: encode: %w", err)
		}
		if len(p.Numbered) > 0 {
			// Before sending: the answer may arrive before our send returns.
			w.a.Choices().Remember(w.conv, p.Numbered, w.a.Now())
		}
		out, err := w.a.Sender().Do(ctx, channel.Call{
			Conversation: w.conv,
			URL:          w.a.cfg.BaseURL + "/chat.postMessage",
			Header: http.Header{"Authorization": {"Bearer " + w.a.cfg.BotToken},
				"Content-Type": {"application/json; charset=utf-8"}},
			Body:  body,
			Check: w.a.check,
		})
		if err != nil {
			return "", err
		}
		var res struct {
			TS string `json:"ts"`
		}
		if json.Unmarshal(out, &res) == nil {
			ts = res.TS
		}
	}
	return ts, nil
}

func fallbackText(p channel.Part) string {
	switch {
	case p.Text != "":
		return p.Text
	case p.Attachment != nil:
		return p.Attachment.URL
	case len(p.Cards) > 0:
		return p.Cards[0].Title
	}
	return "Please choose:"
}

func plain(s string) map[string]any { return map[string]any{"type": "plain_text", "text": s} }

func blocks(p channel.Part) []map[string]any {
	var out []map[string]any
	if p.Text != "" {
		out = append(out, map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": p.Text}})
	}
	if a := p.Attachment; a != nil {
		alt := a.Name
		if alt == "" {
			alt = "image"
		}
		out = append(out, map[string]any{"type": "image", "image_url": a.URL, "alt_text": alt})
	}
	for _, c := range p.Cards {
		text := "*" + c.Title + "*"
		if c.Subtitle != "" {
			text += "\n" + c.Subtitle
		}
		if c.URL != "" {
			text += "\n<" + c.URL + ">"
		}
		sec := map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}}
		if c.ImageURL != "" {
			sec["accessory"] = map[string]any{"type": "image", "image_url": c.ImageURL, "alt_text": c.Title}
		}
		out = append(out, sec)
		var els []map[string]any
		for i, b := range c.Buttons {
			el := map[string]any{"type": "button", "text": plain(channel.Truncate(b.Title, 75)), "action_id": "card_" + strconv.Itoa(i)}
			if b.URL != "" {
				el["url"] = b.URL
			} else {
				el["value"] = b.Payload
			}
			els = append(els, el)
		}
		if len(els) > 0 {
			out = append(out, map[string]any{"type": "actions", "elements": els})
		}
	}
	if len(p.Buttons) > 0 {
		var els []map[string]any
		for i, b := range p.Buttons {
			els = append(els, map[string]any{"type": "button", "text": plain(b.Title), "value": b.Value(),
				"action_id": "quick_reply_" + strconv.Itoa(i)})
		}
		out = append(out, map[string]any{"type": "actions", "elements": els})
	}
	return out
}

func (a *Adapter) check(status int, h http.Header, body []byte) error {
	var res struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		if status/100 == 2 {
			return nil // accepted; never resend a message on an unreadable answer
		}
		return channel.NewPlatformError(Channel, status, h, "", strings.TrimSpace(string(body)), a.Now())
	}
	if res.OK && status/100 == 2 {
		return nil
	}
	pe := channel.NewPlatformError(Channel, status, h, res.Error, res.Error, a.Now())
	if res.Error == "ratelimited" {
		pe.Temporary = true
	}
	return pe
}
