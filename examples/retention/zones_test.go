package main

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/parleytest"
	"github.com/stretchr/testify/assert"
)

func TestZoneLabel(t *testing.T) {
	winter := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		tz   string
		now  time.Time
		want string
	}{
		{"Europe/London", winter, "London time"},
		{"America/Los_Angeles", summer, "Los Angeles time"},
		{"America/Argentina/Buenos_Aires", winter, "Buenos Aires time"},
		// Not in the table: the offset, which reads the same in every
		// language, and follows daylight saving.
		{"Asia/Kathmandu", winter, "UTC+5:45"},
		{"Europe/Warsaw", winter, "UTC+1"},
		{"Europe/Warsaw", summer, "UTC+2"},
		{"America/Anchorage", winter, "UTC-9"},
		{"UTC", winter, "UTC+0"},
		{"Mars/Olympus_Mons", winter, ""},
		{"", winter, ""},
	} {
		assert.Equal(t, tc.want, zoneLabel(tc.tz, tc.now), "%s at %s", tc.tz, tc.now)
	}
}

// A Spanish call-back names the customer's zone in Spanish: the city
// ("hora de Nueva York") or, for a zone the table lacks, the offset,
// never an English city inside a Spanish sentence.
func TestCallbackZoneSpanish(t *testing.T) {
	ben, _ := newTester(t, parleytest.WithCustomer("cus_ben"))
	ben.Send("me podéis llamar, por favor?").Expect(parleytest.Exact(`¿Cuándo te viene bien (hora de Nueva York)? Por ejemplo "mañana por la mañana".`))
	ben.Send("el lunes a las 6").Expect(parleytest.Contains("¿Te llamamos al +1 212 555 0147, el lunes a las 6 (hora de Nueva York)?"))

	c, a := newTester(t)
	ada := a.shop.customers["cus_ada"]
	ada.TimeZone = "Asia/Kathmandu"
	a.shop.customers["cus_ada"] = ada
	c.Send("me podéis llamar?").Expect(parleytest.Exact("Claro. ¿A qué número te llamamos?"))
	c.Send("+977 1 4412345").Expect(parleytest.Exact(`¿Cuándo te viene bien (UTC+5:45)? Por ejemplo "mañana por la mañana".`))
	c.Send("mañana a las 10").Expect(parleytest.Contains("¿Te llamamos al +977 1 4412345, mañana a las 10 (UTC+5:45)?"))
	c.Tap("Sí").Expect(parleytest.Exact("Reservado: te llamaremos al +977 1 4412345, mañana a las 10 (UTC+5:45)."))
}
