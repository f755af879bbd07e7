package email

import (
	"html"
	"regexp"
	"strings"
)

// htmlText converts an HTML body to plain text for the bot: scripts,
// styles and the head are dropped, block elements break lines, links keep
// their address ("text (url)"), entities are decoded, and the content of a
// <blockquote> (the quoted earlier message of a reply) is marked with "> "
// like quoted plain text, so that [stripQuoted] treats both alike.
func htmlText(s string) string {
	var b strings.Builder
	skip := "" // the element whose content is dropped (script, style, head)
	pre := 0
	var href []string
	i := 0
	for i < len(s) {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			lt = len(s) - i
		}
		if skip == "" {
			writeText(&b, s[i:i+lt], pre > 0)
		}
		i += lt
		if i >= len(s) {
			break
		}
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		gt := strings.IndexByte(s[i:], '>')
		if gt < 0 {
			break
		}
		tag := s[i+1 : i+gt]
		i += gt + 1
		name, closing := tagName(tag)
		if skip != "" {
			if closing && name == skip {
				skip = ""
			}
			continue
		}
		switch name {
		case "script", "style", "head", "title":
			if !closing && !strings.HasSuffix(tag, "/") {
				skip = name
			}
		case "br":
			b.WriteString("\n")
		case "p", "div", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "section", "article", "header", "footer":
			b.WriteString("\n")
		case "li":
			if !closing {
				b.WriteString("\n- ")
			}
		case "td", "th":
			if closing {
				b.WriteString(" ")
			}
		case "pre":
			b.WriteString("\n")
			if closing {
				pre = max(pre-1, 0)
			} else {
				pre++
			}
		case "blockquote":
			if closing {
				b.WriteString("\n\x02\n")
			} else {
				b.WriteString("\n\x01\n")
			}
		case "a":
			if closing {
				if n := len(href); n > 0 {
					if u := href[n-1]; u != "" {
						b.WriteString(" (" + u + ")")
					}
					href = href[:n-1]
				}
			} else {
				href = append(href, linkTarget(tag))
			}
		}
	}
	return tidy(quoteMarks(b.String()))
}

var hrefRE = regexp.MustCompile(`(?i)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))`)

// linkTarget returns a link's http(s) or mailto address, or "".
func linkTarget(tag string) string {
	m := hrefRE.FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	u := strings.TrimSpace(html.UnescapeString(m[1] + m[2] + m[3]))
	l := strings.ToLower(u)
	if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
		return u
	}
	return ""
}

// tagName returns the lower-case name of the tag whose text (between < and
// >) is tag, and whether it closes an element.
func tagName(tag string) (string, bool) {
	closing := strings.HasPrefix(tag, "/")
	tag = strings.TrimPrefix(tag, "/")
	end := strings.IndexAny(tag, " \t\r\n/>")
	if end < 0 {
		end = len(tag)
	}
	return strings.ToLower(tag[:end]), closing
}

// writeText writes HTML text, entities decoded and white space collapsed
// (kept inside <pre>).
func writeText(b *strings.Builder, s string, pre bool) {
	s = html.UnescapeString(s)
	if pre {
		b.WriteString(s)
		return
	}
	f := strings.Fields(s)
	if len(f) == 0 {
		if s != "" {
			b.WriteString(" ")
		}
		return
	}
	if s[0] == ' ' || s[0] == '\n' || s[0] == '\t' || s[0] == '\r' {
		b.WriteString(" ")
	}
	b.WriteString(strings.Join(f, " "))
	if last := s[len(s)-1]; last == ' ' || last == '\n' || last == '\t' || last == '\r' {
		b.WriteString(" ")
	}
}

// quoteMarks turns the \x01 and \x02 lines htmlText writes around
// blockquotes into "> " prefixes.
func quoteMarks(s string) string {
	depth := 0
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		switch l {
		case "\x01":
			depth++
			continue
		case "\x02":
			depth = max(depth-1, 0)
			continue
		}
		if depth > 0 && strings.TrimSpace(l) != "" {
			l = strings.Repeat("> ", depth) + strings.TrimSpace(l)
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// tidy trims every line and keeps at most one blank line in a row.
func tidy(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\u00a0", " "), "\n")
	out := make([]string, 0, len(lines))
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(strings.TrimLeft(l, " \t"), " \t\r")
		if l == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// Reply headers of the clients that do not quote with ">" but put the
// earlier message, unquoted, below a header block (Outlook: "From: ...",
// "Sent: ...") or a separator line.
var (
	headerFrom = []string{"from:", "de:", "von:", "van:", "da:", "från:", "fra:", "od:", "от:", "差出人:", "发件人:"}
	headerSent = []string{"sent:", "date:", "envoyé :", "envoyé:", "gesendet:", "enviado:", "verzonden:", "inviato:", "skickat:",
		"sendt:", "datum:", "отправлено:", "送信日時:", "发送时间:", "data:", "fecha:"}
	separators = []string{"-----original message-----", "----- original message -----", "-----ursprüngliche nachricht-----",
		"-----message d'origine-----", "-----mensaje original-----", "-----messaggio originale-----", "-----oorspronkelijk bericht-----"}
	// attribution matches the line (or two) a client writes above a
	// quoted message: "On Mon, 2 Jan 2006 at 15:04, Ann <a@b.c> wrote:",
	// "Le lun. 2 janv. 2006, Ann a écrit :", "Am 02.01.2006 schrieb Ann:".
	attribution = regexp.MustCompile(`(?is)^(on|le|am|el|em|il|op|den|på|w dniu)\b.{0,300}\b(wrote|a écrit|schrieb|escribió|escreveu|ha scritto|schreef|skrev|napisał)\s*:$`)
)

func hasAnyPrefix(s string, prefixes []string) bool {
	l := strings.ToLower(s)
	for _, p := range prefixes {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// stripQuoted removes the earlier messages a reply carries, keeping what
// the user wrote, including answers written between quoted lines:
//   - lines quoted with ">" are dropped, and the attribution above them
//     ("On ... wrote:", also wrapped over two lines and in other languages);
//   - an Outlook-style header block ("From:" followed within a few lines
//     by "Sent:" or "Date:"), an "-----Original Message-----" line or a
//     line of underscores before such a block ends the text, as the earlier
//     message follows it unquoted;
//   - the signature after "-- " ends it too.
func stripQuoted(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		switch {
		case l == "-- " || t == "--" && i > 0:
			return tidy(strings.Join(out, "\n"))
		case isForward(t):
			// A forwarded message is what the user sends us: kept whole.
			out = append(out, lines[i:]...)
			return tidy(strings.Join(out, "\n"))
		case hasAnyPrefix(t, separators):
			return tidy(strings.Join(out, "\n"))
		case len(t) >= 20 && strings.Trim(t, "_") == "" && outlookHeader(lines, i+1):
			return tidy(strings.Join(out, "\n"))
		case outlookHeader(lines, i):
			return tidy(strings.Join(out, "\n"))
		case strings.HasPrefix(t, ">"):
			continue
		case attribution.MatchString(t):
			continue
		case i+1 < len(lines) && attribution.MatchString(t+" "+strings.TrimSpace(lines[i+1])) && quotedFollows(lines, i+2):
			i++ // an attribution wrapped over two lines
			continue
		}
		out = append(out, l)
	}
	return tidy(strings.Join(out, "\n"))
}

// isForward reports whether t introduces a forwarded message
// ("---------- Forwarded message ---------", "Begin forwarded message:").
func isForward(t string) bool {
	l := strings.ToLower(t)
	for _, f := range []string{"forwarded message", "begin forwarded message", "message transféré", "weitergeleitete nachricht",
		"mensaje reenviado", "messaggio inoltrato", "doorgestuurd bericht"} {
		if strings.Contains(l, f) && len(l) < 80 {
			return true
		}
	}
	return false
}

// outlookHeader reports whether lines[i] starts a reply header block: a
// "From:" line followed within four lines by a "Sent:" or "Date:" line.
func outlookHeader(lines []string, i int) bool {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i >= len(lines) || !hasAnyPrefix(strings.TrimSpace(strings.Trim(lines[i], "*")), headerFrom) {
		return false
	}
	for j := i + 1; j < len(lines) && j <= i+4; j++ {
		if hasAnyPrefix(strings.TrimSpace(strings.Trim(lines[j], "*")), headerSent) {
			return true
		}
	}
	return false
}

// quotedFollows reports whether the next non-blank line from i is quoted.
func quotedFollows(lines []string, i int) bool {
	for ; i < len(lines); i++ {
		if t := strings.TrimSpace(lines[i]); t != "" {
			return strings.HasPrefix(t, ">")
		}
	}
	return true
}
