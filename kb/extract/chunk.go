package extract

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley/kb"
)

// chunk splits text into passages of about size words along headings
// (lines starting with "#") and paragraphs (blank lines), carrying the
// last overlap words of a chunk into the next one within a section.
// Each passage copies base's Source, URL and Title, with the heading path
// appended to the title.
func chunk(text string, base kb.Doc, size, overlap int) []kb.Doc {
	var docs []kb.Doc
	var headings []string
	var cur []string // words of the chunk being built
	fresh := 0       // words in cur that are not overlap
	emit := func() {
		if fresh == 0 {
			return
		}
		d := base
		d.Position = len(docs)
		d.ID = fmt.Sprintf("%s#%d", base.Source, d.Position)
		if len(headings) > 0 {
			d.Title = strings.Join(append([]string{base.Title}, headings...), " > ")
		}
		d.Text = strings.Join(cur, " ")
		docs = append(docs, d)
		if overlap > 0 && len(cur) > overlap {
			cur = append(cur[:0:0], cur[len(cur)-overlap:]...)
		} else {
			cur = nil
		}
		fresh = 0
	}
	for _, para := range strings.Split(text, "\n\n") {
		lines := strings.Split(strings.TrimSpace(para), "\n")
		var body []string
		for _, l := range lines {
			t := strings.TrimSpace(l)
			if lvl := headingLevel(t); lvl > 0 {
				emit()
				cur = nil
				if lvl <= len(headings) {
					headings = headings[:lvl-1]
				}
				for len(headings) < lvl-1 {
					headings = append(headings, "")
				}
				headings = append(headings, strings.TrimSpace(strings.TrimLeft(t, "#")))
				headings = compact(headings)
				continue
			}
			body = append(body, t)
		}
		ws := strings.Fields(strings.Join(body, " "))
		if len(ws) == 0 {
			continue
		}
		if fresh > 0 && fresh+len(ws) > size {
			emit()
		}
		for len(ws) > 0 {
			n := min(len(ws), size-fresh)
			if n <= 0 {
				emit()
				continue
			}
			cur = append(cur, ws[:n]...)
			fresh += n
			ws = ws[n:]
			if len(ws) > 0 {
				emit()
			}
		}
	}
	emit()
	return docs
}

func compact(h []string) []string {
	out := h[:0]
	for _, s := range h {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// headingLevel returns n for a line of the form "#{n} text" with n in
// 1..6, and 0 otherwise.
func headingLevel(l string) int {
	n := 0
	for n < len(l) && l[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || n == len(l) || l[n] != ' ' {
		return 0
	}
	return n
}

// markdownText removes the commonest inline Markdown: emphasis markers,
// code fences and backticks, images, and link targets; headings stay.
func markdownText(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			continue
		}
		if headingLevel(t) == 0 {
			t = strings.TrimLeft(t, ">*-+ ")
		}
		b.WriteString(stripLinks(t))
		b.WriteByte('\n')
	}
	r := strings.NewReplacer("**", "", "__", "", "`", "")
	return r.Replace(b.String())
}

// stripLinks turns [text](url) into text and ![alt](url) into alt.
func stripLinks(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "](")
		if i < 0 {
			break
		}
		open := strings.LastIndex(s[:i], "[")
		end := strings.IndexByte(s[i:], ')')
		if open < 0 || end < 0 {
			break
		}
		pre := s[:open]
		pre = strings.TrimSuffix(pre, "!")
		b.WriteString(pre)
		b.WriteString(s[open+1 : i])
		s = s[i+end+1:]
	}
	b.WriteString(s)
	return b.String()
}
