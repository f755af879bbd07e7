package flow

import (
	"fmt"
	"strconv"
	"strings"
)

// A template is parsed text with {{namespace.name}} and
// {{namespace.name | "default"}} placeholders.
type template struct {
	src   string
	parts []tpart
}

type tpart struct {
	lit  string
	ref  *varRef
	dflt string
}

type varRef struct {
	ns   string // "slots" or "customer"
	name string
}

// String implements fmt.Stringer.
func (v varRef) String() string { return v.ns + "." + v.name }

// A templateError reports a malformed template.
type templateError struct {
	Template string
	Offset   int
	Reason   string
}

// Error implements the error interface.
func (e *templateError) Error() string {
	return fmt.Sprintf("template %q at byte %d: %s", e.Template, e.Offset, e.Reason)
}

func parseTemplate(src string) (*template, error) {
	t := &template{src: src}
	rest, off := src, 0
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			if strings.Contains(rest, "}}") {
				return nil, &templateError{src, off + strings.Index(rest, "}}"), `"}}" without "{{"`}
			}
			if rest != "" {
				t.parts = append(t.parts, tpart{lit: rest})
			}
			return t, nil
		}
		if i > 0 {
			if j := strings.Index(rest[:i], "}}"); j >= 0 {
				return nil, &templateError{src, off + j, `"}}" without "{{"`}
			}
			t.parts = append(t.parts, tpart{lit: rest[:i]})
		}
		j := strings.Index(rest[i+2:], "}}")
		if j < 0 {
			return nil, &templateError{src, off + i, `"{{" is not closed`}
		}
		inner := strings.TrimSpace(rest[i+2 : i+2+j])
		p, err := parsePlaceholder(inner)
		if err != nil {
			return nil, &templateError{src, off + i, err.Error()}
		}
		t.parts = append(t.parts, p)
		off += i + 2 + j + 2
		rest = rest[i+2+j+2:]
	}
}

func parsePlaceholder(s string) (tpart, error) {
	var p tpart
	name, dflt, hasDefault := strings.Cut(s, "|")
	name = strings.TrimSpace(name)
	if hasDefault {
		d, err := strconv.Unquote(strings.TrimSpace(dflt))
		if err != nil {
			return p, fmt.Errorf("default of %q must be a quoted string", name)
		}
		p.dflt = d
	}
	ns, field, ok := strings.Cut(name, ".")
	if !ok || field == "" || ns == "" {
		return p, fmt.Errorf("%q is not of the form namespace.name (slots.X or customer.X)", name)
	}
	if ns != "slots" && ns != "customer" {
		return p, fmt.Errorf("unknown namespace %q in %q (want slots or customer)", ns, name)
	}
	for _, r := range field {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return p, fmt.Errorf("bad character %q in %q", r, name)
		}
	}
	p.ref = &varRef{ns: ns, name: field}
	return p, nil
}

func (t *template) refs() []varRef {
	var out []varRef
	for _, p := range t.parts {
		if p.ref != nil {
			out = append(out, *p.ref)
		}
	}
	return out
}

func (t *template) render(slots, customer map[string]string) string {
	if len(t.parts) == 1 && t.parts[0].ref == nil {
		return t.parts[0].lit
	}
	// The length first, so that the text is allocated once, at its size.
	n := 0
	for i := range t.parts {
		n += len(t.parts[i].value(slots, customer))
	}
	var b strings.Builder
	b.Grow(n)
	for i := range t.parts {
		b.WriteString(t.parts[i].value(slots, customer))
	}
	return b.String()
}

// value is the text of p: its literal, or its placeholder's value (or
// default).
func (p *tpart) value(slots, customer map[string]string) string {
	if p.ref == nil {
		return p.lit
	}
	var v string
	if p.ref.ns == "slots" {
		v = slots[p.ref.name]
	} else {
		v = customer[p.ref.name]
	}
	if v == "" {
		v = p.dflt
	}
	return v
}
