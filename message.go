package parley

// A Message is what a user or the bot says: text plus optional rich parts.
// Channel adapters map each part onto what their platform supports and
// degrade the rest (quick replies become numbered options on SMS, a card
// becomes text plus a link).
type Message struct {
	// ID is the channel's message ID for an inbound message; for an
	// outbound message it may be left empty.
	ID string `json:"id,omitempty"`
	// Text is the message text, in UTF-8.
	Text string `json:"text,omitempty"`
	// QuickReplies are suggested answers shown as buttons.
	QuickReplies []QuickReply `json:"quick_replies,omitempty"`
	// Attachments are images, files, audio or video.
	Attachments []Attachment `json:"attachments,omitempty"`
	// Cards are rich tiles with a title, an image and buttons.
	Cards []Card `json:"cards,omitempty"`
	// Locale is a BCP 47 tag such as "en-GB"; empty means the turn's.
	Locale string `json:"locale,omitempty"`
	// Agent names the human agent who wrote an outbound message relayed
	// during a hand-off; empty for the bot's own messages. The Bot records
	// such messages in the history as the agent's, and channels may show
	// the name.
	Agent string `json:"agent,omitempty"`
	// Extras carries channel-specific payloads, keyed by channel name (for
	// example a WhatsApp template under "whatsapp"). Adapters ignore keys
	// that are not theirs.
	Extras map[string]any `json:"extras,omitempty"`
}

// Text returns a Message holding only text.
func Text(s string) Message { return Message{Text: s} }

// A QuickReply is a suggested answer. Tapping it sends Payload (or Title
// when Payload is empty) back as the next user message.
type QuickReply struct {
	Title   string `json:"title"`
	Payload string `json:"payload,omitempty"`
}

// Value returns what the quick reply sends back when tapped.
func (q QuickReply) Value() string {
	if q.Payload != "" {
		return q.Payload
	}
	return q.Title
}

// AttachmentKind says what an attachment holds.
type AttachmentKind string

// Attachment kinds.
const (
	Image AttachmentKind = "image"
	File  AttachmentKind = "file"
	Audio AttachmentKind = "audio"
	Video AttachmentKind = "video"
)

// An Attachment is a media item, given by URL or by value.
type Attachment struct {
	Kind     AttachmentKind `json:"kind"`
	MIMEType string         `json:"mime_type,omitempty"`
	// URL locates the content; Data holds it inline. One is set.
	URL  string `json:"url,omitempty"`
	Data []byte `json:"data,omitempty"`
	// Name is a file name to show.
	Name string `json:"name,omitempty"`
}

// A Card is a rich tile: a product, an order, an article.
type Card struct {
	Title    string   `json:"title"`
	Subtitle string   `json:"subtitle,omitempty"`
	ImageURL string   `json:"image_url,omitempty"`
	URL      string   `json:"url,omitempty"`
	Buttons  []Button `json:"buttons,omitempty"`
}

// A Button on a [Card] either opens URL or sends Payload back.
type Button struct {
	Title   string `json:"title"`
	Payload string `json:"payload,omitempty"`
	URL     string `json:"url,omitempty"`
}
