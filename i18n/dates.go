package i18n

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// WithDates writes the dates a reply gives in ISO form ("2026-12-13", as
// templates and databases hand them over) the way the reply's language
// writes them: "December 13, 2026", "13 de diciembre de 2026", "13
// décembre 2026", "13. Dezember 2026", "13 de dezembro de 2026", "13
// dicembre 2026"; a date at most a week from today, with its weekday and
// without the year: "Sunday, December 13", "el domingo 13 de diciembre".
// A time of day given with its date and time zone
// ("2026-12-11 14:00 America/New_York", as escalation's call-back times
// and the example's call-back form write them) is written with its
// weekday, without the year, and with the zone named by its city:
// "Friday, December 11, 2:00 pm New York time", "viernes 11 de
// diciembre, 14:00 hora de Nueva York"; in a quick-reply title, short:
// "Fri, Dec 11, 2:00 pm New York time". A line that holds nothing to
// translate besides such dates and times needs no translation. Replies
// in the bot's own language are written out too. Other languages, and
// strings that are not calendar dates, are left as they are.
func WithDates() Option { return func(s *settings) { s.dates = true } }

var (
	isoDate = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)
	// isoTime is a date, a 24-hour time and an IANA zone name (or UTC and
	// an offset from it).
	isoTime = regexp.MustCompile(`\b(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) ([A-Z][A-Za-z_]*(?:/[A-Za-z0-9_+\-]+)+|UTC(?:[+-]\d{2}:\d{2})?)`)
)

// weekdayNames are the days by base language, Sunday first.
var weekdayNames = map[string][7]string{
	"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	"es": {"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
	"fr": {"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
	"de": {"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
	"pt": {"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"},
	"it": {"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"},
}

// zoneTime says "the time in CITY" by base language.
var zoneTime = map[string]string{"en": "%s time", "es": "hora de %s", "fr": "heure de %s", "de": "Zeit %s", "pt": "hora de %s", "it": "ora di %s"}

// cityNames are the Spanish names of the cities time zones are named
// after, where they differ from the English; other languages use the
// English name. (golang.org/x/text carries no CLDR exemplar cities.)
var cityNames = map[string]map[string]string{
	"es": {"Dublin": "Dublín", "Lisbon": "Lisboa", "Canary": "Canarias", "Paris": "París", "Berlin": "Berlín", "Rome": "Roma",
		"Amsterdam": "Ámsterdam", "New York": "Nueva York", "Los Angeles": "Los Ángeles", "Mexico City": "Ciudad de México",
		"Bogota": "Bogotá", "Sao Paulo": "São Paulo", "Kolkata": "Calcuta", "Shanghai": "Shanghái", "Tokyo": "Tokio",
		"Sydney": "Sídney", "London": "Londres", "Brussels": "Bruselas", "Warsaw": "Varsovia", "Athens": "Atenas", "Moscow": "Moscú"},
}

// zoneName names a zone as "London time" in base at wall time t: by
// the city of an IANA name (in a language other than English, only a
// city cityNames translates or spells the same, else by its offset from
// UTC at t, "UTC+5:45", which reads the same in every language), or an
// offset as it is ("UTC+05:00" reads "UTC+5").
func zoneName(base, zone string, t time.Time) string {
	i := strings.LastIndexByte(zone, '/')
	if i < 0 {
		return shortOffset(zone)
	}
	city := strings.ReplaceAll(zone[i+1:], "_", " ")
	if c, ok := cityNames[base][city]; ok {
		city = c
	} else if base != "en" && !sameCity[city] {
		if loc, err := time.LoadLocation(zone); err == nil {
			_, off := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, loc).Zone()
			sign := "+"
			if off < 0 {
				sign, off = "-", -off
			}
			return shortOffset(fmt.Sprintf("UTC%s%02d:%02d", sign, off/3600, off%3600/60))
		}
	}
	return fmt.Sprintf(zoneTime[base], city)
}

// sameCity are the cities whose name every language the catalog writes
// spells as English does.
var sameCity = map[string]bool{"Madrid": true, "Toronto": true, "Chicago": true, "Denver": true, "Lima": true, "Caracas": true,
	"Santiago": true, "Buenos Aires": true, "Montevideo": true, "La Paz": true, "Panama": true}

// shortOffset writes "UTC+05:00" as "UTC+5" and "UTC+05:45" as
// "UTC+5:45".
func shortOffset(z string) string {
	z = strings.TrimSuffix(z, ":00")
	return strings.Replace(strings.Replace(z, "+0", "+", 1), "-0", "-", 1)
}

// writeTimes rewrites the dates with a time and zone in s for the base
// language base; short is for a button's title.
func writeTimes(base, s string, short bool) string {
	months, ok := monthNames[base]
	if !ok {
		return s
	}
	days := weekdayNames[base]
	var out strings.Builder
	last := 0
	for _, loc := range isoTime.FindAllStringIndex(s, -1) {
		out.WriteString(s[last:loc[0]])
		w := writeTime(base, s[loc[0]:loc[1]], months, days, short)
		if w != s[loc[0]:loc[1]] && base == "es" && !short && needsArticle(s[:loc[0]]) {
			// "te llamaremos el viernes 11 de diciembre": a Spanish day
			// in a sentence takes its article.
			w = "el " + w
		}
		out.WriteString(w)
		last = loc[1]
	}
	out.WriteString(s[last:])
	return out.String()
}

// needsArticle reports whether a Spanish weekday written after before
// needs "el" in front of it: it does inside a sentence ("¿Te llamamos al
// 600 123 456, el jueves 10 de diciembre...?", "hasta el lunes"), not
// after an article or a preposition that holds one ("el", "del", "al"),
// and not at the start of the text or of a line (a time alone, as a
// list's item).
func needsArticle(before string) bool {
	trimmed := strings.TrimRightFunc(before, unicode.IsSpace)
	if trimmed == "" || strings.HasSuffix(strings.TrimRight(before, " \t"), "\n") {
		return false
	}
	i := strings.LastIndexFunc(trimmed, func(r rune) bool { return !unicode.IsLetter(r) })
	switch strings.ToLower(trimmed[i+1:]) {
	case "el", "del", "al", "los", "cada", "este", "ese", "próximo", "proximo":
		return false
	}
	return true
}

// writeTime writes tok, one match of isoTime, for the base language base.
func writeTime(base, tok string, months [12]string, days [7]string, short bool) string {
	m := isoTime.FindStringSubmatch(tok)
	t, err := time.Parse("2006-01-02 15:04", m[1]+" "+m[2])
	if err != nil {
		return tok
	}
	day, month, wd := strconv.Itoa(t.Day()), months[t.Month()-1], days[t.Weekday()]
	if short {
		month, wd = abbrev(month), abbrev(wd)
	}
	zone := zoneName(base, m[3], t)
	switch base {
	case "en":
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		ampm := "am"
		if t.Hour() >= 12 {
			ampm = "pm"
		}
		return fmt.Sprintf("%s, %s %s, %d:%02d %s %s", wd, month, day, h, t.Minute(), ampm, zone)
	case "de":
		return fmt.Sprintf("%s, %s. %s, %s %s", wd, day, month, t.Format("15:04"), zone)
	}
	return fmt.Sprintf("%s %s de %s, %s %s", wd, day, month, t.Format("15:04"), zone)
}

// abbrev shortens a month or weekday name to three letters.
func abbrev(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return s
	}
	return string(r[:3])
}

// onlyDates reports whether s holds nothing to translate besides its
// dates and times: digits, signs and zone names.
func onlyDates(s string) bool {
	rest := isoDate.ReplaceAllString(isoTime.ReplaceAllString(s, ""), "")
	return !strings.ContainsFunc(rest, unicode.IsLetter)
}

// monthNames are the months by base language, January first.
var monthNames = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"es": {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	"de": {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	"pt": {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
	"it": {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
}

// writeDates rewrites the ISO dates in s for the base language base. A
// date within a week of today (today's date by now, with the weekday
// it brings) is written with its weekday and without the year, as people
// say a near date: "Saturday, January 8", "el sábado 8 de enero"; other
// dates in full: "January 8, 2027", "8 de enero de 2027".
func writeDates(base, s string, now time.Time) string {
	months, ok := monthNames[base]
	if !ok {
		return s
	}
	days := weekdayNames[base]
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	var out strings.Builder
	last := 0
	for _, loc := range isoDate.FindAllStringIndex(s, -1) {
		iso := s[loc[0]:loc[1]]
		out.WriteString(s[last:loc[0]])
		last = loc[1]
		t, err := time.Parse(time.DateOnly, iso)
		if err != nil {
			out.WriteString(iso) // 2026-13-45: not a date
			continue
		}
		day, month, year := strconv.Itoa(t.Day()), months[t.Month()-1], strconv.Itoa(t.Year())
		if away := t.Sub(today); away >= -7*24*time.Hour && away <= 7*24*time.Hour {
			wd := days[t.Weekday()]
			switch base {
			case "en":
				out.WriteString(wd + ", " + month + " " + day)
			case "de":
				out.WriteString(wd + ", " + day + ". " + month)
			case "es", "pt":
				if base == "es" && needsArticle(s[:loc[0]]) {
					out.WriteString("el ") // "se renovará el sábado 8 de enero"
				}
				out.WriteString(wd + " " + day + " de " + month)
			default:
				out.WriteString(wd + " " + day + " " + month)
			}
			continue
		}
		switch base {
		case "en":
			out.WriteString(month + " " + day + ", " + year)
		case "es", "pt":
			out.WriteString(day + " de " + month + " de " + year)
		case "de":
			out.WriteString(day + ". " + month + " " + year)
		default:
			out.WriteString(day + " " + month + " " + year)
		}
	}
	out.WriteString(s[last:])
	return out.String()
}
