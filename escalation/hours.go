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
// "Mon 7 Dec 13:00 London time", naming a zone by its city ("New York
// time" for America/New_York) and any other by its abbreviation
// ("13:00 UTC").
func timeLabel(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	name := loc.String()
	if i := strings.LastIndexByte(name, '/'); i >= 0 && i < len(name)-1 && !strings.HasPrefix(name, "Etc/") {
		return t.Format("Mon 2 Jan 15:04 ") + strings.ReplaceAll(name[i+1:], "_", " ") + " time"
	}
	return t.Format("Mon 2 Jan 15:04 MST")
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

// slots returns the start of the next n whole working hours after t, at
// least lead later: the call-back times offered to a customer.
func (h Hours) slots(t time.Time, lead time.Duration, n int) []time.Time {
	var out []time.Time
	s := t.Add(lead).In(h.loc()).Truncate(time.Hour)
	if s.Before(t.Add(lead)) {
		s = s.Add(time.Hour)
	}
	for i := 0; len(out) < n && i < 24*14; i++ {
		if h.IsOpen(s) {
			out = append(out, s)
		}
		s = s.Add(time.Hour)
	}
	return out
}
