package escalation

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Hours are the times agents work: from Open to Close (hours of the day,
// 0-24) on Days, in Location. The zero Hours is always open.
type Hours struct {
	Location    *time.Location
	Open, Close int
	Days        []time.Weekday
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
	return nil
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
	return slices.Contains(h.Days, t.Weekday()) && t.Hour() >= h.Open && t.Hour() < h.Close
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
