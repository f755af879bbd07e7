package channel

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// Capabilities describes what a platform can show in one message. Lengths
// are in Unicode code points; zero means "not supported" for counts and
// "unlimited" for MaxText.
type Capabilities struct {
	// MaxText is the longest text of one message; longer text is split.
	MaxText int
	// MaxButtons is how many quick replies show as buttons.
	MaxButtons int
	// MaxButtonTitle is the longest button title; longer ones are cut.
	MaxButtonTitle int
	// MaxListItems is how many quick replies fit a list (a menu opened
	// from a button); zero means the platform has no lists.
	MaxListItems int
	// MaxListTitle is the longest list row title.
	MaxListTitle int
	// MaxOptionsText, when set, is the longest text of a message that
	// carries buttons or a list (WhatsApp's interactive body of 1,024
	// characters, shorter than its 4,096 for text): longer text is split so
	// that the piece sent with the options fits.
	MaxOptionsText int
	// MaxCards is how many cards fit one message (a carousel); zero
	// means cards become text plus a link.
	MaxCards int
	// Media lists the attachment kinds sent natively; other kinds given by
	// URL become a link in the text.
	Media []parley.AttachmentKind
	// InlineMedia reports whether attachments given by value (Data) can be
	// uploaded; if not, they fail with [ErrUnsupported].
	InlineMedia bool
}

// A Part is one platform message produced by [Render] from a
// [parley.Message]. Exactly one of Text (with its options), Cards or
// Attachment is the main content.
type Part struct {
	// Text is the message text, already within MaxText and including any
	// numbered options.
	Text string
	// Buttons are quick replies to show as buttons (at most MaxButtons).
	Buttons []parley.QuickReply
	// List holds quick replies to show as a list (at most MaxListItems).
	List []parley.QuickReply
	// Numbered holds the quick replies rendered as numbered options in
	// Text; the [Adapter] remembers them so that the
	// reply "2" maps back to the second.
	Numbered []parley.QuickReply
	// Cards to show natively (at most MaxCards).
	Cards []parley.Card
	// Attachment to send natively.
	Attachment *parley.Attachment
}

// Render maps m onto what c supports: text split at the platform limit;
// quick replies as buttons, else as a list, else as numbered options;
// cards natively, else as text plus a link (their payload buttons joining
// the quick replies); attachments natively, else as a link. Quick replies go
// with the last text part. It returns [ErrUnsupported] for an inline
// attachment the platform cannot upload and has no URL for.
func Render(m parley.Message, c Capabilities) ([]Part, error) {
	var parts []Part
	text := m.Text
	quick := slices.Clone(m.QuickReplies)

	var cardParts []Part
	if len(m.Cards) > 0 {
		if c.MaxCards > 0 {
			for cards := range slices.Chunk(m.Cards, c.MaxCards) {
				cardParts = append(cardParts, Part{Cards: cards})
			}
		} else {
			var b strings.Builder
			for i, card := range m.Cards {
				if i > 0 {
					b.WriteString("\n\n")
				}
				b.WriteString(cardText(card))
				for _, bt := range card.Buttons {
					if bt.URL == "" {
						quick = append(quick, parley.QuickReply{Title: bt.Title, Payload: bt.Payload})
					}
				}
			}
			text = joinNonEmpty(text, b.String())
		}
	}

	var media []Part
	for _, a := range m.Attachments {
		switch {
		case slices.Contains(c.Media, a.Kind) && (a.URL != "" || c.InlineMedia):
			a := a
			media = append(media, Part{Attachment: &a})
		case a.URL != "":
			name := a.Name
			if name == "" {
				name = string(a.Kind)
			}
			text = joinNonEmpty(text, name+": "+a.URL)
		default:
			return nil, fmt.Errorf("%w: inline %s attachment", ErrUnsupported, a.Kind)
		}
	}

	// Buttons, else a list, else numbered options; a form whose titles,
	// once cut to its limit, are not all different is skipped, since the
	// user could not tell the options apart (and WhatsApp refuses them).
	last := Part{}
	n := len(quick)
	if n > 0 && n <= c.MaxButtons {
		if b := truncTitles(quick, c.MaxButtonTitle); distinct(b) {
			last.Buttons = b
		}
	}
	if n > 0 && last.Buttons == nil && n <= c.MaxListItems {
		if l := truncTitles(quick, c.MaxListTitle); distinct(l) {
			last.List = l
		}
	}
	if n > 0 && last.Buttons == nil && last.List == nil {
		last.Numbered = quick
	}
	suffix := ""
	if len(last.Numbered) > 0 {
		suffix = NumberedText(last.Numbered)
		if text != "" {
			suffix = "\n\n" + suffix
		}
	}
	limit := c.MaxText
	if limit > 0 && utf8.RuneCountInString(suffix) >= limit {
		// The options alone do not fit: send them as their own parts.
		chunks := Split(strings.TrimLeft(suffix, "\n"), limit)
		for _, t := range Split(text, limit) {
			parts = append(parts, Part{Text: t})
		}
		parts = append(parts, media...)
		parts = append(parts, cardParts...)
		for i, t := range chunks {
			p := Part{Text: t}
			if i == len(chunks)-1 {
				p.Numbered = last.Numbered
			}
			parts = append(parts, p)
		}
		return parts, nil
	}

	var chunks []string
	switch ot := c.MaxOptionsText; {
	case ot > 0 && len(last.Buttons)+len(last.List) > 0:
		// The options go with the last piece: leave it at most ot.
		if limit > 0 && ot > limit {
			ot = limit
		}
		chunks = splitTail(text, limit, ot)
	case limit > 0:
		chunks = splitReserve(text, limit, utf8.RuneCountInString(suffix))
	case text != "":
		chunks = []string{text}
	}
	for _, t := range chunks {
		parts = append(parts, Part{Text: t})
	}
	// Media and cards go after the text, and the options after them, so
	// that the buttons are the last thing the user sees.
	hasOptions := len(last.Buttons)+len(last.List)+len(last.Numbered) > 0
	if hasOptions && (len(media) > 0 || len(cardParts) > 0) && len(parts) > 0 {
		final := parts[len(parts)-1]
		parts = parts[:len(parts)-1]
		parts = append(parts, media...)
		parts = append(parts, cardParts...)
		parts = append(parts, final)
	} else {
		parts = append(parts, media...)
		parts = append(parts, cardParts...)
		if hasOptions && (len(parts) == 0 || parts[len(parts)-1].Text == "" && len(chunks) == 0) {
			parts = append(parts, Part{})
		}
	}
	if hasOptions {
		p := &parts[len(parts)-1]
		p.Text += suffix
		p.Buttons, p.List, p.Numbered = last.Buttons, last.List, last.Numbered
	}
	return parts, nil
}

func cardText(c parley.Card) string {
	var lines []string
	for _, s := range []string{c.Title, c.Subtitle, c.URL} {
		if s != "" {
			lines = append(lines, s)
		}
	}
	for _, b := range c.Buttons {
		if b.URL != "" {
			lines = append(lines, b.Title+": "+b.URL)
		}
	}
	return strings.Join(lines, "\n")
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}

// distinct reports whether the titles of q are all different and not
// blank, ignoring case and surrounding space.
func distinct(q []parley.QuickReply) bool {
	seen := make(map[string]bool, len(q))
	for _, o := range q {
		k := strings.ToLower(strings.TrimSpace(o.Title))
		if k == "" || seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

func truncTitles(q []parley.QuickReply, limit int) []parley.QuickReply {
	out := slices.Clone(q)
	for i := range out {
		if out[i].Payload == "" {
			out[i].Payload = out[i].Title
		}
		out[i].Title = Truncate(out[i].Title, limit)
	}
	return out
}

// Truncate cuts s to at most limit code points, ending with "…" when cut.
// A limit of zero or less means no limit.
func Truncate(s string, limit int) string {
	if limit <= 0 || utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:limit-1]), unicode.IsSpace) + "…"
}

// NumberedText renders options as numbered lines ("1. Yes").
func NumberedText(opts []parley.QuickReply) string {
	var b strings.Builder
	for i, o := range opts {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(". ")
		b.WriteString(o.Title)
	}
	return b.String()
}

// Split cuts text into pieces of at most limit code points, preferring to
// cut between paragraphs, then lines, then sentences, then words. A limit
// of zero or less returns text whole. Empty text gives no pieces.
func Split(text string, limit int) []string {
	return splitReserve(text, limit, 0)
}

// splitReserve is Split with the last piece leaving room for reserve code
// points.
func splitReserve(text string, limit, reserve int) []string {
	if text == "" {
		return nil
	}
	if limit <= 0 {
		return []string{text}
	}
	var out []string
	for {
		n := utf8.RuneCountInString(text)
		if n+reserve <= limit {
			return append(out, text)
		}
		window := limit
		if n <= limit {
			// Fits alone but not with the reserve: cut so that the tail does.
			window = max(limit-reserve, 1)
		}
		cut := cutPoint(text, window)
		piece := strings.TrimRightFunc(text[:cut], unicode.IsSpace)
		if piece != "" {
			out = append(out, piece)
		}
		text = strings.TrimLeftFunc(text[cut:], unicode.IsSpace)
		if text == "" {
			return out
		}
	}
}

// splitTail is Split with the last piece at most tail code points, cut at
// the best boundary within the last tail code points of text.
func splitTail(text string, limit, tail int) []string {
	if text == "" {
		return nil
	}
	n := utf8.RuneCountInString(text)
	if n <= tail {
		return []string{text}
	}
	start := len(text) // byte offset of the last tail code points
	for i := 0; i < tail; i++ {
		_, size := utf8.DecodeLastRuneInString(text[:start])
		start -= size
	}
	window := text[start:]
	cut := start
	ceiling := len(window) * 2 / 3 // never leave a tiny last piece
	for _, sep := range []string{"\n\n", "\n", ". ", "! ", "? ", " "} {
		if i := strings.Index(window, sep); i >= 0 && i < ceiling {
			cut = start + i + len(sep)
			break
		}
	}
	head := strings.TrimRightFunc(text[:cut], unicode.IsSpace)
	last := strings.TrimLeftFunc(text[cut:], unicode.IsSpace)
	return append(Split(head, limit), last)
}

// cutPoint returns a byte offset at most max code points into s, at the
// best boundary.
func cutPoint(s string, limit int) int {
	end := 0
	for i := 0; i < limit && end < len(s); i++ {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
	}
	window := s[:end]
	floor := len(window) / 3 // never cut so early that pieces are tiny
	for _, sep := range []string{"\n\n", "\n", ". ", "! ", "? ", " "} {
		if i := strings.LastIndex(window, sep); i > floor {
			return i + len(sep)
		}
	}
	return end
}

// choices remembers, per conversation, the options last sent as numbered
// text, so that a reply of "2" (or the option's title) maps back to the
// option. Entries expire after a day. It is safe for concurrent use; the
// zero value is ready.
type choices struct {
	mu sync.Mutex
	m  map[string]choiceEntry
}

type choiceEntry struct {
	opts []parley.QuickReply
	at   time.Time
}

const (
	choicesTTL = 24 * time.Hour
	choicesMax = 100_000
)

// remember records opts as the conversation's current numbered options;
// nil forgets them.
func (c *choices) remember(conv string, opts []parley.QuickReply, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(opts) == 0 {
		delete(c.m, conv)
		return
	}
	if c.m == nil {
		c.m = make(map[string]choiceEntry)
	}
	if len(c.m) >= choicesMax {
		for k, e := range c.m {
			if now.Sub(e.at) > choicesTTL {
				delete(c.m, k)
			}
		}
		if len(c.m) >= choicesMax {
			for k := range c.m { // still full: drop an arbitrary entry
				delete(c.m, k)
				break
			}
		}
	}
	c.m[conv] = choiceEntry{opts: slices.Clone(opts), at: now}
}

// resolve maps text to one of the conversation's numbered options: "2",
// "2.", "#2" or the option's title, ignoring case and surrounding space.
func (c *choices) resolve(conv, text string) (parley.QuickReply, bool) {
	c.mu.Lock()
	e, ok := c.m[conv]
	c.mu.Unlock()
	if !ok || time.Since(e.at) > choicesTTL {
		return parley.QuickReply{}, false
	}
	s := strings.TrimSpace(text)
	num := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(s, "#"), "."), ")")
	if n, err := strconv.Atoi(num); err == nil && n >= 1 && n <= len(e.opts) {
		return e.opts[n-1], true
	}
	for _, o := range e.opts {
		if strings.EqualFold(s, o.Title) {
			return o, true
		}
	}
	return parley.QuickReply{}, false
}
