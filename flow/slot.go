package flow

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/textdist"
)

// An InputError says why an answer did not fill a slot. Its message is
// written for the user and is shown before the re-prompt.
type InputError struct {
	Slot    string
	Message string
}

// Error implements the error interface.
func (e *InputError) Error() string { return e.Message }

func inputErr(slot, msg string) error { return &InputError{Slot: slot, Message: msg} }

// naturalEntity is the entity type that fills a slot of type t directly.
func naturalEntity(t SlotType) string {
	switch t {
	case NumberSlot, EmailSlot, PhoneSlot, DateSlot, MoneySlot:
		return string(t)
	}
	return ""
}

// parseSlot parses text as a value of type t, normalised as documented on
// parley.Entity.
func parseSlot(a *Ask, text string, now time.Time) (string, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return "", inputErr(a.Slot, "I didn't get an answer there.")
	}
	switch a.Type {
	case "", TextSlot:
		return s, nil
	case NumberSlot:
		if v, ok := findNumber(s); ok {
			return v, nil
		}
		return "", inputErr(a.Slot, "I need a number for that.")
	case EmailSlot:
		if v, ok := findEmail(s); ok {
			return v, nil
		}
		return "", inputErr(a.Slot, "That doesn't look like an email address.")
	case PhoneSlot:
		if v, ok := findPhone(s); ok {
			return v, nil
		}
		return "", inputErr(a.Slot, "That doesn't look like a phone number.")
	case DateSlot:
		if v, ok := parseDate(s, now); ok {
			return v, nil
		}
		return "", inputErr(a.Slot, "I couldn't read that date. Try something like \"next Friday\" or \"2026-12-24\".")
	case MoneySlot:
		if v, ok := parseMoney(s, "USD"); ok {
			return v, nil
		}
		return "", inputErr(a.Slot, "I need an amount, like $25 or 25.00 EUR.")
	case YesNoSlot:
		if v, ok := parseYesNo(s); ok {
			return v, nil
		}
		return "", inputErr(a.Slot, "Please answer yes or no.")
	case ChoiceSlot:
		if i := matchOption(s, a.Options, nil); i >= 0 {
			return a.Options[i].Value(), nil
		}
		return "", inputErr(a.Slot, "Please pick one of the options.")
	}
	return "", fmt.Errorf("flow: unknown slot type %q", a.Type)
}

// fold lower-cases s and trims punctuation around it, for matching.
func fold(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}

var numberWords = map[string]int{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
	"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
	"eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100,
}

// findNumber returns the first number in s, in shortest decimal form.
func findNumber(s string) (string, bool) {
	for _, w := range strings.Fields(strings.ToLower(s)) {
		w = strings.Trim(w, "!?.;:()$€£")
		if n, ok := numberWords[w]; ok {
			return strconv.Itoa(n), true
		}
		w = strings.ReplaceAll(w, ",", "")
		if f, err := strconv.ParseFloat(w, 64); err == nil && !strings.ContainsAny(w, "eEnNiI") {
			return strconv.FormatFloat(f, 'f', -1, 64), true
		}
	}
	return "", false
}

func findEmail(s string) (string, bool) {
	for _, w := range strings.Fields(s) {
		w = strings.Trim(w, "<>()[],;:!?\"'")
		w = strings.TrimSuffix(w, ".")
		at := strings.IndexByte(w, '@')
		if at <= 0 || at != strings.LastIndexByte(w, '@') {
			continue
		}
		domain := w[at+1:]
		dot := strings.LastIndexByte(domain, '.')
		if dot <= 0 || dot == len(domain)-1 || strings.Contains(domain, "..") {
			continue
		}
		return strings.ToLower(w), true
	}
	return "", false
}

func findPhone(s string) (string, bool) {
	var b strings.Builder
	plus := false
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	d := b.String()
	if len(d) < 7 || len(d) > 15 {
		return "", false
	}
	if plus {
		return "+" + d, true
	}
	return d, true
}

func parseYesNo(s string) (string, bool) {
	switch fold(s) {
	case "yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "correct", "right", "please", "yes please", "si", "sí", "absolutely", "of course":
		return "yes", true
	case "no", "n", "nope", "nah", "no thanks", "no thank you", "not really", "never":
		return "no", true
	}
	return "", false
}

var currencySymbols = map[string]string{"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}

var currencyWords = map[string]string{
	"usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
	"eur": "EUR", "euro": "EUR", "euros": "EUR",
	"gbp": "GBP", "pound": "GBP", "pounds": "GBP",
	"jpy": "JPY", "yen": "JPY", "cad": "CAD", "aud": "AUD", "chf": "CHF", "mxn": "MXN",
}

// parseMoney reads "$49.99", "49.99 USD", "€20", "20 euros" or a bare
// amount (in currency def) as "49.99 USD".
func parseMoney(s, def string) (string, bool) {
	cur := ""
	var amount string
	for _, w := range strings.Fields(strings.ToLower(s)) {
		w = strings.Trim(w, "!?;:()")
		w = strings.TrimSuffix(w, ".")
		for sym, code := range currencySymbols {
			if strings.HasPrefix(w, sym) || strings.HasSuffix(w, sym) {
				cur = code
				w = strings.Trim(w, sym)
			}
		}
		if code, ok := currencyWords[w]; ok {
			cur = code
			continue
		}
		if n, ok := numberWords[w]; ok && amount == "" {
			amount = strconv.FormatFloat(float64(n), 'f', -1, 64)
			continue
		}
		if amount == "" {
			n := strings.ReplaceAll(w, ",", "")
			if f, err := strconv.ParseFloat(n, 64); err == nil && f >= 0 && !strings.ContainsAny(n, "eEnNiI") {
				amount = strconv.FormatFloat(f, 'f', -1, 64)
			}
		}
	}
	if amount == "" {
		return "", false
	}
	if cur == "" {
		cur = def
	}
	return amount + " " + cur, true
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

// parseDate reads ISO dates, "today", "tomorrow", weekdays ("friday",
// "next friday": the coming one), "next week", "in N days/weeks" and "12 december" / "december 12",
// relative to now in now's location. The intent package's date entity is
// richer; this is the fallback when no entity was found.
func parseDate(s string, now time.Time) (string, bool) {
	const layout = "2006-01-02"
	s = fold(s)
	if t, err := time.Parse(layout, s); err == nil {
		return t.Format(layout), true
	}
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch s {
	case "today", "now":
		return day.Format(layout), true
	case "tomorrow":
		return day.AddDate(0, 0, 1).Format(layout), true
	case "yesterday":
		return day.AddDate(0, 0, -1).Format(layout), true
	}
	ws := strings.Fields(s)
	if len(ws) > 0 && (ws[0] == "on" || ws[0] == "this") {
		ws = ws[1:]
	}
	next := false
	if len(ws) > 0 && ws[0] == "next" {
		next, ws = true, ws[1:]
	}
	if len(ws) == 1 {
		if wd, ok := weekdays[ws[0]]; ok {
			// "friday", "this friday" and "next friday" all mean the
			// coming Friday, one to seven days ahead.
			d := (int(wd) - int(day.Weekday()) + 7) % 7
			if d == 0 {
				d = 7
			}
			return day.AddDate(0, 0, d).Format(layout), true
		}
		if next && ws[0] == "week" {
			return day.AddDate(0, 0, 7).Format(layout), true
		}
	}
	if len(ws) == 3 && ws[0] == "in" {
		n, err := strconv.Atoi(ws[1])
		if err != nil {
			if w, ok := numberWords[ws[1]]; ok {
				n, err = w, nil
			}
		}
		if err == nil && n >= 0 && n < 3650 {
			switch strings.TrimSuffix(ws[2], "s") {
			case "day":
				return day.AddDate(0, 0, n).Format(layout), true
			case "week":
				return day.AddDate(0, 0, 7*n).Format(layout), true
			case "month":
				return day.AddDate(0, n, 0).Format(layout), true
			}
		}
	}
	if len(ws) == 2 {
		m, okm := months[ws[0]]
		d, errd := strconv.Atoi(strings.TrimRight(ws[1], "stndrh"))
		if !okm {
			m, okm = months[ws[1]]
			d, errd = strconv.Atoi(strings.TrimRight(ws[0], "stndrh"))
		}
		if okm && errd == nil && d >= 1 && d <= 31 {
			t := time.Date(day.Year(), m, d, 0, 0, 0, 0, day.Location())
			if t.Month() != m {
				return "", false
			}
			if t.Before(day) {
				t = t.AddDate(1, 0, 0)
			}
			return t.Format(layout), true
		}
	}
	return "", false
}

// matchOption finds the option an answer selects: by payload or title
// (case-insensitive), by number ("2"), by synonym, or by a close spelling
// (one edit for short words, two for longer ones). It returns -1 if none
// or if the answer is ambiguous.
func matchOption(answer string, opts []parley.QuickReply, synonyms [][]string) int {
	a := fold(answer)
	if a == "" {
		return -1
	}
	for i, o := range opts {
		if a == fold(o.Payload) || a == fold(o.Title) {
			return i
		}
	}
	if n, err := strconv.Atoi(a); err == nil && n >= 1 && n <= len(opts) {
		return n - 1
	}
	for i := range opts {
		if i < len(synonyms) {
			for _, s := range synonyms[i] {
				if a == fold(s) {
					return i
				}
			}
		}
	}
	best, bestD, tie := -1, 1<<30, false
	for i, o := range opts {
		t := fold(o.Title)
		limit := 1
		if len(t) > 6 {
			limit = 2
		}
		d := editDistance(a, t, limit)
		if d <= limit {
			if d < bestD {
				best, bestD, tie = i, d, false
			} else if d == bestD {
				tie = true
			}
		}
	}
	if tie {
		return -1
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b, or
// limit+1 when it is over limit.
func editDistance(a, b string, limit int) int { return textdist.OSA(a, b, limit) }
