package entity

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/parleyhq/parley/internal/parse"
	"github.com/parleyhq/parley/nlu"
)

// Regex returns an extractor that reports each match of pattern as an
// entity of type typ. The value is the first capture group if the pattern
// has one, else the whole match. It panics if pattern does not compile
// (use [RegexFromString] for patterns from configuration).
func Regex(typ string, pattern *regexp.Regexp) Extractor {
	if pattern == nil {
		panic("entity: Regex with nil pattern")
	}
	return ExtractorFunc(func(ctx context.Context, in Input) ([]nlu.Entity, error) {
		var out []nlu.Entity
		for _, m := range pattern.FindAllStringSubmatchIndex(in.Text, -1) {
			v := in.Text[m[0]:m[1]]
			if len(m) >= 4 && m[2] >= 0 {
				v = in.Text[m[2]:m[3]]
			}
			out = append(out, nlu.Entity{Type: typ, Text: in.Text[m[0]:m[1]], Start: m[0], End: m[1], Value: v, Confidence: 1})
		}
		return out, nil
	})
}

// RegexFromString compiles pattern and returns [Regex] of it.
func RegexFromString(typ, pattern string) (Extractor, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("entity: %s pattern: %w", typ, err)
	}
	return Regex(typ, re), nil
}

var (
	emailRe = regexp.MustCompile(`(?i)\b[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}\b`)
	phoneRe = regexp.MustCompile(`(?:\+|\b00)?\(?\d{1,4}\)?(?:[ .\-]?\(?\d{2,4}\)?){2,5}\b`)
)

// Email finds e-mail addresses; values are lower-cased. Any language.
func Email() Extractor {
	return ExtractorFunc(func(ctx context.Context, in Input) ([]nlu.Entity, error) {
		var out []nlu.Entity
		for _, m := range emailRe.FindAllStringIndex(in.Text, -1) {
			s := in.Text[m[0]:m[1]]
			out = append(out, nlu.Entity{Type: "email", Text: s, Start: m[0], End: m[1], Value: strings.ToLower(s), Confidence: 1})
		}
		return out, nil
	})
}

// Phone finds phone numbers of 7 to 15 digits written with spaces, dots,
// dashes or brackets; values are "+" and the digits (a leading 00 becomes
// +). Any language; numbers without a country code keep their digits as
// written.
func Phone() Extractor {
	return ExtractorFunc(func(ctx context.Context, in Input) ([]nlu.Entity, error) {
		var out []nlu.Entity
		for _, m := range phoneRe.FindAllStringIndex(in.Text, -1) {
			s := in.Text[m[0]:m[1]]
			var d strings.Builder
			for _, r := range s {
				if r >= '0' && r <= '9' {
					d.WriteRune(r)
				}
			}
			digits := strings.TrimPrefix(d.String(), "00")
			if len(digits) < 7 || len(digits) > 15 {
				continue
			}
			out = append(out, nlu.Entity{Type: "phone", Text: s, Start: m[0], End: m[1], Value: "+" + digits, Confidence: 0.9})
		}
		return out, nil
	})
}

// Money finds amounts with a currency ("$49.99", "20 euros", "15 USD",
// "twenty dollars", "quince dólares"); values are "49.99 USD". English and
// Spanish currency words. The flow package's money slots read amounts
// with the same parser.
func Money() Extractor {
	return parsed("money", parse.Moneys, func(m parse.Money) (int, int, string) { return m.Start, m.End, m.String() })
}

// Number finds plain numbers, in digits ("3", "2.5", "1,000") or as
// English and Spanish words ("three", "thirteen", "thirty-five",
// "quince", "treinta y cinco"); values are in Go's shortest decimal
// form. The flow package's number slots read numbers with the same
// parser.
func Number() Extractor {
	return parsed("number", parse.Numbers, func(n parse.Number) (int, int, string) {
		return n.Start, n.End, parse.FormatNumber(n.Value)
	})
}

// parsed returns an extractor of type typ that reports what find finds
// in the text, each found thing's span and value read by span.
func parsed[T any](typ string, find func(string) []T, span func(T) (start, end int, value string)) Extractor {
	return ExtractorFunc(func(ctx context.Context, in Input) ([]nlu.Entity, error) {
		var out []nlu.Entity
		for _, x := range find(in.Text) {
			start, end, v := span(x)
			out = append(out, nlu.Entity{Type: typ, Text: in.Text[start:end], Start: start, End: end, Value: v, Confidence: 1})
		}
		return out, nil
	})
}

// OrderID finds order or ticket numbers matching pattern, reported with
// type typ (for example "order_id" and `\b[A-Z]{2}-?\d{6,}\b`). The value
// is the match upper-cased without spaces. Any language.
func OrderID(typ string, pattern *regexp.Regexp) Extractor {
	inner := Regex(typ, pattern)
	return ExtractorFunc(func(ctx context.Context, in Input) ([]nlu.Entity, error) {
		es, err := inner.Extract(ctx, in)
		for i := range es {
			es[i].Value = strings.ToUpper(strings.ReplaceAll(es[i].Value, " ", ""))
		}
		return es, err
	})
}

// DefaultOrderPattern returns the default order number pattern: "#12345"
// (five digits or more) or "ORD-1234", "TKT-1234", "ticket-1234".
func DefaultOrderPattern() *regexp.Regexp { return orderRe }

var orderRe = regexp.MustCompile(`(?i)(?:#\s?(\d{5,})|\b((?:ord|ord-|order-|tkt-|ticket-)\d{4,})\b)`)

// Builtins returns the built-in extractors: email, phone, money, order
// numbers with [DefaultOrderPattern], dates and date ranges, and numbers.
func Builtins() []Extractor {
	return []Extractor{Email(), Money(), Date(), OrderID("order_id", orderRe), Phone(), Number()}
}

type word struct {
	text       string
	start, end int
}

// words splits text into words of letters and digits with byte offsets.
func words(text string) []word {
	var out []word
	start := -1
	for i, r := range text {
		isW := r == '\'' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0xC0 && r != 0xD7 && r != 0xF7
		switch {
		case isW && start < 0:
			start = i
		case !isW && start >= 0:
			out = append(out, word{text[start:i], start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, word{text[start:], start, len(text)})
	}
	return out
}
