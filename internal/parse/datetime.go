package parse

import (
	"regexp"
	"strings"
	"time"
)

// A Moment is a time of day found in a text, on the day the text names
// (today when it names none): "next Friday at 2pm", "tomorrow morning",
// "in an hour", "mañana a las 3 de la tarde", "el viernes por la mañana".
type Moment struct {
	// Start and End are the byte span of the whole expression, day
	// included.
	Start, End int
	// At is when, in the location of the time the text was read
	// against: the start of a part of the day.
	At time.Time
	// Until is the end of a part of the day ("tomorrow morning": noon);
	// zero for a clock time.
	Until time.Time
	// PM is the afternoon reading of a 12-hour clock time said without
	// am or pm or a part of the day ("at 2", "a las 3"): At is then the
	// morning one. Without a day named, each is the next one to come.
	// Zero when the hour is clear.
	PM time.Time
}

// Ambiguous reports whether the text left am or pm open.
func (m Moment) Ambiguous() bool { return !m.PM.IsZero() }

const hourWordPat = `one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|` +
	`una|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce`

var (
	// reClock: "at 2", "2pm", "14:30", "at two thirty"? (no), "a las 3 de
	// la tarde", "3 o'clock", "14h".
	reClock = regexp.MustCompile(`(?i)\b(?:(at|@|around|about|by|after|a\s+las?|sobre\s+las?|hacia\s+las?|despu[eé]s\s+de\s+las?)\s+)?` +
		`(\d{1,2}|` + hourWordPat + `)(?:(?::|h)(\d{2}))?` +
		`(?:\s*(a\.?\s?m\b\.?|p\.?\s?m\b\.?|o'?\s?clock|en\s+punto|h\b|hrs\b))?` +
		`(?:\s+(de\s+la\s+(?:ma[ñn]ana|tarde|noche|madrugada)|del\s+mediod[ií]a|in\s+the\s+(?:morning|afternoon|evening)|at\s+night|tonight))?`)
	reNoon = regexp.MustCompile(`(?i)\b(?:(?:at|a|al|a\s+las)\s+)?(noon|midday|mediod[ií]a|midnight|medianoche)\b`)
	// rePartOfDay: "this morning", "in the afternoon", "tonight", "por
	// la tarde", "esta noche". Spanish "mañana" alone is "tomorrow".
	rePartOfDay = regexp.MustCompile(`(?i)\b(?:(?:this|in\s+the|during\s+the|at)\s+)?(morning|afternoon|evening|night|tonight)\b|` +
		`\b(?:por|de|en|a|durante)\s+la\s+(ma[ñn]ana|tarde|noche|madrugada)\b|\besta\s+(ma[ñn]ana|tarde|noche)\b`)
	reLater = regexp.MustCompile(`(?i)\b(?:in|en|dentro\s+de)\s+(?:(half\s+an|media|\d+|a|an|un|una|` + countPat + `)\s+)?` +
		`(hours?|hrs?|horas?|minutes?|mins?|minutos?)\b`)
)

// parts of the day: the hours [from, to) they stand for, and whether a
// clock time in them is pm.
var partsOfDay = map[string]struct {
	from, to int
	pm       bool
}{
	"morning": {8, 12, false}, "mañana": {8, 12, false}, "manana": {8, 12, false}, "madrugada": {5, 8, false},
	"afternoon": {12, 18, true}, "tarde": {12, 20, true},
	"evening": {18, 21, true}, "night": {19, 23, true}, "tonight": {19, 23, true}, "noche": {20, 23, true},
}

// FindMoment finds a time of day in text, English or Spanish, with the
// day it falls on, and resolves it against now in now's location: a
// clock time ("at 2pm", "14:30", "a las 3 de la tarde", "noon"), a part
// of the day ("tomorrow morning", "el viernes por la mañana"), or a
// time from now ("in an hour", "en media hora"). Days are read as
// [Dates] reads them ("next Friday", "mañana", "Dec 11"); a clock time
// without a day is the next one to come ("at 10am" said at noon is
// tomorrow's), and a night-time hour "tonight" said in the evening is
// after midnight. A
// 12-hour time that says neither am nor pm nor the part of the day is
// [Moment.Ambiguous]. It reports false when text names no time of day
// (a day alone is a date: see [FirstDate]). Past times are returned as
// such: the caller decides what a time in the past means.
func FindMoment(text string, now time.Time) (Moment, bool) {
	if m := reLater.FindStringSubmatchIndex(text); m != nil {
		n := 1
		var unit string
		if m[2] >= 0 {
			switch w := strings.ToLower(text[m[2]:m[3]]); {
			case strings.HasPrefix(w, "half"), w == "media":
				n = 0
			default:
				n = atoiWord(w)
			}
		}
		unit = strings.ToLower(text[m[4]:m[5]])
		d := time.Duration(n) * time.Minute
		if strings.HasPrefix(unit, "h") {
			d = time.Duration(n) * time.Hour
		}
		if n == 0 {
			d = 30 * time.Minute
		}
		if n < 0 || n > 24*60 {
			return Moment{}, false
		}
		return Moment{Start: m[0], End: m[1], At: now.Add(d).Truncate(time.Minute)}, true
	}
	// "por la mañana" is the morning, not tomorrow: the day is read
	// with the parts of the day blanked out.
	blank := []byte(text)
	part, partSpan := "", []int(nil)
	for _, m := range rePartOfDay.FindAllStringSubmatchIndex(text, -1) {
		if partSpan == nil {
			partSpan = m[:2]
			for g := 2; g < len(m); g += 2 {
				if m[g] >= 0 {
					part = stripAccents.Replace(strings.ToLower(text[m[g]:m[g+1]]))
				}
			}
		}
		if strings.Contains(strings.ToLower(text[m[0]:m[1]]), "ma") && !strings.HasPrefix(strings.ToLower(text[m[0]:m[1]]), "morning") {
			for i := m[0]; i < m[1]; i++ {
				blank[i] = ' '
			}
		}
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	day, named := today, false
	var daySpan []int
	if partSpan != nil {
		if p := strings.ToLower(text[partSpan[0]:partSpan[1]]); strings.HasPrefix(p, "this") || strings.HasPrefix(p, "esta") {
			named = true // "this afternoon" is today's, past or not
		}
	}
	if ds := Dates(string(blank), now); len(ds) > 0 {
		best := -1
		for i, d := range ds {
			if best < 0 || (!d.Range && (ds[best].Range || d.Start < ds[best].Start)) {
				best = i
			}
		}
		day, named, daySpan = ds[best].From, true, []int{ds[best].Start, ds[best].End}
	}
	span := func(mm ...[]int) (int, int) {
		s, e := len(text), 0
		for _, x := range mm {
			if x != nil {
				s, e = min(s, x[0]), max(e, x[1])
			}
		}
		return s, e
	}
	at := func(h, min int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), h, min, 0, 0, now.Location())
	}
	// next moves a time named without a day to its next occurrence.
	next := func(t time.Time) time.Time {
		if !named && t.Before(now) {
			return t.AddDate(0, 0, 1)
		}
		return t
	}
	if h, mi, pm, ambiguous, clock, ok := findClock(text, part); ok {
		if (part == "tonight" || strings.HasPrefix(part, "noche")) && h < 5 && now.Hour() >= 5 && day.Equal(today) {
			day = day.AddDate(0, 0, 1) // "at 3am tonight", said in the evening
		}
		s, e := span(daySpan, clock, partSpan)
		mo := Moment{Start: s, End: e, At: next(at(h, mi))}
		if ambiguous {
			mo.PM = next(at(h+12, mi))
		} else if pm && h < 12 {
			mo.At = next(at(h+12, mi))
		}
		return mo, true
	}
	if m := reNoon.FindStringSubmatchIndex(text); m != nil {
		s, e := span(daySpan, m[:2])
		w := strings.ToLower(text[m[2]:m[3]])
		if strings.HasPrefix(w, "mid") && w != "midday" || strings.HasPrefix(w, "medianoche") {
			if !named {
				day = today.AddDate(0, 0, 1)
			} else {
				day = day.AddDate(0, 0, 1)
			}
			return Moment{Start: s, End: e, At: at(0, 0)}, true
		}
		return Moment{Start: s, End: e, At: next(at(12, 0))}, true
	}
	if p, ok := partsOfDay[part]; ok {
		s, e := span(daySpan, partSpan)
		return Moment{Start: s, End: e, At: at(p.from, 0), Until: at(p.to, 0)}, true
	}
	return Moment{}, false
}

// findClock finds a clock time in text; part is the part of the day the
// text names ("afternoon"), which says am or pm when the time does not.
// It returns the hour (0-23, or 1-12 when pm or ambiguous says which),
// minute, whether the hour is pm, whether am or pm is left open, and
// the span.
func findClock(text, part string) (h, mi int, pm, ambiguous bool, span []int, ok bool) {
	for _, m := range reClock.FindAllStringSubmatchIndex(text, -1) {
		g := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return strings.ToLower(text[m[2*i]:m[2*i+1]])
		}
		lead, hour, minutes, suffix, qual := g(1), g(2), g(3), g(4), g(5)
		if lead == "" && minutes == "" && suffix == "" && qual == "" {
			continue // a bare number is no time
		}
		if e := m[1]; e < len(text) && (isWordByte(text[e])) {
			continue // "12345", "at twos"
		}
		if lead == "by" || lead == "after" || lead == "about" || lead == "around" {
			if minutes == "" && suffix == "" && qual == "" && !isDigits(hour) {
				continue // "about one": not a time
			}
		}
		h = atoiWord(hour)
		if hour == "once" { // Spanish 11, but English "at once"
			if !strings.Contains(lead, "las") {
				continue
			}
			h = 11
		}
		mi = 0
		if minutes != "" {
			mi = atoiWord(minutes)
		}
		if h > 24 || mi > 59 {
			continue
		}
		if h == 24 {
			h = 0
		}
		suffix = strings.NewReplacer(".", "", " ", "").Replace(suffix)
		ctx := strings.ReplaceAll(stripAccents.Replace(qual+" "+part), "ñ", "n")
		switch {
		case strings.HasPrefix(suffix, "am"):
			if h > 12 {
				continue
			}
			h %= 12
		case strings.HasPrefix(suffix, "pm"):
			if h > 12 {
				continue
			}
			h, pm = h%12, true
		case h == 0 || h > 12 || len(hour) == 2 && hour[0] == '0' || suffix == "h" || suffix == "hrs":
			// a 24-hour time
		case strings.Contains(ctx, "madrugada") || strings.Contains(ctx, "manana") || strings.Contains(ctx, "morning"):
			h %= 12
		case strings.Contains(ctx, "mediodia"):
			pm = true
		case strings.Contains(ctx, "tarde") || strings.Contains(ctx, "noche") || strings.Contains(ctx, "afternoon") ||
			strings.Contains(ctx, "evening") || strings.Contains(ctx, "night"):
			if h == 12 {
				h = 0
				if !strings.Contains(ctx, "night") && !strings.Contains(ctx, "noche") {
					h = 12
				}
			} else if strings.Contains(ctx, "night") || strings.Contains(ctx, "noche") {
				pm = h >= 5 // "at 2 at night" is after midnight
			} else {
				pm = true
			}
		default:
			ambiguous = true
			h %= 12
		}
		return h, mi, pm, ambiguous, m[:2], true
	}
	return 0, 0, false, false, nil, false
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
