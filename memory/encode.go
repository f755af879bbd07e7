package memory

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/parleyhq/parley/internal/jsonx"
)

// MarshalJSON encodes the session in the same JSON form encoding/json
// would, several times faster: sessions are written on every turn.
func (s *Session) MarshalJSON() ([]byte, error) {
	b, _ := s.appendJSON(nil, s.sizeHint(), nil, 0)
	return b, nil
}

// encodedHistory is a session as it was saved: the history entries,
// never modified while they are used here, and the record they were
// encoded in, History[i] at raw[offs[2*i]:offs[2*i+1]]. sess, seen,
// state and spareOffs are the rest of that session and memory for the
// offsets of the next save, kept to reuse their memory.
type encodedHistory struct {
	entries   []Entry
	seen      []string
	state     map[string]json.RawMessage
	raw       []byte
	offs      []int32
	spareOffs []int32
	sess      *Session
}

// sameEntry reports whether a and b encode alike. Entries with Meta are
// never the same: a map can change in place.
func sameEntry(a, b *Entry) bool {
	return a.Role == b.Role && a.Text == b.Text && a.Time == b.Time && a.MessageID == b.MessageID &&
		a.Channel == b.Channel && len(a.Meta) == 0 && len(b.Meta) == 0
}

// appendJSON appends s to b, in a new buffer when b has not room for
// hint more bytes (s.sizeHint()). prev, if not nil,
// is how History was last encoded, with History[i] expected at
// prev.entries[i+shift]: an entry that is the same there is copied from
// prev.raw instead of being encoded again (the bytes are the same either
// way). It returns where each history entry starts and ends in the
// result.
func (s *Session) appendJSON(b []byte, hint int, prev *encodedHistory, shift int) ([]byte, []int32) {
	// Grow gives all of the allocation's size class: a reused buffer
	// (see Sessions.recycle) then fits the next records of about the
	// same size, which grow by a few bytes a turn.
	b = slices.Grow(b, hint)
	var offs []int32
	if prev != nil && cap(prev.spareOffs) >= 2*len(s.History) {
		offs = prev.spareOffs[:0]
	} else {
		offs = make([]int32, 0, 2*len(s.History)+8)
	}
	b = append(b, `{"id":`...)
	b = jsonx.AppendString(b, s.ID)
	if s.CustomerID != "" {
		b = append(b, `,"customer":`...)
		b = jsonx.AppendString(b, s.CustomerID)
	}
	b = append(b, `,"created":`...)
	b = jsonx.AppendTime(b, s.Created)
	b = append(b, `,"updated":`...)
	b = jsonx.AppendTime(b, s.Updated)
	b = append(b, `,"turns":`...)
	b = strconv.AppendInt(b, int64(s.Turns), 10)
	b = append(b, `,"messages":`...)
	b = strconv.AppendInt(b, int64(s.Messages), 10)
	if len(s.History) > 0 {
		b = append(b, `,"history":[`...)
		for i := range s.History {
			if i > 0 {
				b = append(b, ',')
			}
			start := len(b)
			e := &s.History[i]
			if j := i + shift; prev != nil && j >= 0 && j < len(prev.entries) && sameEntry(e, &prev.entries[j]) {
				b = append(b, prev.raw[prev.offs[2*j]:prev.offs[2*j+1]]...)
			} else {
				b = e.appendJSON(b)
			}
			offs = append(offs, int32(start), int32(len(b)))
		}
		b = append(b, ']')
	}
	if len(s.State) > 0 {
		b = append(b, `,"state":{`...)
		var arr [8]string
		for i, k := range jsonx.SortedKeys(arr[:0], s.State) {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonx.AppendString(b, k)
			b = append(b, ':')
			if v := s.State[k]; len(v) > 0 {
				b = append(b, v...)
			} else {
				b = append(b, "null"...)
			}
		}
		b = append(b, '}')
	}
	if len(s.Seen) > 0 {
		b = append(b, `,"seen":[`...)
		for i, id := range s.Seen {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonx.AppendString(b, id)
		}
		b = append(b, ']')
	}
	b = append(b, `,"v":`...)
	b = strconv.AppendInt(b, int64(s.Format), 10)
	return append(b, '}'), offs
}

// sizeHint returns about how long s's record is, a little more rather
// than less, so that encoding it allocates once and no more than it needs.
func (s *Session) sizeHint() int {
	n := 180 + len(s.ID) + len(s.CustomerID) // the keys, times and counts
	for i := range s.History {
		e := &s.History[i]
		// The keys, quotes and commas (30), and the time: 22 bytes to the
		// second in UTC, up to 10 more for a fraction, 5 for an offset.
		n += 52 + len(e.Role) + len(e.Text)
		if e.Time.Nanosecond() != 0 {
			n += 10
		}
		if loc := e.Time.Location(); loc != time.UTC && loc != time.Local {
			n += 5
		}
		if e.MessageID != "" {
			n += 9 + len(e.MessageID)
		}
		if e.Channel != "" {
			n += 8 + len(e.Channel)
		}
		if len(e.Meta) > 0 {
			n += 10
			for k, v := range e.Meta {
				n += 6 + len(k) + len(v)
			}
		}
	}
	for k, v := range s.State {
		n += 4 + len(k) + len(v)
	}
	for _, id := range s.Seen {
		n += 3 + len(id)
	}
	return n + n/32 // escaping, a local zone's offset
}

func (e *Entry) appendJSON(b []byte) []byte {
	b = append(b, `{"role":`...)
	b = jsonx.AppendString(b, string(e.Role))
	if e.Text != "" {
		b = append(b, `,"text":`...)
		b = jsonx.AppendString(b, e.Text)
	}
	b = append(b, `,"time":`...)
	b = jsonx.AppendTime(b, e.Time)
	if e.MessageID != "" {
		b = append(b, `,"mid":`...)
		b = jsonx.AppendString(b, e.MessageID)
	}
	if e.Channel != "" {
		b = append(b, `,"ch":`...)
		b = jsonx.AppendString(b, e.Channel)
	}
	if len(e.Meta) > 0 {
		b = append(b, `,"meta":`...)
		b = jsonx.AppendStringMap(b, e.Meta)
	}
	return append(b, '}')
}
