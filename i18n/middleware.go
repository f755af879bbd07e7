package i18n

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory"
)

// EventMissing is emitted for a reply line sent in the bot's own language
// because the catalog has no translation for it; Attrs "locale" and
// "text". Tests use it to find the messages a catalog still lacks.
const EventMissing parley.EventKind = "i18n.missing"

// localeKey keeps a conversation's locale, so that "A-1002" or "20" after
// a Spanish message is answered in Spanish too.
var localeKey = memory.NewStateKey[string]("parley.i18n.locale")

// sentKey keeps what tapping the quick replies of the conversation's
// latest reply sends (their payloads, or their untranslated titles): a
// tap sends the bot's own words, which say nothing of the customer's
// language.
var sentKey = memory.NewStateKey[[]string]("parley.i18n.taps")

// SessionLocale returns the locale [Middleware] keeps for the
// conversation of s (a BCP 47 tag), or "" when it keeps none, for what
// answers the customer outside a turn.
func SessionLocale(s *memory.Session) string {
	loc, _, _ := localeKey.Get(s) // unreadable state: as if none
	return loc
}

// SetSessionLocale sets the locale [Middleware] keeps for the conversation
// of s, as if the customer had written in it: the next turns are answered
// in that language until the customer writes in another. It returns an
// error for a locale that is not a BCP 47 tag.
func SetSessionLocale(s *memory.Session, locale string) error {
	if _, err := baseOf(locale); err != nil {
		return err
	}
	return localeKey.Set(s, locale)
}

// An Option configures [Middleware].
type Option func(*settings)

type settings struct {
	detect func(text string) string
	source string
	dates  bool
	money  bool
}

// WithDetector sets how the language of a turn's text is found when the
// channel gives no locale: a function returning a BCP 47 tag, or "" when
// it cannot tell (a number, an order ID, a word shared by languages).
// intent.DetectLanguage fits. Without one, only channel locales and the
// conversation's earlier locale count.
func WithDetector(f func(text string) string) Option {
	return func(s *settings) { s.detect = f }
}

// WithSource sets the language the bot's messages are written in
// (default "en"): replies to turns in that language are not translated.
func WithSource(locale string) Option { return func(s *settings) { s.source = locale } }

// Middleware returns middleware that answers each conversation in its
// customer's language. It is the one owner of the turn's locale: it sets
// Turn.Locale for the handlers it wraps (so that intent classifiers and
// sentiment read the same one) from, in order, the language detected in
// the text (three words or more, or any in the customer's first message:
// a Spanish message, even a lone "hola", from a browser set to English is
// answered in Spanish), the conversation's earlier locale,
// which it keeps in the session, and the channel's locale. Replies, quick-reply and button titles
// and card texts are translated with c; what c lacks is sent as written
// and reported as [EventMissing]. A customer who types the translated
// title of an option of the open question ("Mantenerlo") is read as
// having typed the original ("Keep it"), as a tap on it would send. Put it outside every middleware that
// replies (escalation, the router) so that their words are translated
// too. Streamed replies are not translated.
func Middleware(c *Catalog, opts ...Option) parley.Middleware {
	st := settings{source: "en"}
	for _, o := range opts {
		o(&st)
	}
	source, _ := baseOf(st.source)
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			taps := &tapped{s: t.Session()}
			if taps.s != nil {
				taps.prev, _, _ = sentKey.Get(taps.s) // unreadable state: as if none
			}
			defer taps.end()
			w = &tapRecorder{next: w, taps: taps}
			loc := st.locale(t, taps.prev)
			if loc == "" {
				if st.dates {
					w = &writer{next: w, base: source, dates: true, t: t}
				}
				return next.HandleTurn(ctx, w, t)
			}
			if t.Locale != loc {
				t2 := *t
				t2.Locale = loc
				t = &t2
			}
			base, err := baseOf(loc)
			if err != nil || base == source {
				if st.dates && err == nil {
					w = &writer{next: w, locale: loc, base: base, dates: true, t: t}
				}
				return next.HandleTurn(ctx, w, t)
			}
			src, ok := c.source(loc, t.Text())
			if !ok || !offered(t, src) {
				src, ok = titleWord(c, loc, t)
			}
			if ok {
				// Typing a translated button's title, or the one word
				// that tells it from the others ("reembolso" for
				// "Devolución o reembolso"), is tapping it.
				t2 := *t
				t2.Message.Text = src
				t = &t2
			}
			return next.HandleTurn(ctx, &writer{next: w, c: c, locale: loc, base: base, dates: st.dates, money: st.money, t: t}, t)
		})
	}
}

// locale finds the turn's locale and remembers it for the conversation.
// Detection needs words: an order number or a price says nothing, and
// leaving the conversation's language takes three words or more ("no
// idea" is English, "no" and "me" are Spanish too).
func (st *settings) locale(t *parley.Turn, taps []string) string {
	s := t.Session()
	var prev string
	if s != nil {
		prev, _, _ = localeKey.Get(s) // unreadable state: as if none
	}
	if prev != "" && (slices.Contains(taps, t.Text()) || offered(t, t.Text())) {
		// A tap on a quick reply sends the bot's words, untranslated
		// ("How much does shipping cost?" under "¿Cuánto cuesta el
		// envío?"): the conversation keeps its language.
		return prev
	}
	// The language the customer writes in wins: a channel's locale (the
	// browser's or the app's language) is a hint for messages too short
	// to tell, after the conversation's own language.
	// The customer's first words count at any length ("hola" from a
	// browser set to English is Spanish). A turn without words (a page
	// view, an order number) does not fix the conversation's language.
	var loc string
	n := words(t.Text())
	if st.detect != nil && (n >= 3 || (n >= 1 && prev == "")) {
		loc = st.detect(t.Text())
	}
	if loc == "" && prev != "" {
		return prev
	}
	if loc == "" {
		loc = t.Locale
	}
	if loc == "" {
		return prev
	}
	if _, err := baseOf(loc); err != nil {
		return prev
	}
	if s != nil && loc != prev && n >= 1 {
		_ = localeKey.Set(s, loc) // a string always encodes
	}
	return loc
}

// offered reports whether the conversation's open question offers an
// option titled title.
func offered(t *parley.Turn, title string) bool {
	q, ok := dialog.OpenQuestion(t)
	if !ok || t.Signal != nil {
		return false
	}
	for _, o := range q.Options {
		if o.Title == title {
			return true
		}
	}
	return false
}

// titleWord returns the title of the one option of the open question
// whose translation holds the turn's text, a single word of at least five
// letters, as one of its words.
func titleWord(c *Catalog, locale string, t *parley.Turn) (string, bool) {
	q, ok := dialog.OpenQuestion(t)
	w := foldTitle(t.Text())
	if !ok || t.Signal != nil || strings.ContainsFunc(w, unicode.IsSpace) || utf8.RuneCountInString(w) < 5 {
		return "", false
	}
	found := ""
	for _, o := range q.Options {
		tr, ok := c.Translate(locale, o.Title)
		if !ok || !slices.Contains(strings.FieldsFunc(foldTitle(tr), notLetter), w) {
			continue
		}
		if found != "" {
			return "", false
		}
		found = o.Title
	}
	return found, found != ""
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// words counts the words of text: runs of letters with no digits.
func words(text string) int {
	n := 0
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || (unicode.IsPunct(r) && r != '-' && r != '\'') }) {
		if strings.IndexFunc(f, unicode.IsLetter) >= 0 && strings.IndexFunc(f, unicode.IsDigit) < 0 {
			n++
		}
	}
	return n
}

// tapped collects what the quick replies of a turn's replies send, to
// keep in the session as what the next turn's taps may send.
type tapped struct {
	s     *memory.Session
	prev  []string // the previous turn's
	sends []string // this turn's latest reply with quick replies
	saw   bool
}

// end keeps this turn's taps, or forgets the previous turn's when no
// reply offered any.
func (tp *tapped) end() {
	if tp.s == nil || (!tp.saw && len(tp.prev) == 0) {
		return
	}
	_ = sentKey.Set(tp.s, tp.sends) // a []string always encodes
}

// tapRecorder records what the quick replies of the replies written
// through it send; it sits between the translating writer and the
// channel, so it sees the payloads that writer sets.
type tapRecorder struct {
	next parley.ReplyWriter
	taps *tapped
}

// Reply records m's quick replies and sends m.
func (w *tapRecorder) Reply(ctx context.Context, m parley.Message) error {
	if len(m.QuickReplies) > 0 {
		w.taps.saw = true
		w.taps.sends = w.taps.sends[:0]
		for _, q := range m.QuickReplies {
			w.taps.sends = append(w.taps.sends, q.Value())
		}
	}
	return w.next.Reply(ctx, m)
}

// Unwrap returns the writer w wraps.
func (w *tapRecorder) Unwrap() parley.ReplyWriter { return w.next }

// writer translates replies (with c, unless nil) and writes their dates
// out (with dates).
type writer struct {
	next   parley.ReplyWriter
	c      *Catalog
	locale string
	base   string
	dates  bool
	money  bool
	t      *parley.Turn
}

// Reply translates m and sends it.
func (w *writer) Reply(ctx context.Context, m parley.Message) error {
	m.Text = w.tr(ctx, m.Text)
	if len(m.QuickReplies) > 0 {
		qr := make([]parley.QuickReply, len(m.QuickReplies))
		for i, q := range m.QuickReplies {
			if q.Payload == "" {
				q.Payload = q.Title // tapping still sends what the bot understands
			}
			q.Title = w.trShort(ctx, q.Title, true)
			qr[i] = q
		}
		m.QuickReplies = qr
	}
	if len(m.Cards) > 0 {
		cards := make([]parley.Card, len(m.Cards))
		for i, cd := range m.Cards {
			cd.Title, cd.Subtitle = w.tr(ctx, cd.Title), w.tr(ctx, cd.Subtitle)
			if len(cd.Buttons) > 0 {
				bs := make([]parley.Button, len(cd.Buttons))
				for j, b := range cd.Buttons {
					b.Title = w.tr(ctx, b.Title)
					bs[j] = b
				}
				cd.Buttons = bs
			}
			cards[i] = cd
		}
		m.Cards = cards
	}
	if m.Locale == "" {
		m.Locale = w.locale
	}
	return w.next.Reply(ctx, m)
}

// Unwrap returns the writer w wraps, for typing indicators and read
// receipts.
func (w *writer) Unwrap() parley.ReplyWriter { return w.next }

func (w *writer) tr(ctx context.Context, s string) string { return w.trShort(ctx, s, false) }

// trShort translates s and writes its dates out, short in a button's
// title.
func (w *writer) trShort(ctx context.Context, s string, short bool) string {
	if strings.TrimSpace(s) == "" {
		return s
	}
	out := s
	if w.c != nil && !(w.dates && onlyDates(s)) {
		var ok bool
		if out, ok = w.c.Translate(w.locale, s); !ok {
			w.t.Emit(ctx, parley.Event{Kind: EventMissing, Attrs: map[string]string{"locale": w.locale, "text": s}})
		}
	}
	if w.dates {
		out = writeDates(w.base, writeTimes(w.base, out, short), time.Now())
	}
	if w.money {
		out = writeMoney(w.locale, w.base, out)
	}
	return out
}
