package slack

import (
	"cmp"
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
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/internal/driver"
	"github.com/parleyhq/parley/memory"
)

// replayWindow is how far a request's X-Slack-Request-Timestamp may be
// from now; older (or future) requests are refused as replays.
const replayWindow = 5 * time.Minute

// Config configures the Slack channel.
type Config struct {
	// BotToken is the bot user OAuth token (xoxb-...). Required.
	BotToken string
	// SigningSecret verifies X-Slack-Signature. Required.
	SigningSecret string
	// BaseURL is the Web API root (default "https://slack.com/api").
	BaseURL string
	// HTTPClient sends API calls (default: a client with a 30s timeout).
	HTTPClient *http.Client
	// Payloads keeps button payloads too long for the platform (sent as
	// short tokens) for 7 days, so that a tap reaching another replica,
	// or this one after a restart, maps back to the whole payload; nil
	// keeps them in process memory.
	Payloads memory.Store
	// Adapter configures the [channel.Adapter]. Channel defaults to
	// "slack"; zero Capabilities and Limits take Slack's: section blocks
	// of 3000 characters, 25 buttons of 75, cards as sections, images;
	// chat.postMessage's 1 message/s per channel (bursts of 5).
	Adapter channel.Config
}

// New returns the Slack channel: its Handler serves both the Events API
// request URL and the interactivity request URL. Direct messages,
// mentions and thread replies, and Block Kit button taps, become turns;
// replies go to the same channel and thread. Register it as the Bot's
// Sender for the channel.
func New(c Config) (*channel.Adapter, error) { return driver.Adapt(newDriver(c)) }

func newDriver(c Config) (*webAPI, channel.Config, error) {
	if c.BotToken == "" || c.SigningSecret == "" {
		return nil, channel.Config{}, fmt.Errorf("slack: config: BotToken and SigningSecret are required")
	}
	c.BaseURL = driver.BaseURL(c.BaseURL, "https://slack.com/api")
	c.HTTPClient = driver.Client(c.HTTPClient)
	ac := driver.Defaults(c.Adapter, "slack",
		channel.Capabilities{MaxText: maxSectionText, MaxButtons: 25, MaxButtonTitle: maxButtonTitle, MaxCards: 10, Media: []parley.AttachmentKind{parley.Image}},
		channel.Limits{Rate: 20, Burst: 20, PerConversation: 1, PerConversationBurst: 5})
	return &webAPI{cfg: c, long: driver.Payloads{Store: c.Payloads}}, ac, nil
}

// webAPI is the Slack Web API and Events API driver.
type webAPI struct {
	cfg  Config
	long driver.Payloads // button values over maxValue, kept here
}

// Block Kit limits (https://api.slack.com/reference/block-kit/block-elements#button).
const (
	maxValue       = 2000 // a button's value
	maxButtonTitle = 75   // a button's text
	maxSectionText = 3000 // a section block's text
)

// checkSignature verifies a Slack request: the timestamp must be within
// [replayWindow] of now ([channel.ErrReplay]) and the signature must be
// "v0=" + hex HMAC-SHA256 of "v0:<timestamp>:<body>" under the signing
// secret ([channel.ErrSignature]), compared in constant time.
func checkSignature(secret string, h http.Header, body []byte, now time.Time) error {
	ts := h.Get("X-Slack-Request-Timestamp")
	sig := h.Get("X-Slack-Signature")
	if ts == "" || sig == "" {
		return channel.ErrSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return channel.ErrSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > replayWindow || d < -replayWindow {
		return channel.ErrReplay
	}
	want := "v0=" + channel.HMACHex(sha256.New, []byte(secret), []byte("v0:"+ts+":"+string(body)))
	if !channel.EqualSecret([]byte(sig), []byte(want)) {
		return channel.ErrSignature
	}
	return nil
}

// An envelope is an Events API request body.
type envelope struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge,omitempty"`
	// MinuteRateLimited is the minute (Unix time) an app_rate_limited
	// envelope says Slack began dropping the workspace's events.
	MinuteRateLimited int64  `json:"minute_rate_limited,omitempty"`
	TeamID            string `json:"team_id,omitempty"`
	EventID           string `json:"event_id,omitempty"`
	EventTime         int64  `json:"event_time,omitempty"`
	Event             *event `json:"event,omitempty"`
}

// An event is the inner event of an event_callback.
type event struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype,omitempty"`
	User        string `json:"user,omitempty"`
	BotID       string `json:"bot_id,omitempty"`
	Text        string `json:"text,omitempty"`
	Channel     string `json:"channel,omitempty"`
	ChannelType string `json:"channel_type,omitempty"`
	TS          string `json:"ts,omitempty"`
	ThreadTS    string `json:"thread_ts,omitempty"`
	Files       []file `json:"files,omitempty"`
}

// A file is a file shared in a message (subtype file_share).
type file struct {
	ID         string `json:"id"`
	Name       string `json:"name,omitempty"`
	Title      string `json:"title,omitempty"`
	MIMEType   string `json:"mimetype,omitempty"`
	URLPrivate string `json:"url_private,omitempty"`
	// Mode "tombstone" marks a file deleted since, "hidden_by_limit" one
	// beyond the free plan's storage: neither can be fetched.
	Mode string `json:"mode,omitempty"`
}

// An interaction is a block_actions payload from the interactivity URL.
type interaction struct {
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

// parseEvent decodes an Events API body, returning an error wrapping
// [channel.ErrMalformed] if it is not one.
func parseEvent(body []byte) (*envelope, error) {
	return driver.ParseJSON(body, func(e *envelope) string {
		switch {
		case e.Type == "url_verification", e.Type == "app_rate_limited":
		case e.Type == "event_callback" && e.Event != nil:
		default:
			return fmt.Sprintf("envelope type %q", e.Type)
		}
		return ""
	})
}

// parseInteraction decodes an interactivity body (a form with a JSON
// "payload" field), returning an error wrapping [channel.ErrMalformed].
func parseInteraction(body []byte) (*interaction, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", channel.ErrMalformed, err)
	}
	var in interaction
	if err := json.Unmarshal([]byte(form.Get("payload")), &in); err != nil {
		return nil, fmt.Errorf("%w: payload: %w", channel.ErrMalformed, err)
	}
	if in.Type == "" {
		return nil, fmt.Errorf("%w: payload without type", channel.ErrMalformed)
	}
	return &in, nil
}

// Verify implements [channel.Platform]: the request's timestamp must be
// within five minutes of now ([channel.ErrReplay]) and X-Slack-Signature
// must be the HMAC-SHA256 of the timestamp and body under the signing
// secret.
func (p *webAPI) Verify(r *http.Request, body []byte) error {
	if r.Method != http.MethodPost {
		return fmt.Errorf("%w: method %s", channel.ErrMalformed, r.Method)
	}
	return checkSignature(p.cfg.SigningSecret, r.Header, body, time.Now())
}

// Parse implements [channel.Platform]: an Events API body (JSON), an
// interactivity body (a form), or the url_verification challenge.
func (p *webAPI) Parse(r *http.Request, body []byte) (*channel.Batch, error) {
	b := &channel.Batch{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")) //nolint:errcheck // an unparsable type is treated as JSON
	if ct == "application/x-www-form-urlencoded" {
		return b, p.interaction(r.Context(), b, body)
	}
	env, err := parseEvent(body)
	if err != nil {
		return nil, err
	}
	if env.Type == "app_rate_limited" {
		// Slack says it is dropping this workspace's events for a minute;
		// the answer must still be 200, or Slack disables the app's
		// subscriptions. Reported so an operator sees it.
		b.Events = append(b.Events, parley.Event{Kind: channel.EventUnsupported,
			Attrs: map[string]string{"type": "app_rate_limited", "team_id": env.TeamID,
				"minute_rate_limited": strconv.FormatInt(env.MinuteRateLimited, 10)}})
		return b, nil
	}
	if env.Type == "url_verification" {
		ans, err := json.Marshal(map[string]string{"challenge": env.Challenge})
		if err != nil {
			return nil, err
		}
		b.Body, b.ContentType = ans, "application/json"
		return b, nil
	}
	return b, p.event(b, env)
}

// conversation returns the conversation ID for a Slack channel and thread
// (threadTS may be empty): "slack:<team>:<channel>[:<thread_ts>]".
func conversation(team, ch, threadTS string) string {
	id := "slack:" + team + ":" + ch
	if threadTS != "" {
		id += ":" + threadTS
	}
	return id
}

// recipient is where replies go: "<channel>" or "<channel>:<thread_ts>".
func recipient(ch, threadTS string) string {
	if threadTS == "" {
		return ch
	}
	return ch + ":" + threadTS
}

func unsupported(conv, id, kind string) parley.Event {
	return parley.Event{Kind: channel.EventUnsupported, ConversationID: conv, MessageID: id,
		Attrs: map[string]string{"type": kind}}
}

func (p *webAPI) event(b *channel.Batch, env *envelope) error {
	ev := env.Event
	conv := conversation(env.TeamID, ev.Channel, ev.ThreadTS)
	switch {
	case ev.BotID != "" || ev.Subtype == "bot_message":
		return nil // our own (or another bot's) message: not a turn
	case ev.Type != "message" && ev.Type != "app_mention", !turnSubtypes[ev.Subtype]:
		kind := ev.Type
		if ev.Subtype != "" {
			kind += "/" + ev.Subtype
		}
		b.Events = append(b.Events, unsupported(conv, env.EventID, kind))
		return nil
	case ev.User == "" || ev.Channel == "" || ev.TS == "":
		return fmt.Errorf("%w: message event without user, channel or ts", channel.ErrMalformed)
	}
	t := &parley.Turn{ConversationID: conv, MessageID: ev.TS, Time: tsTime(ev.TS),
		Recipient: recipient(ev.Channel, ev.ThreadTS), Message: parley.Message{Text: unescape(ev.Text)}}
	for _, f := range ev.Files {
		if f.URLPrivate == "" || f.Mode == "tombstone" || f.Mode == "hidden_by_limit" {
			b.Events = append(b.Events, unsupported(conv, ev.TS, "file/"+cmp.Or(f.Mode, "no_url")))
			continue
		}
		// url_private is fetched with the bot token (Authorization: Bearer).
		t.Message.Attachments = append(t.Message.Attachments, parley.Attachment{Kind: driver.AttachmentKind(f.MIMEType),
			MIMEType: f.MIMEType, URL: f.URLPrivate, Name: cmp.Or(f.Name, f.Title)})
	}
	if t.Message.Text == "" && len(t.Message.Attachments) == 0 {
		b.Events = append(b.Events, unsupported(conv, ev.TS, "message/empty"))
		return nil
	}
	b.Inbound = append(b.Inbound, channel.Inbound{Turn: t, UserID: ev.User})
	return nil
}

// turnSubtypes are the message subtypes that a user wrote: a plain
// message, one with files (file_share), and a thread reply also sent to the
// channel (thread_broadcast), which is answered in its thread.
var turnSubtypes = map[string]bool{"": true, "file_share": true, "thread_broadcast": true}

// escape replaces the three characters Slack parses as control
// characters in text (&, <, >) with their HTML entities, as Slack's
// formatting reference asks for text not meant as markup
// (https://api.slack.com/reference/surfaces/formatting#escaping). Other
// characters are left alone: Slack decodes only these three.
func escape(s string) string { return slackEscaper.Replace(s) }

// unescape undoes [escape] on inbound text, where Slack sends them as
// entities.
func unescape(s string) string { return slackUnescaper.Replace(s) }

var (
	slackEscaper   = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	slackUnescaper = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")
)

func (p *webAPI) interaction(ctx context.Context, b *channel.Batch, body []byte) error {
	in, err := parseInteraction(body)
	if err != nil {
		return err
	}
	if in.Type != "block_actions" || len(in.Actions) == 0 {
		b.Events = append(b.Events, unsupported("", "", "interaction/"+in.Type))
		return nil
	}
	act := in.Actions[0]
	if in.Channel.ID == "" || act.ActionTS == "" {
		return fmt.Errorf("%w: block_actions without channel or action_ts", channel.ErrMalformed)
	}
	conv := conversation(in.Team.ID, in.Channel.ID, in.Container.ThreadTS)
	text, ok := p.long.Resolve(ctx, act.Value)
	if !ok || text == "" {
		text = act.Text.Text // the value was kept by another process, or there is none
	}
	t := &parley.Turn{ConversationID: conv, MessageID: "action:" + act.ActionTS, Time: tsTime(act.ActionTS),
		Recipient: recipient(in.Channel.ID, in.Container.ThreadTS), Message: parley.Message{Text: text}}
	b.Inbound = append(b.Inbound, channel.Inbound{Turn: t, UserID: in.User.ID})
	return nil
}

func tsTime(ts string) time.Time {
	f, err := strconv.ParseFloat(ts, 64)
	if err != nil || f <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(f), int64((f-float64(int64(f)))*1e9))
}

// Send implements [channel.Platform]: chat.postMessage with the text as an
// mrkdwn section, quick replies as buttons in an actions block, cards as
// sections, images as image blocks, in the recipient's thread.
func (p *webAPI) Send(ctx context.Context, o *channel.Outgoing) error {
	ch, thread, _ := strings.Cut(o.To.Recipient, ":")
	if ch == "" {
		return fmt.Errorf("slack: no recipient for conversation %q", o.To.ConversationID)
	}
	msg := map[string]any{"channel": ch, "text": escape(fallbackText(o.Part)), "blocks": p.blocks(o.Part)}
	if err := p.long.Sync(ctx); err != nil {
		return err
	}
	if thread != "" {
		msg["thread_ts"] = thread
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("slack: encode: %w", err)
	}
	_, err = channel.Do(ctx, p.cfg.HTTPClient, channel.Call{
		URL: p.cfg.BaseURL + "/chat.postMessage",
		Header: http.Header{"Authorization": {"Bearer " + p.cfg.BotToken},
			"Content-Type": {"application/json; charset=utf-8"}},
		Body:  body,
		Check: check,
	})
	return err
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

// mrkdwn is a mrkdwn text object holding s as plain words: escaped, and
// cut to a section's 3,000 characters should escaping lengthen it past
// them.
func mrkdwn(s string) map[string]any {
	return map[string]any{"type": "mrkdwn", "text": cutEscaped(escape(s), maxSectionText)}
}

// cutEscaped cuts escaped text to limit characters without splitting an
// entity.
func cutEscaped(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	cut := channel.Truncate(s, limit)
	body := strings.TrimSuffix(cut, "…")
	if i := strings.LastIndexByte(body, '&'); i >= 0 && !strings.Contains(body[i:], ";") {
		body = body[:i]
	}
	return body + "…"
}

func (d *webAPI) blocks(p channel.Part) []map[string]any {
	var out []map[string]any
	if p.Text != "" {
		out = append(out, map[string]any{"type": "section", "text": mrkdwn(p.Text)})
	}
	if a := p.Attachment; a != nil {
		alt := a.Name
		if alt == "" {
			alt = "image"
		}
		out = append(out, map[string]any{"type": "image", "image_url": a.URL, "alt_text": alt})
	}
	for _, c := range p.Cards {
		text := "*" + escape(c.Title) + "*"
		if c.Subtitle != "" {
			text += "\n" + escape(c.Subtitle)
		}
		if c.URL != "" {
			text += "\n<" + linkURL(c.URL) + ">"
		}
		sec := map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": cutEscaped(text, maxSectionText)}}
		if c.ImageURL != "" {
			sec["accessory"] = map[string]any{"type": "image", "image_url": c.ImageURL, "alt_text": c.Title}
		}
		out = append(out, sec)
		var els []map[string]any
		for i, b := range c.Buttons {
			el := map[string]any{"type": "button", "text": plain(channel.Truncate(b.Title, maxButtonTitle)), "action_id": "card_" + strconv.Itoa(i)}
			if b.URL != "" {
				el["url"] = b.URL
			} else {
				el["value"] = d.long.Fit(b.Payload, maxValue)
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
			els = append(els, map[string]any{"type": "button", "text": plain(channel.Truncate(b.Title, maxButtonTitle)), "value": d.long.Fit(b.Value(), maxValue),
				"action_id": "quick_reply_" + strconv.Itoa(i)})
		}
		out = append(out, map[string]any{"type": "actions", "elements": els})
	}
	return out
}

// linkURL makes a URL safe inside Slack's <url> link syntax: a '>' or '|'
// would end the link early, so they are percent-encoded.
func linkURL(u string) string {
	return strings.NewReplacer(">", "%3E", "<", "%3C", "|", "%7C").Replace(u)
}

func check(status int, h http.Header, body []byte) error {
	var res struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		if status/100 == 2 {
			return nil // accepted; never resend a message on an unreadable answer
		}
		return channel.NewPlatformError(status, h, "", strings.TrimSpace(string(body)))
	}
	if res.OK && status/100 == 2 {
		return nil
	}
	pe := channel.NewPlatformError(status, h, res.Error, res.Error)
	if res.Error == "ratelimited" {
		pe.Temporary = true
	}
	return pe
}
