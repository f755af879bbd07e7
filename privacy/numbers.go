package privacy

import (
	"regexp"
	"strings"
	"unicode"
)

// A numberRun is a run of digit groups in a text: digits joined by single
// separators (a space, "-", "." or "/"), with an optional "+" or "("
// before the first group and ")" after a group.
type numberRun struct {
	start, end int      // byte offsets in the text
	groups     []string // the digit groups
	seps       []byte   // the separator after each group but the last
	plus       bool     // written with a leading "+"
}

func (r numberRun) digits() int {
	n := 0
	for _, g := range r.groups {
		n += len(g)
	}
	return n
}

// numberRuns finds the runs of digit groups in text.
func numberRuns(text string) []numberRun {
	var runs []numberRun
	i := 0
	for i < len(text) {
		c := text[i]
		// Digits glued to a word or to a mask ("]") are part of a code or
		// of a value already redacted.
		if !isDigit(c) || (i > 0 && (isWordByte(text[i-1]) || text[i-1] == ']')) {
			i++
			continue
		}
		r := numberRun{start: i}
		if i > 0 && (text[i-1] == '+' || text[i-1] == '(') {
			r.start = i - 1
			r.plus = text[i-1] == '+'
			if r.plus && i > 1 && isWordByte(text[i-2]) {
				i++
				continue
			}
		}
		for {
			j := i
			for j < len(text) && isDigit(text[j]) {
				j++
			}
			r.groups = append(r.groups, text[i:j])
			r.end = j
			k := j
			if k < len(text) && text[k] == ')' {
				k++
				r.end = k
			}
			// A separator continues the run only if a digit (or "(")
			// follows it.
			if k+1 < len(text) && strings.IndexByte(" -./", text[k]) >= 0 {
				next := k + 1
				if text[next] == '(' && next+1 < len(text) && isDigit(text[next+1]) {
					next++
				}
				if isDigit(text[next]) {
					r.seps = append(r.seps, text[k])
					i = next
					continue
				}
			}
			i = r.end
			break
		}
		if r.end < len(text) && isWordByte(text[r.end]) {
			continue // "1Z999AA...", "10mm": part of a code or a word
		}
		runs = append(runs, r)
	}
	return runs
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isWordByte reports whether c is an ASCII letter or digit, or part of a
// multi-byte (non-ASCII) letter.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_' || c >= 0x80
}

// Words before a number that make it something other than personal data,
// and words that make it a phone number.
var (
	notPersonalRE = regexp.MustCompile(`(?i)\b(?:case|ticket|ref|reference|invoice|inv|order|tracking|waybill|parcel|shipment|serial|sn|isbn|sku|account|customer\s+id|id|confirmation|booking|item|model|part|version|v|ip|zip|postcode|postal\s+code|bill|receipt|transaction|txn)\b[^a-z0-9]{0,6}(?:(?:no|number|num|nr|#)\b[^a-z0-9]{0,3})?$`)
	phoneWordRE   = regexp.MustCompile(`(?i)(?:\b(?:call|phone|tel|telephone|mobile|cell|cellphone|whatsapp|sms|text|ring|reach|contact|fax|landline|number|llámame|llamar|llámenme|teléfono|telefono|móvil|movil|número|numero)\b)`)
	ssnWordRE     = regexp.MustCompile(`(?i)\b(?:ssn|social\s+security(?:\s+(?:number|no|num|#))?)\b[^a-z0-9]{0,6}(?:(?:is|es|was)\b[^a-z0-9]{0,4})?$`)
	// afterCardRE reads what follows a card number: an optional expiry
	// date and the security code.
	afterCardRE = regexp.MustCompile(`(?i)^[\s,;:/-]*(?:(?:exp(?:iry|ires|\.)?|valid(?:\s+thru)?|vence|caduca)?[\s:.]*\d{1,2}\s?/\s?\d{2,4}\b)?[\s,;:/-]*(?:(?:cvv2?|cvc2?|cid|csc|code|c[oó]digo)[\s:#]*)?(\d{3,4})\b`)
	dateLikeRE  = regexp.MustCompile(`^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})`)
)

// textBefore returns up to n bytes of text before i.
func textBefore(text string, i, n int) string {
	return text[max(0, i-n):i]
}

// classifyRun says what personal data a run of digits is, if any: a card
// (with the security code that follows it, if one does), a US social
// security number written with spaces or, after its name, without
// separators, or a phone number.
func classifyRun(text string, r numberRun) []Finding {
	value := text[r.start:r.end]
	before := textBefore(text, r.start, 40)
	if f, ok := cardIn(text, r); ok {
		return f
	}
	if strings.ContainsAny(value, "/") && !r.plus {
		return nil // dates, fractions, "12/27"
	}
	if ssnWordRE.MatchString(before) && len(r.groups) == 1 && len(r.groups[0]) == 9 && ssnValid(r.groups[0][:3]+"-"+r.groups[0][3:5]+"-"+r.groups[0][5:]) {
		return []Finding{{Kind: KindNationalID, Start: r.start, End: r.end}}
	}
	if len(r.groups) == 3 && len(r.groups[0]) == 3 && len(r.groups[1]) == 2 && len(r.groups[2]) == 4 && r.seps[0] == r.seps[1] && (r.seps[0] == ' ' || r.seps[0] == '-') {
		if ssnValid(r.groups[0] + "-" + r.groups[1] + "-" + r.groups[2]) {
			return []Finding{{Kind: KindNationalID, Start: r.start, End: r.end}}
		}
	}
	if phoneRun(text, r, before) {
		return []Finding{{Kind: KindPhone, Start: r.start, End: r.end}}
	}
	return nil
}

// cardIn finds a payment card number at the start of r: 13 to 19 digits
// in groups of four or more, passing the Luhn check, the common lengths
// tried first. What follows it in the run may be an expiry date and a
// security code, found with it; anything else (a tracking number's
// further groups) means it is no card. Runs written with "+" (phone
// numbers) are no cards either.
func cardIn(text string, r numberRun) ([]Finding, bool) {
	if r.plus || r.digits() < 13 {
		return nil, false
	}
	for _, n := range []int{16, 15, 19, 14, 13, 17, 18} {
		count, g := 0, 0
		for g < len(r.groups) && count < n {
			if len(r.groups) > 1 && len(r.groups[g]) < 4 {
				count = -1 // "978-1-234-56789-0": no card is written so
				break
			}
			count += len(r.groups[g])
			g++
		}
		if count != n || !cardTail(r.groups[g:], r.seps[min(g, len(r.seps)):]) {
			continue
		}
		d := strings.Join(r.groups[:g], "")
		if !luhn(d) {
			continue
		}
		end := r.start
		for i := range g {
			end = strings.Index(text[end:], r.groups[i]) + end + len(r.groups[i])
		}
		fs := []Finding{{Kind: KindCard, Start: r.start, End: end}}
		if m := afterCardRE.FindStringSubmatchIndex(text[end:]); m != nil {
			fs = append(fs, Finding{Kind: KindCVV, Start: end + m[2], End: end + m[3]})
		}
		return fs, true
	}
	return nil, false
}

// cardTail reports whether the groups after a card number are nothing,
// a security code, an expiry date (MM/YY), or both.
func cardTail(groups []string, seps []byte) bool {
	switch {
	case len(groups) == 0:
		return true
	case len(groups) == 1:
		return len(groups[0]) == 3 || len(groups[0]) == 4
	case len(groups) <= 3 && len(seps) >= 1 && seps[0] == '/':
		return len(groups[0]) <= 2 && (len(groups[1]) == 2 || len(groups[1]) == 4) &&
			(len(groups) == 2 || len(groups[2]) == 3 || len(groups[2]) == 4)
	}
	return false
}

// phoneRun reports whether r is a phone number: written with "+" and 8-15
// digits, or 9-15 digits in the groups phone numbers are written in; not
// a date, a ZIP+4 code, an IP address or version, or a number named as
// something else (an order, a ticket, a tracking number).
func phoneRun(text string, r numberRun, before string) bool {
	d := r.digits()
	value := text[r.start:r.end]
	if r.plus {
		return d >= 8 && d <= 15
	}
	if d < 9 || d > 15 {
		return false
	}
	if len(r.groups) < 2 && !strings.HasPrefix(value, "(") {
		// A bare run of digits is a phone number only when named one
		// ("call me on 4155550132").
		return d >= 10 && phoneWordRE.MatchString(textBefore(text, r.start, 25)) && !notPersonalRE.MatchString(before)
	}
	if dateLikeRE.MatchString(value) {
		return false
	}
	if len(r.groups) == 3 && len(r.groups[0]) == 3 && len(r.groups[1]) == 2 && len(r.groups[2]) == 4 {
		return false // shaped like a social security number, which it is not
	}
	if len(r.groups) == 2 && len(r.groups[0]) == 5 && len(r.groups[1]) == 4 && r.seps[0] == '-' {
		return false // ZIP+4
	}
	dots := strings.Count(value, ".")
	if dots > 0 {
		if dots != len(r.seps) || len(r.groups) < 3 {
			return false // a mix, or a decimal
		}
		small := true
		for _, g := range r.groups {
			small = small && len(g) <= 3
		}
		if small && len(r.groups) == 4 {
			return false // an IP address
		}
	}
	fours := 0
	for _, g := range r.groups {
		if len(g) == 4 {
			fours++
		}
		if len(g) == 1 && !strings.HasPrefix(value, "(") {
			return false // "978-1-234-56789-0": phone groups have 2 digits or more
		}
	}
	if fours == len(r.groups) && fours >= 3 {
		return false // 1234 5678 9012: tracking, references, card fragments
	}
	if notPersonalRE.MatchString(before) && !phoneWordRE.MatchString(textBefore(text, r.start, 25)) {
		return false
	}
	// A code like INV-2024-000123 or SN-1234-5678: letters and a dash
	// right before.
	if r.start > 1 && (text[r.start-1] == '-' || text[r.start-1] == '#') && unicode.IsLetter(rune(text[r.start-2])) {
		return false
	}
	return true
}
