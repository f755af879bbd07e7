package extract

import (
	"html"
	"strings"
)

// skipElements are elements whose content is never text for readers.
var skipElements = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "svg": true,
	"iframe": true, "object": true, "head": true, "nav": true, "canvas": true, "math": true,
}

// blockElements end a paragraph.
var blockElements = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "tr": true, "section": true, "article": true,
	"header": true, "footer": true, "ul": true, "ol": true, "table": true, "blockquote": true,
	"pre": true, "hr": true, "dd": true, "dt": true, "main": true, "aside": true, "td": true, "th": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "form": true, "figure": true,
}

// htmlText extracts readable text and the title from an HTML page with a
// small tolerant scanner: scripts, styles and other non-text elements are
// dropped, block elements become paragraph breaks, headings become
// "# " lines, and character references are decoded. Malformed markup is
// read as well as it can be, never rejected.
func htmlText(b []byte) (text, title string) {
	s := string(b)
	var out strings.Builder
	var titleB strings.Builder
	inTitle := false
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			lt = len(s)
		}
		if lt > 0 {
			t := html.UnescapeString(s[:lt])
			if inTitle {
				titleB.WriteString(t)
			} else {
				out.WriteString(t)
			}
			s = s[lt:]
			continue
		}
		// s starts with '<'.
		if strings.HasPrefix(s, "<!--") {
			end := strings.Index(s[4:], "-->")
			if end < 0 {
				break
			}
			s = s[4+end+3:]
			continue
		}
		gt := tagEnd(s)
		if gt < 0 {
			// A stray '<' with no closing '>': keep it as text.
			out.WriteString(html.UnescapeString(s))
			break
		}
		tag := s[1:gt]
		s = s[gt+1:]
		closing := strings.HasPrefix(tag, "/")
		name := strings.ToLower(tagName(strings.TrimPrefix(tag, "/")))
		if name == "" {
			if !closing && !strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "?") {
				out.WriteString("<" + html.UnescapeString(tag) + ">")
			}
			continue
		}
		switch {
		case name == "title" && !closing:
			inTitle = true
		case name == "title":
			inTitle = false
		case skipElements[name] && !closing && !strings.HasSuffix(tag, "/"):
			if name == "head" {
				// Keep scanning the head for its title only.
				end := indexFold(s, "</head")
				head := s
				if end >= 0 {
					head = s[:end]
					s = s[end:]
				} else {
					s = ""
				}
				if i := indexFold(head, "<title"); i >= 0 {
					if j := strings.IndexByte(head[i:], '>'); j >= 0 {
						rest := head[i+j+1:]
						if k := indexFold(rest, "</title"); k >= 0 {
							rest = rest[:k]
						}
						titleB.WriteString(html.UnescapeString(rest))
					}
				}
				continue
			}
			end := indexFold(s, "</"+name)
			if end < 0 {
				s = ""
				continue
			}
			s = s[end:]
		case len(name) == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6':
			if closing {
				out.WriteString("\n\n")
			} else {
				out.WriteString("\n\n" + strings.Repeat("#", int(name[1]-'0')) + " ")
			}
		case blockElements[name]:
			out.WriteString("\n\n")
		}
	}
	// Collapse spaces within lines; keep paragraph breaks.
	var res strings.Builder
	for _, para := range strings.Split(out.String(), "\n\n") {
		p := strings.Join(strings.Fields(para), " ")
		if p == "" || p == "#" {
			continue
		}
		if res.Len() > 0 {
			res.WriteString("\n\n")
		}
		res.WriteString(p)
	}
	return res.String(), strings.Join(strings.Fields(titleB.String()), " ")
}

// tagEnd returns the index of the '>' that ends the tag at the start of
// s, skipping quoted attribute values, or -1.
func tagEnd(s string) int {
	var quote byte
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
	return -1
}

func tagName(t string) string {
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == ':') {
			return t[:i]
		}
	}
	return t
}

// indexFold is strings.Index ignoring ASCII case in s; sub is lower case.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
