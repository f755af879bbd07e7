package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
)

// Config configures a [Chat]. Only Secret is required; every other zero
// value means the documented default.
type Config struct {
	// Secret signs visitor tokens and file links with HMAC-SHA256. It must
	// be at least 32 bytes and stay stable across restarts and replicas,
	// or visitors lose their conversations.
	Secret []byte

	// AllowedOrigins lists the origins, such as "https://shop.example",
	// besides the handler's own that may embed the widget: open the
	// WebSocket, read the event stream and send messages. Each must be a
	// scheme and host (with an optional port) and nothing else; "*" is
	// not accepted.
	AllowedOrigins []string

	// Title heads the chat panel. Default "Chat with us".
	Title string
	// PrivacyNotice is shown at the start of every conversation.
	PrivacyNotice string
	// ConsentQuestion asks whether the conversation may be kept so that it
	// survives a page reload. Until the visitor says yes, nothing they or
	// the bot say is kept by the handler and the widget forgets the
	// conversation on reload.
	ConsentQuestion string

	// Labels are the widget's own texts (buttons, placeholder, receipts),
	// for sites in other languages; empty fields keep the English
	// defaults. Title, PrivacyNotice and ConsentQuestion are set above.
	Labels Labels
	// Translations are the widget's texts in other languages, keyed by a
	// language ("es") or a BCP 47 tag ("pt-BR"). The widget follows the
	// conversation's language: it shows a translation from the start
	// when the browser's language has one, and switches to the language
	// of the bot's latest message ([parley.Message.Locale], as
	// i18n.Middleware sets it), back to Labels for a language without
	// one. An empty field falls back to Labels, then to the English
	// default; a translation's Title, Notice and Question replace
	// Config's Title, PrivacyNotice and ConsentQuestion.
	Translations map[string]Labels

	// MaxMessageBytes limits the text of one inbound message (default
	// 4 KiB).
	MaxMessageBytes int
	// MaxFrameBytes limits one inbound WebSocket frame or POST body
	// (default 64 KiB). A WebSocket frame over it closes the connection
	// with status 1009.
	MaxFrameBytes int64
	// MaxUploadBytes limits one uploaded file (default 5 MiB).
	MaxUploadBytes int64
	// UploadTypes lists the media types an upload may have, judged from its
	// content, not from what the browser claims. Default: image/png,
	// image/jpeg, image/gif, image/webp, application/pdf, text/plain.
	UploadTypes []string

	// RateLimit is the sustained rate of the visitor's messages and
	// uploads allowed per conversation, with bursts of RateBurst, so that
	// a person typing several short messages quickly ("hi", "I need
	// help", "my order", "A-1001"...) is never told to wait while a
	// script's flood is. Defaults: 1 per second, burst 12. The page's
	// events (parley.track, the consent answer) have their own allowance
	// (burst 20, 1 per second), so browsing never uses up the visitor's
	// messages.
	RateLimit rate.Limit
	RateBurst int

	// TrackEvents are the event names a page may send with
	// parley.track(name, data); a track frame with any other name is
	// refused with an "event_not_allowed" error frame and never reaches
	// the bot. Default: the events the widget documents, "page_view",
	// "product_view", "page.idle" (the widget's own idle timer),
	// "add_to_cart", "remove_from_cart", "cart_view" and
	// "checkout_start". Names in the namespaces the
	// runtime uses for its own signals (see [channel.InternalSignal]: hand-off,
	// agent messages, approvals, escalation, proactive steps) are refused
	// here as a configuration error, because a browser can send anything.
	TrackEvents []string

	// IPRateLimit is the sustained rate of inbound frames (messages,
	// events, uploads) allowed per client address across all its
	// conversations, with bursts of IPRateBurst, so that a script opening
	// many conversations cannot multiply RateLimit. Defaults: 20 per
	// second, burst 100.
	IPRateLimit rate.Limit
	IPRateBurst int
	// IPConversationRate is the sustained rate of new conversations
	// (POST /session without a valid token) per client address, with
	// bursts of IPConversationBurst. Defaults: 1 a second, burst 60.
	IPConversationRate  rate.Limit
	IPConversationBurst int
	// ClientIP returns the client address a request counts against.
	// Default: the host of the connection's RemoteAddr. Behind a reverse
	// proxy that is the proxy's address, shared by every visitor, so set
	// ClientIP to return the address your proxy puts in its header (only
	// the entry your proxy added: the rest of the header is the client's
	// to forge).
	ClientIP func(r *http.Request) string

	// UploadQuota bounds the bytes of all uploaded and bot-sent files
	// kept in memory at once, across conversations, uploads being read
	// included (default 256 MiB). A new file beyond it makes room by
	// forgetting the oldest kept files of any conversation (their links
	// answer 404; the bot already had their bytes); when the quota is
	// taken by uploads still being read, an upload is refused with
	// "rate_limited".
	UploadQuota int64

	// TokenTTL is how long a visitor token stays valid (default 30 days).
	TokenTTL time.Duration
	// HistoryLimit bounds the kept transcript of a conversation, oldest
	// dropped first (default 200 entries).
	HistoryLimit int
	// IdleTTL is how long a conversation without an open connection is
	// remembered in memory after its last activity (default 24 hours):
	// its rate limiter, uploads and event counts, and, without a Store,
	// its consent state and transcript.
	IdleTTL time.Duration

	// MaxConversations bounds the conversations held in memory at once
	// (default 100,000). Tokens are free to mint, so this caps what a
	// flood of new visitors can cost; beyond it, new conversations are
	// refused with errRateLimited until idle ones are forgotten.
	MaxConversations int

	// Store, if set, keeps each conversation's consent state and
	// transcript (under "web/transcript/<conversation>", for TokenTTL
	// after the last change), so that they survive restarts, outlive
	// IdleTTL and are shared by replicas behind a load balancer. Open
	// connections, uploads and rate limits stay per process: a message
	// given to [Chat.Sender] reaches the visitor's connections to this
	// replica, and one who has consented sees it in the kept transcript
	// wherever they reconnect. Without a Store they are kept in memory.
	Store memory.Store

	// Linker, if set, fills each turn's CustomerID with the customer the
	// conversation is linked to (identity {Channel: "web", UserID: the
	// conversation ID}), so that memory and flows continue across
	// channels. Link a visitor through the same Linker once the
	// application has verified their e-mail or phone. The Linker is asked
	// on every message, so a visitor who signs in as someone else belongs
	// to that customer from then on; the kept transcript then starts
	// afresh for them (the previous customer's messages are not shown
	// after a reload, and erasing either customer finds only their own).
	Linker channel.Linker

	// Redact, if set, rewrites the text of every visitor message before
	// anything else sees it: the echo, the kept transcript, the Bot's
	// turn (and so its store, the history and any model). Give it a
	// privacy.Redactor's Redact (with Tokenize, handlers get values back
	// with Restore), so that a card number typed in the widget is never
	// stored in full. An error refuses the message (nothing unredacted
	// is kept).
	Redact func(ctx context.Context, conversationID, text string) (string, error)

	// Observer receives the handler's events: rejected input
	// ([eventRejected]), connections and turn errors. Optional.
	Observer parley.Observer
}

func (c Config) withDefaults() (Config, error) {
	var errs []error
	if len(c.Secret) < 32 {
		errs = append(errs, fmt.Errorf("web: Config.Secret must be at least 32 bytes, got %d", len(c.Secret)))
	}
	for _, o := range c.AllowedOrigins {
		if err := checkOrigin(o); err != nil {
			errs = append(errs, err)
		}
	}
	for k := range c.Translations {
		if k == "" || len(k) > maxLocaleLen || strings.ContainsAny(k, " \t\n\"'<>") {
			errs = append(errs, fmt.Errorf("web: Config.Translations: %q is not a language such as \"es\" or \"pt-BR\"", k))
		}
	}
	c.Title = cmp.Or(c.Title, "Chat with us")
	c.PrivacyNotice = cmp.Or(c.PrivacyNotice, "This chat is answered by a bot. Don't share passwords or card numbers. You can ask for a human at any time.")
	c.ConsentQuestion = cmp.Or(c.ConsentQuestion, "May we keep this conversation so you can see it again after reloading the page?")
	c.MaxMessageBytes = cmp.Or(c.MaxMessageBytes, 4<<10)
	c.MaxFrameBytes = cmp.Or(c.MaxFrameBytes, 64<<10)
	c.MaxUploadBytes = cmp.Or(c.MaxUploadBytes, 5<<20)
	if c.UploadTypes == nil {
		c.UploadTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
	}
	for _, t := range c.UploadTypes {
		if mt, _, err := mime.ParseMediaType(t); err != nil || mt != t {
			errs = append(errs, fmt.Errorf("web: Config.UploadTypes: %q is not a bare media type", t))
		}
	}
	c.RateLimit = cmp.Or(c.RateLimit, 1)
	c.RateBurst = cmp.Or(c.RateBurst, 12)
	if c.TrackEvents == nil {
		c.TrackEvents = defaultTrackEvents
	}
	for _, name := range c.TrackEvents {
		if !validSignalName(name) {
			errs = append(errs, fmt.Errorf("web: Config.TrackEvents: %q is not a valid event name", name))
		} else if channel.InternalSignal(name) {
			errs = append(errs, fmt.Errorf("web: Config.TrackEvents: %q is an internal signal and cannot come from a browser", name))
		}
	}
	c.IPRateLimit = cmp.Or(c.IPRateLimit, 20)
	c.IPRateBurst = cmp.Or(c.IPRateBurst, 100)
	c.IPConversationRate = cmp.Or(c.IPConversationRate, 1)
	c.IPConversationBurst = cmp.Or(c.IPConversationBurst, 60)
	if c.ClientIP == nil {
		c.ClientIP = clientIP
	}
	c.UploadQuota = cmp.Or(c.UploadQuota, 256<<20)
	if c.IPRateLimit < 0 || c.IPRateBurst < 0 || c.IPConversationRate < 0 || c.IPConversationBurst < 0 || c.UploadQuota < 0 {
		errs = append(errs, errors.New("web: Config limits must not be negative"))
	}
	if c.UploadQuota > 0 && c.UploadQuota < c.MaxUploadBytes {
		errs = append(errs, errors.New("web: Config.UploadQuota is smaller than MaxUploadBytes"))
	}
	c.TokenTTL = cmp.Or(c.TokenTTL, 30*24*time.Hour)
	c.HistoryLimit = cmp.Or(c.HistoryLimit, 200)
	c.IdleTTL = cmp.Or(c.IdleTTL, 24*time.Hour)
	c.MaxConversations = cmp.Or(c.MaxConversations, 100_000)
	if c.MaxMessageBytes < 0 || c.MaxFrameBytes < 0 || c.MaxUploadBytes < 0 || c.RateLimit < 0 ||
		c.RateBurst < 0 || c.TokenTTL < 0 || c.HistoryLimit < 0 || c.IdleTTL < 0 || c.MaxConversations < 0 {
		errs = append(errs, errors.New("web: Config limits must not be negative"))
	}
	if c.MaxFrameBytes > 0 && int64(c.MaxMessageBytes) > c.MaxFrameBytes {
		errs = append(errs, errors.New("web: Config.MaxMessageBytes is larger than MaxFrameBytes"))
	}
	return c, errors.Join(errs...)
}

func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("web: Config.AllowedOrigins: %q is not an origin like https://shop.example", o)
	}
	return nil
}

// Labels are the texts the widget shows besides the bot's messages. An
// empty field keeps the English default given in its comment. The "Talk
// to a human" button sends payload [humanPayload] whatever its label, so
// flows recognise it in any language.
//
// While the customer waits for a person the button becomes LeaveQueue and
// sends payload "exit" (what escalation reads as leaving the
// queue, even while a flow's question with a "cancel" option is open);
// while a person answers it is hidden. The widget learns this from the
// bot's messages: a message whose [parley.Message.Extras] hold, under
// "web", a map with "human" set to "waiting", "agent" or "bot" changes
// the button from then on (examples/retention sets it from
// escalation.HumanOwns).
type Labels struct {
	Placeholder  string `json:"placeholder,omitempty"`  // "Type a message…"
	Send         string `json:"send,omitempty"`         // "Send"
	Human        string `json:"human,omitempty"`        // "Talk to a human"
	LeaveQueue   string `json:"leave_queue,omitempty"`  // "Leave the queue"
	ConsentYes   string `json:"consent_yes,omitempty"`  // "Yes, keep it"
	ConsentNo    string `json:"consent_no,omitempty"`   // "No thanks"
	Sending      string `json:"sending,omitempty"`      // "Sending…"
	Delivered    string `json:"delivered,omitempty"`    // "Delivered"
	Read         string `json:"read,omitempty"`         // "Read"
	NotSent      string `json:"not_sent,omitempty"`     // "Not sent"
	Reconnecting string `json:"reconnecting,omitempty"` // "Reconnecting…"
	Uploading    string `json:"uploading,omitempty"`    // "Uploading"
	TooLarge     string `json:"too_large,omitempty"`    // "That file is too large"
	// TooLong is shown when the visitor sends a message over
	// MaxMessageBytes; the widget keeps the text for them to shorten.
	// "{n}" in it becomes the message's length and "{max}" the limit, in
	// characters (the limit counts UTF-8 bytes: "{max}" is how many of
	// this message's characters fit).
	TooLong string `json:"too_long,omitempty"` // "That message is too long ({n} characters; the limit is {max}). Please shorten it or send it in parts."
	Network string `json:"network,omitempty"`  // "Network problem; unsent messages are sent again when the connection is back."
	// RateLimited, UploadType and Failed are shown when the server
	// refuses a message or file: too many too fast ([Config.RateLimit]),
	// a file type [Config.UploadTypes] does not accept, and any other
	// refusal. The refused message goes back into the box, so nothing
	// typed is lost; the server's own error text is never shown.
	RateLimited string `json:"rate_limited,omitempty"` // "You're sending messages quickly — please wait a moment and try again."
	UploadType  string `json:"upload_type,omitempty"`  // "That type of file can't be sent here."
	Failed      string `json:"failed,omitempty"`       // "That message couldn't be sent. Please try again."
	Open        string `json:"open,omitempty"`         // "Open chat" (for screen readers)
	Close       string `json:"close,omitempty"`        // "Close chat" (for screen readers)
	Attach      string `json:"attach,omitempty"`       // "Attach a file" (for screen readers)
	// Record and StopRecording label the record button, shown when
	// UploadTypes accepts recordings ("video/webm", "application/ogg" or
	// an "audio/" type) and the browser can record.
	Record        string `json:"record,omitempty"`         // "Record a voice message" (for screen readers)
	StopRecording string `json:"stop_recording,omitempty"` // "Stop recording and send" (for screen readers)
	Typing        string `json:"typing,omitempty"`         // "The assistant is typing" (for screen readers)
	Message       string `json:"message,omitempty"`        // "Message" (the text box, for screen readers)
	// Greeting is shown when the panel opens on an empty conversation, so
	// that it never opens blank; it is not part of the transcript.
	Greeting string `json:"greeting,omitempty"` // "Hi! How can I help you today?"
	// SignedIn is shown under the title, for example "Signed in as Ada
	// Lovelace"; empty shows nothing. A page whose visitor signs in or
	// out without a reload replaces it with parley.signedIn(text).
	SignedIn string `json:"signed_in,omitempty"`

	// Title, Notice and Question are used in [Config.Translations] only:
	// the panel's title, privacy notice and consent question in that
	// language (Config's Title, PrivacyNotice and ConsentQuestion
	// otherwise).
	Title    string `json:"title,omitempty"`
	Notice   string `json:"notice,omitempty"`
	Question string `json:"question,omitempty"`
}
