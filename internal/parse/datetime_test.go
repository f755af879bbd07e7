package parse

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFindMoment(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	// Sunday December 6, 2026, 20:40 in London (QA9's clock).
	now := time.Date(2026, 12, 6, 20, 40, 0, 0, london)
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, london) }
	cases := []struct {
		text   string
		at, pm time.Time
		until  time.Time
		span   string
	}{
		{text: "call me next friday morning", at: at(11, 8, 0), until: at(11, 12, 0), span: "next friday morning"},
		{text: "next friday at 2", at: at(11, 2, 0), pm: at(11, 14, 0), span: "next friday at 2"},
		{text: "friday at 2pm", at: at(11, 14, 0), span: "friday at 2pm"},
		{text: "in an hour", at: at(6, 21, 40), span: "in an hour"},
		{text: "in 30 minutes please", at: at(6, 21, 10), span: "in 30 minutes"},
		{text: "en media hora", at: at(6, 21, 10), span: "en media hora"},
		{text: "at 3am tonight", at: at(7, 3, 0), span: "at 3am tonight"},
		{text: "yesterday at 5pm", at: at(5, 17, 0), span: "yesterday at 5pm"},
		{text: "tomorrow at 3pm", at: at(7, 15, 0), span: "tomorrow at 3pm"},
		{text: "tomorrow 15:30", at: at(7, 15, 30), span: "tomorrow 15:30"},
		{text: "3pm tomorrow", at: at(7, 15, 0), span: "3pm tomorrow"},
		{text: "at 10am", at: at(7, 10, 0), span: "at 10am"}, // 10am today has passed
		{text: "at 9 in the evening", at: at(6, 21, 0), span: "at 9 in the evening"},
		{text: "tomorrow morning at 10", at: at(7, 10, 0), span: "tomorrow morning at 10"},
		{text: "this afternoon at 3", at: at(6, 15, 0), span: "this afternoon at 3"}, // past: the caller says so
		{text: "tomorrow at noon", at: at(7, 12, 0), span: "tomorrow at noon"},
		{text: "tomorrow afternoon", at: at(7, 12, 0), until: at(7, 18, 0), span: "tomorrow afternoon"},
		{text: "monday 09:00", at: at(7, 9, 0), span: "monday 09:00"},
		{text: "Dec 11 at 4:15 PM", at: at(11, 16, 15), span: "Dec 11 at 4:15 PM"},
		{text: "mañana a las 3", at: at(7, 3, 0), pm: at(7, 15, 0), span: "mañana a las 3"},
		{text: "mañana a las 3 de la tarde", at: at(7, 15, 0), span: "mañana a las 3 de la tarde"},
		{text: "el viernes por la mañana", at: at(11, 8, 0), until: at(11, 12, 0), span: "el viernes por la mañana"},
		{text: "llámame el viernes que viene por la mañana", at: at(11, 8, 0), until: at(11, 12, 0), span: "el viernes que viene por la mañana"},
		{text: "mañana por la tarde", at: at(7, 12, 0), until: at(7, 20, 0), span: "mañana por la tarde"},
		{text: "el lunes a las 10 de la mañana", at: at(7, 10, 0), span: "el lunes a las 10 de la mañana"},
		{text: "a la una", at: at(7, 1, 0), pm: at(7, 13, 0), span: "a la una"},
		{text: "el martes a las once", at: at(8, 11, 0), pm: at(8, 23, 0), span: "el martes a las once"},
		{text: "a las 17h", at: at(7, 17, 0), span: "a las 17h"},
		{text: "dentro de 2 horas", at: at(6, 22, 40), span: "dentro de 2 horas"},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			m, ok := FindMoment(c.text, now)
			require.True(t, ok)
			require.Equal(t, c.at, m.At, "at")
			require.Equal(t, c.pm, m.PM, "pm")
			require.Equal(t, !c.pm.IsZero(), m.Ambiguous())
			require.Equal(t, c.until, m.Until, "until")
			require.Equal(t, c.span, c.text[m.Start:m.End])
		})
	}
}

// "at 3am tonight" said after midnight is in a few hours, not tomorrow
// night.
func TestFindMomentTonightAfterMidnight(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 45, 0, 0, time.UTC)
	m, ok := FindMoment("at 3am tonight", now)
	require.True(t, ok)
	require.Equal(t, time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC), m.At)
}

func TestFindMomentNone(t *testing.T) {
	now := time.Date(2026, 12, 6, 20, 40, 0, 0, time.UTC)
	for _, text := range []string{"", "07700 900123", "tomorrow", "el viernes", "order A-1002", "$39.00", "call me at once",
		"I waited 2 hours", "12345", "mañana", "the 3 of us", "please call me back", "at 25:00", "at 13pm"} {
		_, ok := FindMoment(text, now)
		require.False(t, ok, text)
	}
}

func FuzzFindMoment(f *testing.F) {
	for _, s := range []string{"next friday at 2", "mañana a las 3 de la tarde", "in an hour", "at 3am tonight", "el viernes por la mañana", "noon"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 6, 20, 40, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := FindMoment(s, now)
		if !ok {
			return
		}
		require.True(t, 0 <= m.Start && m.Start <= m.End && m.End <= len(s), "span %d-%d of %q", m.Start, m.End, s)
		require.False(t, m.At.IsZero())
	})
}
