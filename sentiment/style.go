package sentiment

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// Brief reports whether replies to t should be short: the customer is
// frustrated or angry (a strength of 0.5 or more in the turn's
// [nlu.Mood]). People who are upset read less; see [Style]. A calm
// complaint ("how long does a refund take?") does not make replies
// brief.
func Brief(t *parley.Turn) bool {
	m, ok := parley.Value(t, nlu.MoodKey)
	return ok && (m.Frustration >= 0.5 || m.Anger >= 0.5)
}

// A StyleOption configures [Style].
type StyleOption func(*styleConfig)

type styleConfig struct{ sentences int }

// WithBrief caps how many sentences a reply to a frustrated customer
// keeps, besides its closing question and sentences with a link. The
// default is no cap: only pleasantries go. Set it only when replies put
// what matters first.
func WithBrief(n int) StyleOption {
	return func(c *styleConfig) {
		if n > 0 {
			c.sentences = n
		}
	}
}

// styleKey keeps the sentences of the bot's last reply in the session.
var styleKey = memory.NewStateKey[[]string]("sentiment.style")

// Style is middleware that adapts the text of every reply written during
// the turn to the conversation:
//
//   - when [Brief] holds, pleasantries and closers ("Thanks for reaching
//     out!", "Great question.", "Let me know if there's anything
//     else.") are dropped, and with [WithBrief] the reply keeps only its
//     first sentences, its closing question and sentences with a link;
//   - a sentence the bot said in its previous reply is not said again,
//     unless it is all the reply has, a question, a link or the lead-in
//     to a list ("I can help with:") (response
//     variation: give a flow's Say node several phrasings, or tone
//     variants, to vary those).
//
// Messages without text pass unchanged. Place it after [Middleware] so
// that the turn carries its mood. The wrapper implements Unwrap, so
// optional capabilities of the channel's writer stay reachable.
func Style(opts ...StyleOption) parley.Middleware {
	c := styleConfig{}
	for _, o := range opts {
		o(&c)
	}
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			return next.HandleTurn(ctx, &styleWriter{w: w, t: t, c: &c, brief: Brief(t)}, t)
		})
	}
}

type styleWriter struct {
	w     parley.ReplyWriter
	t     *parley.Turn
	c     *styleConfig
	brief bool
}

// Reply adapts m's text and writes it.
func (s *styleWriter) Reply(ctx context.Context, m parley.Message) error {
	if strings.TrimSpace(m.Text) == "" {
		return s.w.Reply(ctx, m)
	}
	var last []string
	sess := s.t.Session()
	if sess != nil {
		// A damaged record only costs the repeat check.
		last, _, _ = styleKey.Get(sess)
	}
	text, said := adapt(m.Text, last, s.brief, s.c.sentences)
	if sess != nil {
		if err := styleKey.Set(sess, said); err != nil {
			return err
		}
	}
	m.Text = text
	return s.w.Reply(ctx, m)
}

// Unwrap returns the underlying writer.
func (s *styleWriter) Unwrap() parley.ReplyWriter { return s.w }

// fillers are pleasantries a frustrated customer does not want to read,
// as normalised sentence openings.
var fillers = []string{"thanks for reaching out", "thank you for reaching out", "thanks for contacting",
	"thank you for contacting", "great question", "good question", "i'd be happy to help", "i would be happy to help",
	"i'd be glad to help", "happy to help", "glad to help", "i hope you're having", "i hope you are having",
	"i hope this helps", "hope this helps", "no worries", "sure thing", "great", "awesome", "perfect", "wonderful",
	"let me know if", "feel free to", "don't hesitate to", "is there anything else", "anything else i can help"}

// adapt applies the style rules to text; said are the normalised
// sentences of the result.
func adapt(text string, last []string, brief bool, keep int) (string, []string) {
	sents := splitSentences(text)
	norms := make([]string, len(sents))
	for i, s := range sents {
		norms[i] = normSentence(s)
	}
	drop := make([]bool, len(sents))
	// No sentence twice in a row, unless it is all there is besides
	// links: the same answer to a second question ("es muy caro?" after
	// "cuánto cuesta el anual") was cut down to its "Source:" line.
	repeated, links, leads, asked := 0, 0, 0, 0
	list := false // in the lines after a lead-in, up to a blank line
	for i, n := range norms {
		inList := list
		end := strings.TrimSpace(sents[i])
		list = (list || strings.HasSuffix(end, ":")) && !strings.Contains(sents[i][len(strings.TrimRightFunc(sents[i], unicode.IsSpace)):], "\n\n")
		if inList {
			continue // an item of the list: the list stays whole
		}
		// Links and questions stay: a question asked again is the
		// point of asking again. So does a lead-in to a list ("I can
		// help with:") and the list's lines: without the lead-in the
		// list (or the options that follow as buttons) comes
		// unannounced.
		if strings.Contains(sents[i], "://") {
			links++
			continue
		}
		if strings.HasSuffix(end, "?") {
			if slices.Contains(last, n) {
				asked++ // asked again: it stays, and counts as said again
			}
			continue
		}
		if strings.HasSuffix(end, ":") {
			if slices.Contains(last, n) {
				leads++ // said again, but it stays
			}
			continue
		}
		for _, l := range last {
			if n != "" && n == l {
				drop[i] = true
				repeated++
				break
			}
		}
	}
	// A reply said again whole stays whole when cutting it would leave
	// less than half of it: "Your plan is already cancelled ... Changed
	// your mind? Type human ..." said twice came as a bare "Changed your
	// mind?", which makes no sense alone. "Glad that helped! Anything
	// else?" said again still comes as "Anything else?".
	// Pleasantries count for nothing either way.
	fill := 0
	for i, n := range norms {
		if drop[i] && isFiller(n) {
			fill++
		}
	}
	whole := repeated+links+leads == len(sents) ||
		repeated+links+leads+asked == len(sents) && 2*(repeated-fill) > len(sents)-fill
	if repeated > 0 && whole {
		clear(drop)
	}
	if brief {
		kept := 0
		for i, n := range norms {
			if drop[i] {
				continue
			}
			if isFiller(n) && kept+countLeft(drop[i+1:]) > 0 {
				drop[i] = true
				continue
			}
			question := strings.HasSuffix(strings.TrimSpace(sents[i]), "?")
			link := strings.Contains(sents[i], "://")
			if keep > 0 && kept >= keep && !(question && i == len(sents)-1) && !link {
				drop[i] = true
				continue
			}
			kept++
		}
	}
	if !slices.Contains(drop, true) {
		return text, norms
	}
	var b strings.Builder
	var said []string
	for i, s := range sents {
		if !drop[i] {
			b.WriteString(s)
			said = append(said, norms[i])
			continue
		}
		// Keep a dropped sentence's line breaks: the paragraphs stay.
		if ws := s[len(strings.TrimRightFunc(s, unicode.IsSpace)):]; strings.Contains(ws, "\n") && b.Len() > 0 {
			kept := strings.TrimRightFunc(b.String(), unicode.IsSpace)
			b.Reset()
			b.WriteString(kept)
			b.WriteString(ws)
		}
	}
	return strings.TrimRightFunc(b.String(), unicode.IsSpace), said
}

func countLeft(drop []bool) int {
	n := 0
	for _, d := range drop {
		if !d {
			n++
		}
	}
	return n
}

func isFiller(n string) bool {
	for _, f := range fillers {
		if n == f || strings.HasPrefix(n, f+" ") && len(strings.Fields(n)) <= 8 {
			return true
		}
	}
	return false
}

// splitSentences splits text after ".", "!", "?" or "…" runs followed by
// white space, and after line breaks. Each part keeps the white space
// that follows it, so that the parts put together give text back.
func splitSentences(text string) []string {
	var out []string
	rs := []rune(text)
	start := 0
	for i := 0; i < len(rs); i++ {
		end := -1
		switch r := rs[i]; {
		case r == '\n':
			end = i
		case r == '.' || r == '!' || r == '?' || r == '…':
			j := i
			for j+1 < len(rs) && strings.ContainsRune(".!?…\"')", rs[j+1]) {
				j++
			}
			if j+1 == len(rs) || unicode.IsSpace(rs[j+1]) && !nextIs(rs[j+1:], '(') {
				end, i = j, j
			}
		}
		if end < 0 {
			continue
		}
		for end+1 < len(rs) && unicode.IsSpace(rs[end+1]) {
			end++
		}
		out = append(out, string(rs[start:end+1]))
		start, i = end+1, end
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

// nextIs reports whether the first rune of rs that is not white space
// is r: a parenthesis after a full stop belongs to its sentence.
func nextIs(rs []rune, r rune) bool {
	for _, x := range rs {
		if !unicode.IsSpace(x) {
			return x == r
		}
	}
	return false
}

// normSentence lower-cases s and keeps letters, digits and apostrophes,
// single-spaced.
func normSentence(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’':
			if r == '’' {
				r = '\''
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}
