package main

import (
	"fmt"
	"time"
)

// zoneCity names the time zones the shop's customers live in by their
// city, in each language the bot speaks, so that a call-back time reads
// "London time" in English and "hora de Londres" in Spanish.
// golang.org/x/text carries no CLDR exemplar cities, hence the table;
// a zone it lacks is named by its offset from UTC (zoneLabel), which
// reads the same in every language.
var zoneCity = map[string]struct{ en, es string }{
	"Europe/London":                  {"London", "Londres"},
	"Europe/Dublin":                  {"Dublin", "Dublín"},
	"Europe/Lisbon":                  {"Lisbon", "Lisboa"},
	"Europe/Madrid":                  {"Madrid", "Madrid"},
	"Atlantic/Canary":                {"Canary Islands", "Canarias"},
	"Europe/Paris":                   {"Paris", "París"},
	"Europe/Berlin":                  {"Berlin", "Berlín"},
	"Europe/Rome":                    {"Rome", "Roma"},
	"Europe/Amsterdam":               {"Amsterdam", "Ámsterdam"},
	"America/New_York":               {"New York", "Nueva York"},
	"America/Toronto":                {"Toronto", "Toronto"},
	"America/Chicago":                {"Chicago", "Chicago"},
	"America/Denver":                 {"Denver", "Denver"},
	"America/Los_Angeles":            {"Los Angeles", "Los Ángeles"},
	"America/Mexico_City":            {"Mexico City", "Ciudad de México"},
	"America/Bogota":                 {"Bogotá", "Bogotá"},
	"America/Lima":                   {"Lima", "Lima"},
	"America/Caracas":                {"Caracas", "Caracas"},
	"America/Santiago":               {"Santiago", "Santiago"},
	"America/Argentina/Buenos_Aires": {"Buenos Aires", "Buenos Aires"},
	"America/Sao_Paulo":              {"São Paulo", "São Paulo"},
	"Asia/Kolkata":                   {"Kolkata", "Calcuta"},
	"Asia/Shanghai":                  {"Shanghai", "Shanghái"},
	"Asia/Tokyo":                     {"Tokyo", "Tokio"},
	"Australia/Sydney":               {"Sydney", "Sídney"},
}

// zoneLabel returns how a call-back time names the IANA zone tz, inside
// parentheses after the time: "London time" for a zone the table
// names (the catalog translates the city), "UTC+5:45" at time now for
// any other, and "" for a name that is no zone at all.
func zoneLabel(tz string, now time.Time) string {
	if z, ok := zoneCity[tz]; ok {
		return z.en + " time"
	}
	loc, err := time.LoadLocation(tz)
	if tz == "" || err != nil {
		return ""
	}
	_, off := now.In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	h, m := off/3600, off%3600/60
	if m == 0 {
		return fmt.Sprintf("UTC%s%d", sign, h)
	}
	return fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
}

// zoneCitiesSpanish is the table's Spanish, for the catalog: the city
// in "When suits you ({zone} time)?" is translated word for word.
func zoneCitiesSpanish() map[string]string {
	m := make(map[string]string, len(zoneCity))
	for _, z := range zoneCity {
		if z.es != z.en {
			m[z.en] = z.es
		}
	}
	return m
}
