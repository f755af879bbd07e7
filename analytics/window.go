package analytics

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A Window is the half-open period [From, To). A conversation belongs to
// the window its first event falls in. The zero Window is all time.
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

func (w Window) has(ns int64) bool {
	if !w.From.IsZero() && ns < w.From.UnixNano() {
		return false
	}
	if !w.To.IsZero() && ns >= w.To.UnixNano() {
		return false
	}
	return true
}

// Contains reports whether t is in w.
func (w Window) Contains(t time.Time) bool { return w.has(t.UnixNano()) }

// String formats w as "2026-01-05 to 2026-01-12".
func (w Window) String() string {
	if w.From.IsZero() && w.To.IsZero() {
		return "all time"
	}
	return fmt.Sprintf("%s to %s", w.From.Format(time.DateTime), w.To.Format(time.DateTime))
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// Day returns the calendar day containing t, in t's location.
func Day(t time.Time) Window {
	d := midnight(t)
	return Window{From: d, To: d.AddDate(0, 0, 1)}
}

// Week returns the week (Monday to Monday) containing t, in t's
// location.
func Week(t time.Time) Window {
	d := midnight(t)
	d = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	return Window{From: d, To: d.AddDate(0, 0, 7)}
}

// Month returns the calendar month containing t.
func Month(t time.Time) Window {
	y, m, _ := t.Date()
	d := time.Date(y, m, 1, 0, 0, 0, 0, t.Location())
	return Window{From: d, To: d.AddDate(0, 1, 0)}
}

// Quarter returns the calendar quarter containing t.
func Quarter(t time.Time) Window {
	y, m, _ := t.Date()
	d := time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, t.Location())
	return Window{From: d, To: d.AddDate(0, 3, 0)}
}

// Last returns the window of length d ending at now.
func Last(d time.Duration, now time.Time) Window {
	return Window{From: now.Add(-d), To: now}
}

// Split cuts w into consecutive windows of length step (the last may
// be shorter), for trends. Steps of 24h and more follow the calendar
// (a day is a calendar day even across a daylight-saving change). It
// returns nil for an unbounded window or a step <= 0.
func (w Window) Split(step time.Duration) []Window {
	if w.From.IsZero() || w.To.IsZero() || step <= 0 {
		return nil
	}
	var out []Window
	for t := w.From; t.Before(w.To); {
		next := t.Add(step)
		if step >= 24*time.Hour && step%(24*time.Hour) == 0 {
			next = t.AddDate(0, 0, int(step/(24*time.Hour)))
		}
		if next.After(w.To) {
			next = w.To
		}
		out = append(out, Window{From: t, To: next})
		t = next
	}
	return out
}

func sortRecords(rs []Record) {
	slices.SortFunc(rs, func(a, b Record) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Conversation, b.Conversation)
	})
}
