package escalation

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Hours are the times agents work: from Open to Close (hours of the day,
// 0-24) on Days, in Location. The zero Hours is always open.
type Hours struct {
	Location    *time.Location
	Open, Close int
	Days        []time.Weekday
	// Except gives other hours, {open, close}, on some days: {Saturday:
	// {10, 16}} for a short Saturday. A day listed here is a working
	// day whether or not Days lists it.
	Except map[time.Weekday][2]int
}

// OfficeHours returns 9:00-17:00, Monday to Friday, in loc.
func OfficeHours(loc *time.Location) Hours {
	return Hours{Location: loc, Open: 9, Close: 17,
		Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}}
}

func (h Hours) always() bool { return h.Open == 0 && h.Close == 0 && len(h.Days) == 0 }

func (h Hours) validate() error {
	if h.always() {
		return nil
	}
	if h.Open < 0 || h.Close > 24 || h.Open >= h.Close {
		return fmt.Errorf("escalation: hours %d-%d: want 0 <= open < close <= 24", h.Open, h.Close)
	}
	if len(h.Days) == 0 {
		return errors.New("escalation: hours without days")
	}
	for d, oc := range h.Except {
		if oc[0] < 0 || oc[1] > 24 || oc[0] >= oc[1] {
			return fmt.Errorf("escalation: hours on %s %d-%d: want 0 <= open < close <= 24", d, oc[0], oc[1])
		}
	}
	return nil
}

// day returns the working hours of weekday d, and whether it is a
// working day.
func (h Hours) day(d time.Weekday) (open, close int, ok bool) {
	if oc, ok := h.Except[d]; ok {
		return oc[0], oc[1], true
	}
	return h.Open, h.Close, slices.Contains(h.Days, d)
}

// next returns the first working hour at or after t (t itself when the
// hours are always open), or the zero time if there is none within two
// weeks.
func (h Hours) next(t time.Time) time.Time {
	if h.IsOpen(t) {
		return t
	}
	s := t.In(h.loc()).Truncate(time.Hour)
	for i := 0; i < 24*14; i++ {
		s = s.Add(time.Hour)
		if h.IsOpen(s) {
			return s
		}
	}
	return time.Time{}
}

// timeLabel writes t in loc as a call-back time or an opening reads:
// "2026-12-07 13:00 Europe/London", the date, the time and the IANA
// zone, which i18n.WithDates writes out in the reply's language
// ("Monday, December 7, 1:00 pm London time", "lunes 7 de diciembre,
// 13:00 hora de Londres"). A zone without a city is written as the
// offset from UTC ("13:00 UTC-05:00").
func timeLabel(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	name := loc.String()
	if strings.Contains(name, "/") && !strings.HasPrefix(name, "Etc/") {
		return t.Format("2006-01-02 15:04 ") + name
	}
	_, off := t.Zone()
	if off == 0 {
		return t.Format("2006-01-02 15:04 UTC")
	}
	return t.Format("2006-01-02 15:04 UTC-07:00")
}

func (h Hours) loc() *time.Location {
	if h.Location == nil {
		return time.UTC
	}
	return h.Location
}

// IsOpen reports whether t falls in the working hours.
func (h Hours) IsOpen(t time.Time) bool {
	if h.always() {
		return true
	}
	t = t.In(h.loc())
	open, close, ok := h.day(t.Weekday())
	return ok && t.Hour() >= open && t.Hour() < close
}

// Customers are offered call-backs between dayStart and dayEnd, their
// time, whatever hours the agents keep: not at midnight because the
// team is always open.
const dayStart, dayEnd = 8, 21

// slots returns the start of the next n whole working hours after t, at
// least lead later, that are day for the customer in loc: the call-back
// times offered to a customer.
func (h Hours) slots(t time.Time, lead time.Duration, n int, loc *time.Location) []time.Time {
	var out []time.Time
	s := t.Add(lead).In(h.loc()).Truncate(time.Hour)
	if s.Before(t.Add(lead)) {
		s = s.Add(time.Hour)
	}
	for i := 0; len(out) < n && i < 24*14; i++ {
		if hr := s.In(loc).Hour(); h.IsOpen(s) && hr >= dayStart && hr < dayEnd {
			out = append(out, s)
		}
		s = s.Add(time.Hour)
	}
	return out
}
