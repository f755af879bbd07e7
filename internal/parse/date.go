package parse

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"domingo": time.Sunday, "lunes": time.Monday, "martes": time.Tuesday, "miércoles": time.Wednesday, "miercoles": time.Wednesday,
	"jueves": time.Thursday, "viernes": time.Friday, "sábado": time.Saturday, "sabado": time.Saturday,
}

var months = map[string]time.Month{
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
	"september": 9, "october": 10, "november": 11, "december": 12,
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
	"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
	"septiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}

const (
	wdPat    = `sunday|monday|tuesday|wednesday|thursday|friday|saturday|domingo|lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado`
	monthPat = `january|february|march|april|may|june|july|august|september|october|november|december|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec`
	unitPat  = `days?|weeks?|months?|d[ií]as?|semanas?|mes(?:es)?`
	countPat = `one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|thirty|` +
		`uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|doce|trece|catorce|quince|veinte|treinta`
)

var (
	reRelWeekday = regexp.MustCompile(`(?i)\b(?:(next|this|last|coming|el\s+pr[oó]ximo|el\s+pasado|este|on|el)\s+)?(` + wdPat + `)(?:\s+(pr[oó]ximo|pasado|que\s+viene))?\b`)
	reDay        = regexp.MustCompile(`(?i)\b(today|tonight|tomorrow|yesterday|day after tomorrow|hoy|pasado\s+mañana|mañana|ayer)\b`)
	reIn         = regexp.MustCompile(`(?i)\b(?:in|en|dentro\s+de)\s+(\d+|a|an|un|una|` + countPat + `)\s+(` + unitPat + `)\b`)
	reAgo        = regexp.MustCompile(`(?i)\b(?:(\d+|a|an|` + countPat + `)\s+(` + unitPat + `)\s+ago|hace\s+(\d+|un|una|` + countPat + `)\s+(` + unitPat + `))\b`)
	rePeriod     = regexp.MustCompile(`(?i)\b(?:(last|this|next|past)\s+(week|month)|(la\s+semana|el\s+mes)\s+(pasad[oa]|que\s+viene|pr[oó]xim[oa])|(esta\s+semana|este\s+mes))\b`)
	reISO        = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	reSlash      = regexp.MustCompile(`\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b`)
	reMonthDay   = regexp.MustCompile(`(?i)\b(` + monthPat + `)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b`)
	reDayMonth   = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+|de\s+)?(` + monthPat + `)(?:,?\s+(?:de\s+)?(\d{4}))?\b`)
	reRange      = regexp.MustCompile(`(?i)\b(?:from|between|del|desde(?:\s+el)?)\s+(.{1,40}?)\s+(?:to|and|until|till|al|hasta(?:\s+el)?)\s+(.{1,40}?)(?:[.,;!?]|$)`)
)

// atoiWord reads the count of "in 3 days", "in three days", "a week
// ago" and the parts of numeric dates.
func atoiWord(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	s = stripAccents.Replace(strings.ToLower(s))
	if articles[s] {
		return 1
	}
	return numberWords[s].v
}

// A Date is a date or date range found in a text. From and To are
// midnight in the location of the time the text was read against; a
// single date has From == To.
type Date struct {
	Start, End int
	From, To   time.Time
	Range      bool
}

// Layout is how dates are written in entities and slots.
const Layout = "2006-01-02"

// Value writes d as the entities and slots store it: 2006-01-02, or
// 2006-01-02/2006-01-08 (inclusive) for a range.
func (d Date) Value() string {
	if d.Range {
		return d.From.Format(Layout) + "/" + d.To.Format(Layout)
	}
	return d.From.Format(Layout)
}

// Dates finds dates and date ranges in text, English and Spanish:
// "today", "tomorrow", "mañana", weekdays ("next Friday", "el viernes"),
// "in 3 days", "in thirteen days", "2 weeks ago", "hace 3 días", periods
// ("last week", "next month", "la semana pasada" as ranges Monday to
// Sunday or a calendar month), ISO dates, "May 3", "3 de mayo", US-style
// "5/3/2025", and ranges "from May 1 to May 5". Relative dates resolve
// against now, in now's location. Ranges come first, then single dates;
// the caller resolves overlaps.
func Dates(text string, now time.Time) []Date {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	var out []Date
	add := func(m []int, isRange bool, from, to time.Time) {
		out = append(out, Date{Start: m[0], End: m[1], From: from, To: to, Range: isRange})
	}
	for _, m := range reRange.FindAllStringSubmatchIndex(text, -1) {
		a, okA := single(text[m[2]:m[3]], today)
		b, okB := single(text[m[4]:m[5]], today)
		if okA && okB && !b.Before(a) {
			add([]int{m[0], m[5]}, true, a, b)
		}
	}
	for _, m := range rePeriod.FindAllStringSubmatchIndex(text, -1) {
		s := strings.ToLower(text[m[0]:m[1]])
		off := 0
		switch {
		case strings.Contains(s, "last") || strings.Contains(s, "past") || strings.Contains(s, "pasad"):
			off = -1
		case strings.Contains(s, "next") || strings.Contains(s, "próxim") || strings.Contains(s, "proxim") || strings.Contains(s, "que viene"):
			off = 1
		}
		if strings.Contains(s, "week") || strings.Contains(s, "semana") {
			mon := today.AddDate(0, 0, -((int(today.Weekday())+6)%7)+7*off)
			add(m, true, mon, mon.AddDate(0, 0, 6))
		} else {
			first := time.Date(today.Year(), today.Month()+time.Month(off), 1, 0, 0, 0, 0, today.Location())
			add(m, true, first, first.AddDate(0, 1, -1))
		}
	}
	for _, re := range []*regexp.Regexp{reDay, reRelWeekday, reIn, reAgo, reISO, reSlash, reMonthDay, reDayMonth} {
		for _, m := range re.FindAllStringIndex(text, -1) {
			if d, ok := single(text[m[0]:m[1]], today); ok {
				add(m, false, d, d)
			}
		}
	}
	return out
}

// FirstDate reads an answer to "which day?": the first single date in s,
// or else the first day of the first range ("next week").
func FirstDate(s string, now time.Time) (time.Time, bool) {
	ds := Dates(s, now)
	best := -1
	for i, d := range ds {
		if best < 0 || (!d.Range && (ds[best].Range || d.Start < ds[best].Start)) {
			best = i
		}
	}
	if best < 0 {
		return time.Time{}, false
	}
	return ds[best].From, true
}

// single resolves one date expression against today.
func single(s string, today time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	ls := strings.ToLower(s)
	if m := reDay.FindStringSubmatch(ls); m != nil && m[0] == ls {
		switch strings.Join(strings.Fields(m[1]), " ") {
		case "today", "tonight", "hoy":
			return today, true
		case "tomorrow", "mañana":
			return today.AddDate(0, 0, 1), true
		case "day after tomorrow", "pasado mañana":
			return today.AddDate(0, 0, 2), true
		default:
			return today.AddDate(0, 0, -1), true
		}
	}
	if m := reRelWeekday.FindStringSubmatch(ls); m != nil && m[0] == ls {
		wd, ok := weekdays[m[2]]
		if !ok {
			wd = weekdays[strings.NewReplacer("é", "e", "á", "a").Replace(m[2])]
		}
		mod := strings.Join(strings.Fields(m[1]+" "+m[3]), " ")
		diff := (int(wd) - int(today.Weekday()) + 7) % 7
		switch {
		case strings.Contains(mod, "last") || strings.Contains(mod, "pasado"):
			diff -= 7
			if diff == 0 {
				diff = -7
			}
		case strings.Contains(mod, "next") || strings.Contains(mod, "próximo") || strings.Contains(mod, "proximo") || strings.Contains(mod, "que viene"):
			if diff == 0 {
				diff = 7
			}
		}
		return today.AddDate(0, 0, diff), true
	}
	if m := reIn.FindStringSubmatch(ls); m != nil && m[0] == ls {
		return shift(today, atoiWord(m[1]), m[2]), true
	}
	if m := reAgo.FindStringSubmatch(ls); m != nil && m[0] == ls {
		if m[1] != "" {
			return shift(today, -atoiWord(m[1]), m[2]), true
		}
		return shift(today, -atoiWord(m[3]), m[4]), true
	}
	if m := reISO.FindStringSubmatch(ls); m != nil && m[0] == ls {
		return mkDate(atoiWord(m[1]), atoiWord(m[2]), atoiWord(m[3]), today)
	}
	if m := reSlash.FindStringSubmatch(ls); m != nil && m[0] == ls {
		y := today.Year()
		if m[3] != "" {
			y = atoiWord(m[3])
			if y < 100 {
				y += 2000
			}
		}
		return mkDate(y, atoiWord(m[1]), atoiWord(m[2]), today)
	}
	if m := reMonthDay.FindStringSubmatch(ls); m != nil && m[0] == ls {
		return mkDate(yearOr(m[3], today), int(months[m[1]]), atoiWord(m[2]), today)
	}
	if m := reDayMonth.FindStringSubmatch(ls); m != nil && m[0] == ls {
		return mkDate(yearOr(m[3], today), int(months[m[2]]), atoiWord(m[1]), today)
	}
	return time.Time{}, false
}

func yearOr(s string, today time.Time) int {
	if s == "" {
		return today.Year()
	}
	return atoiWord(s)
}

func mkDate(y, mo, d int, today time.Time) (time.Time, bool) {
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, today.Location())
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

func shift(t time.Time, n int, unit string) time.Time {
	u := strings.ToLower(unit)
	switch {
	case strings.HasPrefix(u, "week") || strings.HasPrefix(u, "semana"):
		return t.AddDate(0, 0, 7*n)
	case strings.HasPrefix(u, "month") || strings.HasPrefix(u, "mes"):
		return t.AddDate(0, n, 0)
	}
	return t.AddDate(0, 0, n)
}
