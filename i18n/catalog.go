package i18n

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// A Catalog holds the translations of a bot's messages, by locale. A
// message is written in the bot's own language, as its flows, router and
// escalation policy send it; a translation may use the placeholders of
// its source ({order}, {item}) to carry over what differs from one
// message to the next:
//
//	"I couldn't find order {order} on your account.": "No encuentro el pedido {order} en tu cuenta."
//
// A Catalog is safe for concurrent use once built; Add must not run
// concurrently with Translate.
type Catalog struct {
	locales map[string]*table // by base language ("es")
}

// table is one locale's translations.
type table struct {
	exact    map[string]string
	patterns []*pattern // longest literal text first
	// titles maps the folded translation of a short message (a button
	// title: "Mantenerlo") back to its source ("Keep it"); "" marks a
	// translation shared by two sources.
	titles map[string]string
}

// maxTitleWords is the longest translation read back as its source.
const maxTitleWords = 5

// pattern is a source with placeholders, compiled.
type pattern struct {
	re      *regexp.Regexp
	names   []string
	to      string
	literal int
}

var placeholder = regexp.MustCompile(`\{([A-Za-z0-9_.]+)\}`)

// NewCatalog returns an empty Catalog.
func NewCatalog() *Catalog { return &Catalog{locales: map[string]*table{}} }

// ReadCatalog reads a Catalog from YAML: a map from locale to a map from
// source message to translation.
//
//	es:
//	  "Was this helpful?": "¿Te ha servido?"
//	  "Your {item} has shipped.": "Tu {item} ya ha salido."
//
// It reports every problem at once.
func ReadCatalog(r io.Reader) (*Catalog, error) {
	var raw map[string]map[string]string
	if err := yaml.NewDecoder(r).Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("i18n: catalog: %w", err)
	}
	c := NewCatalog()
	var errs []error
	for _, loc := range slices.Sorted(maps.Keys(raw)) {
		errs = append(errs, c.Add(loc, raw[loc]))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// Add adds translations for locale, a BCP 47 tag ("es", "es-MX": regional
// tags share their language's table). A source may hold placeholders
// such as {order}; its translation must use the same ones. Add reports
// every problem at once and adds nothing if there is one.
func (c *Catalog) Add(locale string, messages map[string]string) error {
	base, err := baseOf(locale)
	if err != nil {
		return err
	}
	tb := c.locales[base]
	if tb == nil {
		tb = &table{exact: map[string]string{}, titles: map[string]string{}}
	}
	var errs []error
	var pats []*pattern
	exact := map[string]string{}
	for _, src := range slices.Sorted(maps.Keys(messages)) {
		to := messages[src]
		switch {
		case strings.TrimSpace(src) == "":
			errs = append(errs, fmt.Errorf("i18n: %s: empty source message", locale))
			continue
		case strings.TrimSpace(to) == "":
			errs = append(errs, fmt.Errorf("i18n: %s: %q: empty translation", locale, src))
			continue
		}
		names := placeholderNames(src)
		if !slices.Equal(slices.Sorted(slices.Values(names)), slices.Sorted(slices.Values(placeholderNames(to)))) {
			errs = append(errs, fmt.Errorf("i18n: %s: %q: the translation must use the placeholders %v", locale, src, names))
			continue
		}
		if len(names) == 0 {
			exact[src] = to
			continue
		}
		p, err := compile(src, to)
		if err != nil {
			errs = append(errs, fmt.Errorf("i18n: %s: %q: %w", locale, src, err))
			continue
		}
		pats = append(pats, p)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	derived := alignSentences(exact)
	maps.Copy(tb.exact, exact)
	for src, to := range derived {
		if _, ok := tb.exact[src]; !ok {
			tb.exact[src] = to
		}
	}
	for src, to := range exact {
		if len(strings.Fields(to)) > maxTitleWords {
			continue
		}
		k := foldTitle(to)
		if prev, ok := tb.titles[k]; ok && prev != src {
			tb.titles[k] = "" // two sources: cannot tell which
			continue
		}
		tb.titles[k] = src
	}
	tb.patterns = append(tb.patterns, pats...)
	slices.SortStableFunc(tb.patterns, func(a, b *pattern) int { return b.literal - a.literal })
	c.locales[base] = tb
	return nil
}

// alignSentences derives sentence translations from messages of several
// sentences whose translation has as many ("What's your order number?
// It starts with A-." / "¿Cuál es tu número de pedido? Empieza por
// A-."), so that a flow's re-prompt, which repeats only the prompt's
// first sentence, is translated whole. A sentence the messages hold
// themselves, or that two messages translate differently, is left out.
func alignSentences(exact map[string]string) map[string]string {
	out := map[string]string{}
	clash := map[string]bool{}
	for src, to := range exact {
		ss, ts := sentences(src), sentences(to)
		if len(ss) < 2 || len(ss) != len(ts) {
			continue
		}
		for i, s := range ss {
			if _, ok := exact[s]; ok || clash[s] {
				continue
			}
			if prev, ok := out[s]; ok && prev != ts[i] {
				delete(out, s)
				clash[s] = true
				continue
			}
			out[s] = ts[i]
		}
	}
	return out
}

// Locales returns the base languages the catalog translates to, sorted.
func (c *Catalog) Locales() []string { return slices.Sorted(maps.Keys(c.locales)) }

// Translate returns text in locale and whether every line of it was
// translated. Lines without a translation are kept as they are; a
// placeholder's value is itself translated when the catalog has it
// word for word ("shipped" in "Your order has {status}.").
func (c *Catalog) Translate(locale, text string) (string, bool) {
	base, err := baseOf(locale)
	if err != nil || text == "" {
		return text, text == ""
	}
	tb := c.locales[base]
	if tb == nil {
		return text, false
	}
	lines := strings.Split(text, "\n")
	all := true
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		s, ok := tb.line(l)
		lines[i] = s
		all = all && ok
	}
	return strings.Join(lines, "\n"), all
}

// line translates one line: as a whole, or else sentence by sentence,
// taking the longest run of sentences the catalog knows each time (a
// re-prompt joins an error and a question: "Order numbers look like
// A-1234. Which order is it?").
func (tb *table) line(text string) (string, bool) {
	if s, ok := tb.translate(text); ok {
		return s, true
	}
	sents := sentences(text)
	if len(sents) < 2 {
		return text, false
	}
	var out []string
	all := true
	for i := 0; i < len(sents); {
		j := len(sents)
		for ; j > i; j-- {
			if s, ok := tb.translate(strings.Join(sents[i:j], " ")); ok {
				out = append(out, s)
				break
			}
		}
		if j == i {
			out = append(out, sents[i])
			all = false
			j = i + 1
		}
		i = j
	}
	return strings.Join(out, " "), all
}

// sentences splits text after ".", "?", "!" or ":" followed by a space.
func sentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i+1 < len(text); i++ {
		switch text[i] {
		case '.', '?', '!', ':':
			if text[i+1] == ' ' {
				out = append(out, text[start:i+1])
				start = i + 2
			}
		}
	}
	return append(out, text[start:])
}

// source returns the message whose short translation text is (what a
// customer types when they type a translated button's title), if exactly
// one message has it.
func (c *Catalog) source(locale, text string) (string, bool) {
	base, err := baseOf(locale)
	if err != nil || len(strings.Fields(text)) > maxTitleWords {
		return "", false
	}
	tb := c.locales[base]
	if tb == nil {
		return "", false
	}
	src := tb.titles[foldTitle(text)]
	return src, src != ""
}

// foldTitle lower-cases s and trims spaces and punctuation around it.
func foldTitle(s string) string {
	return strings.TrimFunc(strings.ToLower(s), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
}

func (tb *table) translate(text string) (string, bool) {
	if s, ok := tb.exact[text]; ok {
		return s, true
	}
	for _, p := range tb.patterns {
		m := p.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		vals := map[string]string{}
		for i, name := range p.names {
			v := m[i+1]
			if s, ok := tb.exact[v]; ok {
				v = s
			}
			vals[name] = v
		}
		return placeholder.ReplaceAllStringFunc(p.to, func(ph string) string {
			return vals[ph[1:len(ph)-1]]
		}), true
	}
	return text, false
}

// compile turns a source with placeholders into an anchored expression.
func compile(src, to string) (*pattern, error) {
	var b strings.Builder
	b.WriteString(`^`)
	p := &pattern{to: to}
	last := 0
	for _, loc := range placeholder.FindAllStringSubmatchIndex(src, -1) {
		lit := src[last:loc[0]]
		p.literal += len(lit)
		b.WriteString(regexp.QuoteMeta(lit))
		b.WriteString(`(.+?)`)
		p.names = append(p.names, src[loc[2]:loc[3]])
		last = loc[1]
	}
	p.literal += len(src) - last
	b.WriteString(regexp.QuoteMeta(src[last:]))
	b.WriteString(`$`)
	if p.literal == 0 {
		return nil, errors.New("a message must have text besides its placeholders")
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, err
	}
	p.re = re
	return p, nil
}

func placeholderNames(s string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	return names
}

// baseOf returns the base language of a BCP 47 tag ("es" for "es-MX").
func baseOf(locale string) (string, error) {
	tag, err := language.Parse(locale)
	if err != nil {
		return "", fmt.Errorf("i18n: locale %q: %w", locale, err)
	}
	b, _ := tag.Base()
	return b.String(), nil
}
