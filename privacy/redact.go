package privacy

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// A Kind is a category of personal data the [Redactor] finds.
type Kind string

// The kinds of personal data the [Redactor] knows.
const (
	// KindCard is a payment card number (13-19 digits passing the Luhn
	// check, spaces and dashes allowed).
	KindCard Kind = "card"
	// KindCVV is a 3-4 digit card security code next to words that name
	// it ("CVV", "CVC", "security code").
	KindCVV Kind = "cvv"
	// KindIBAN is an international bank account number passing the
	// mod-97 check.
	KindIBAN Kind = "iban"
	// KindNationalID is a national identity number: US SSN, UK National
	// Insurance number, Spanish DNI/NIE (with its check letter); add more
	// with [WithNationalID].
	KindNationalID Kind = "national_id"
	// KindEmail is an email address.
	KindEmail Kind = "email"
	// KindPhone is a phone number: an international number (+ and 8-15
	// digits) or a national one written with separators (9-15 digits).
	KindPhone Kind = "phone"
)

// A Mode says what the [Redactor] does with one kind of data.
type Mode int

// Redaction modes.
const (
	// Mask replaces the value irreversibly ("[card ****4242]").
	Mask Mode = iota
	// Tokenize replaces the value with a token the [Vault] can turn back
	// into the value, for data the application needs later.
	Tokenize
	// Keep leaves the value as it is.
	Keep
)

// A Finding is one piece of personal data the [Redactor] replaced.
type Finding struct {
	Kind Kind
	// Start and End are the byte offsets of the value in the input.
	Start, End int
	// Replacement is what replaced it: a mask or a token.
	Replacement string
}

type detector struct {
	kind  Kind
	name  string
	re    *regexp.Regexp
	group int // submatch holding the value; 0 for the whole match
	valid func(string) bool
	// fit, if set, returns the length of the longest valid prefix of a
	// candidate (0 for none): for formats whose pattern can run on into
	// the next word, as an IBAN's letter groups can.
	fit func(string) int
}

// Redactor finds and removes personal data from text before it is stored,
// logged or sent to a language model. It is safe for concurrent use.
type Redactor struct {
	detectors []detector
	modes     map[Kind]Mode
	vault     Vault
}

// A RedactorOption configures a [Redactor].
type RedactorOption func(*Redactor)

// WithMode sets what the Redactor does with kind (default [Mask] for
// every kind). [Tokenize] needs [WithVault].
func WithMode(kind Kind, m Mode) RedactorOption {
	return func(r *Redactor) { r.modes[kind] = m }
}

// WithVault sets the vault that keeps tokenised values.
func WithVault(v Vault) RedactorOption {
	return func(r *Redactor) { r.vault = v }
}

// WithNationalID adds a national ID format: re matches candidates and
// valid, if not nil, confirms them (a check digit).
func WithNationalID(name string, re *regexp.Regexp, valid func(string) bool) RedactorOption {
	return func(r *Redactor) {
		r.detectors = append(r.detectors, detector{kind: KindNationalID, name: name, re: re, valid: valid})
	}
}

// Immutable detection patterns.
var (
	cvvRE   = regexp.MustCompile(`(?i)\b(?:cvv2?|cvc2?|cid|csc|security\s+code|card\s+verification(?:\s+(?:code|value))?)\b(?:\s*(?:is|:|=|-|#|number|code))*\s*(\d{3,4})\b`)
	ibanRE  = regexp.MustCompile(`(?i)\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b`)
	ssnRE   = regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`)
	ninoRE  = regexp.MustCompile(`(?i)\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b`)
	dniRE   = regexp.MustCompile(`(?i)\b[XYZ0-9]\d{7}-?[A-Z]\b`)
	emailRE = regexp.MustCompile(`(?i)\b[A-Z0-9._%+-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}\b`)
)

// NewRedactor returns a Redactor for every [Kind] with the given options.
func NewRedactor(opts ...RedactorOption) *Redactor {
	r := &Redactor{
		modes: make(map[Kind]Mode),
		detectors: []detector{
			{kind: KindIBAN, name: "iban", re: ibanRE, fit: ibanFit},
			{kind: KindCVV, name: "cvv", re: cvvRE, group: 1},
			{kind: KindNationalID, name: "us-ssn", re: ssnRE, valid: ssnValid},
			{kind: KindNationalID, name: "uk-nino", re: ninoRE},
			{kind: KindNationalID, name: "es-dni", re: dniRE, valid: dniValid},
			{kind: KindEmail, name: "email", re: emailRE},
		},
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Redact returns text with the personal data of customerID replaced, and
// what it replaced, in order. The customer ID scopes tokens in the vault
// (so that erasing the customer erases them); it may be empty when only
// masking is configured. Redact fails only if a vault call fails or a
// kind is set to [Tokenize] without a vault.
func (r *Redactor) Redact(ctx context.Context, customerID, text string) (string, []Finding, error) {
	var found []Finding
	for _, d := range r.detectors {
		if r.modes[d.kind] == Keep {
			continue
		}
		for _, m := range d.re.FindAllStringSubmatchIndex(text, -1) {
			start, end := m[2*d.group], m[2*d.group+1]
			if start < 0 {
				continue
			}
			if d.fit != nil {
				n := d.fit(text[start:end])
				if n == 0 {
					continue
				}
				end = start + n
			}
			if d.valid != nil && !d.valid(text[start:end]) {
				continue
			}
			if overlaps(found, start, end) {
				continue
			}
			found = append(found, Finding{Kind: d.kind, Start: start, End: end})
		}
	}
	// Cards (with a security code written after them), social security
	// numbers without dashes and phone numbers are told apart by the
	// shape of the whole run of digits and the words before it.
	for _, run := range numberRuns(text) {
		for _, f := range classifyRun(text, run) {
			if r.modes[f.Kind] != Keep && !overlaps(found, f.Start, f.End) {
				found = append(found, f)
			}
		}
	}
	if len(found) == 0 {
		return text, nil, nil
	}
	slices.SortFunc(found, func(a, b Finding) int { return a.Start - b.Start })
	var b strings.Builder
	last := 0
	for i := range found {
		f := &found[i]
		value := text[f.Start:f.End]
		switch r.modes[f.Kind] {
		case Tokenize:
			if r.vault == nil {
				return "", nil, fmt.Errorf("privacy: %s set to Tokenize without a vault", f.Kind)
			}
			tok, err := r.vault.Tokenize(ctx, customerID, f.Kind, value)
			if err != nil {
				return "", nil, fmt.Errorf("privacy: tokenize %s: %w", f.Kind, err)
			}
			f.Replacement = tok
		default:
			f.Replacement = mask(f.Kind, value)
		}
		b.WriteString(text[last:f.Start])
		b.WriteString(f.Replacement)
		last = f.End
	}
	b.WriteString(text[last:])
	return b.String(), found, nil
}

// Restore replaces the vault tokens in text with their values, for the
// application code that needs them. Tokens the vault does not know (an
// erased customer's) stay as they are.
func (r *Redactor) Restore(ctx context.Context, customerID, text string) (string, error) {
	if r.vault == nil {
		return text, nil
	}
	var errs []error
	out := tokenRE.ReplaceAllStringFunc(text, func(tok string) string {
		v, err := r.vault.Detokenize(ctx, customerID, tok)
		if err != nil {
			if !isNotFound(err) {
				errs = append(errs, err)
			}
			return tok
		}
		return v
	})
	if len(errs) > 0 {
		return "", fmt.Errorf("privacy: restore: %w", errs[0])
	}
	return out, nil
}

func overlaps(fs []Finding, start, end int) bool {
	for _, f := range fs {
		if start < f.End && f.Start < end {
			return true
		}
	}
	return false
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func mask(k Kind, v string) string {
	switch k {
	case KindCard:
		d := digits(v)
		return "[card ****" + d[len(d)-4:] + "]"
	case KindIBAN:
		c := strings.ToUpper(strings.ReplaceAll(v, " ", ""))
		return "[iban " + c[:2] + "****" + c[len(c)-4:] + "]"
	case KindCVV:
		return "[cvv]"
	case KindNationalID:
		return "[national id]"
	case KindEmail:
		return "[email]"
	case KindPhone:
		return "[phone]"
	}
	return "[redacted]"
}

// luhn reports whether s holds 13-19 digits passing the Luhn check.
func luhn(s string) bool {
	d := digits(s)
	if len(d) < 13 || len(d) > 19 {
		return false
	}
	sum := 0
	for i := range len(d) {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0 && strings.Trim(d, "0") != ""
}

// ibanFit returns the length of the longest prefix of s that is a valid
// IBAN and ends in a letter or digit.
func ibanFit(s string) int {
	for n := len(s); n >= 15; n-- {
		if s[n-1] != ' ' && ibanValid(s[:n]) {
			return n
		}
	}
	return 0
}

// ibanValid checks an IBAN's mod-97 checksum.
func ibanValid(s string) bool {
	c := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if len(c) < 15 || len(c) > 34 {
		return false
	}
	c = c[4:] + c[:4]
	rem := 0
	for _, r := range c {
		switch {
		case r >= '0' && r <= '9':
			rem = (rem*10 + int(r-'0')) % 97
		case r >= 'A' && r <= 'Z':
			rem = (rem*100 + int(r-'A'+10)) % 97
		default:
			return false
		}
	}
	return rem == 1
}

func ssnValid(s string) bool {
	area, group, serial := s[:3], s[4:6], s[7:]
	return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000"
}

// dniValid checks a Spanish DNI/NIE check letter.
func dniValid(s string) bool {
	s = strings.ToUpper(strings.ReplaceAll(s, "-", ""))
	num := s[:8]
	switch num[0] {
	case 'X':
		num = "0" + num[1:]
	case 'Y':
		num = "1" + num[1:]
	case 'Z':
		num = "2" + num[1:]
	}
	n := 0
	for _, r := range num {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + int(r-'0')
	}
	return "TRWAGMYFPDXBNJZSQVHLCKE"[n%23] == s[8]
}
