package proactive

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// tmpl is a parsed message template: literal text and {{ns.name}} or
// {{ns.name | "default"}} references.
type tmpl struct {
	parts []tmplPart
}

type tmplPart struct {
	lit  string
	ns   string // "" for a literal
	name string
	def  string
	hasD bool
}

// errTemplate is the cause of template syntax errors.
var errTemplate = errors.New("bad template")

// parseTemplate parses src. It returns an error for an unclosed or
// malformed reference.
func parseTemplate(src string) (*tmpl, error) {
	t := &tmpl{}
	for src != "" {
		i := strings.Index(src, "{{")
		if i < 0 {
			t.parts = append(t.parts, tmplPart{lit: src})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, tmplPart{lit: src[:i]})
		}
		rest := src[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			return nil, fmt.Errorf("%w: unclosed {{", errTemplate)
		}
		ref := strings.TrimSpace(rest[:j])
		src = rest[j+2:]
		p := tmplPart{}
		if expr, def, ok := strings.Cut(ref, "|"); ok {
			ref = strings.TrimSpace(expr)
			d, err := strconv.Unquote(strings.TrimSpace(def))
			if err != nil {
				return nil, fmt.Errorf("%w: default of {{%s}} must be a quoted string", errTemplate, ref)
			}
			p.def, p.hasD = d, true
		}
		ns, name, ok := strings.Cut(ref, ".")
		if !ok || ns == "" || name == "" {
			return nil, fmt.Errorf("%w: {{%s}} is not namespace.field", errTemplate, ref)
		}
		p.ns, p.name = ns, name
		t.parts = append(t.parts, p)
	}
	return t, nil
}

// check reports references to unknown namespaces, and to the offer in a
// step without one.
func (t *tmpl) check(hasOffer bool) error {
	for _, p := range t.parts {
		switch p.ns {
		case "", "profile", "event":
		case "offer":
			if !hasOffer {
				return fmt.Errorf("%w: {{offer.%s}} in a step without an offer", errTemplate, p.name)
			}
			if p.name != "code" && p.name != "expires" {
				return fmt.Errorf("%w: {{offer.%s}}: an offer has code and expires", errTemplate, p.name)
			}
		default:
			return fmt.Errorf("%w: {{%s.%s}}: unknown namespace (profile, event, offer)", errTemplate, p.ns, p.name)
		}
	}
	return nil
}

// A missingFieldError reports a template field that has no value and no
// default: the message is not sent rather than sent with a hole in it.
type missingFieldError struct {
	Field string
}

// Error implements the error interface.
func (e *missingFieldError) Error() string {
	return fmt.Sprintf("proactive: template field {{%s}} has no value and no default", e.Field)
}

// render fills t from lookup(ns, name).
func (t *tmpl) render(lookup func(ns, name string) (string, bool)) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.ns == "" {
			b.WriteString(p.lit)
			continue
		}
		v, ok := lookup(p.ns, p.name)
		if !ok || v == "" {
			if !p.hasD {
				return "", &missingFieldError{Field: p.ns + "." + p.name}
			}
			v = p.def
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
