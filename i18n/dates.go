package i18n

import (
	"regexp"
	"strconv"
	"time"
)

// WithDates writes the dates a reply gives in ISO form ("2026-12-13", as
// templates and databases hand them over) the way the reply's language
// writes them: "December 13, 2026", "13 de diciembre de 2026", "13
// décembre 2026", "13. Dezember 2026", "13 de dezembro de 2026", "13
// dicembre 2026". Replies in the bot's own language are written out too.
// Other languages, and strings that are not calendar dates, are left as
// they are.
func WithDates() Option { return func(s *settings) { s.dates = true } }

var isoDate = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

// monthNames are the months by base language, January first.
var monthNames = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"es": {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	"de": {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	"pt": {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
	"it": {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
}

// writeDates rewrites the ISO dates in s for the base language base.
func writeDates(base, s string) string {
	months, ok := monthNames[base]
	if !ok {
		return s
	}
	return isoDate.ReplaceAllStringFunc(s, func(iso string) string {
		d, err := time.Parse(time.DateOnly, iso)
		if err != nil {
			return iso // 2026-13-45: not a date
		}
		day, month, year := strconv.Itoa(d.Day()), months[d.Month()-1], strconv.Itoa(d.Year())
		switch base {
		case "en":
			return month + " " + day + ", " + year
		case "es", "pt":
			return day + " de " + month + " de " + year
		case "de":
			return day + ". " + month + " " + year
		}
		return day + " " + month + " " + year
	})
}
