package memory

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// MarshalJSON encodes the session in the same JSON form encoding/json
// would, several times faster: sessions are written on every turn.
func (s *Session) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256+len(s.History)*96)
	b = append(b, `{"id":`...)
	b = appendString(b, s.ID)
	if s.CustomerID != "" {
		b = append(b, `,"customer":`...)
		b = appendString(b, s.CustomerID)
	}
	b = append(b, `,"created":`...)
	b = appendTime(b, s.Created)
	b = append(b, `,"updated":`...)
	b = appendTime(b, s.Updated)
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
			b = s.History[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	if len(s.State) > 0 {
		b = append(b, `,"state":{`...)
		keys := make([]string, 0, len(s.State))
		for k := range s.State {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
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
			b = appendString(b, id)
		}
		b = append(b, ']')
	}
	b = append(b, `,"v":`...)
	b = strconv.AppendInt(b, int64(s.Format), 10)
	return append(b, '}'), nil
}

func (e *Entry) appendJSON(b []byte) []byte {
	b = append(b, `{"role":`...)
	b = appendString(b, string(e.Role))
	if e.Text != "" {
		b = append(b, `,"text":`...)
		b = appendString(b, e.Text)
	}
	b = append(b, `,"time":`...)
	b = appendTime(b, e.Time)
	if e.MessageID != "" {
		b = append(b, `,"mid":`...)
		b = appendString(b, e.MessageID)
	}
	if e.Channel != "" {
		b = append(b, `,"ch":`...)
		b = appendString(b, e.Channel)
	}
	if len(e.Meta) > 0 {
		b = append(b, `,"meta":{`...)
		keys := make([]string, 0, len(e.Meta))
		for k := range e.Meta {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, e.Meta[k])
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

const hex = "0123456789abcdef"

// appendString appends s as a JSON string, escaping as encoding/json does
// (including <, > and & for HTML safety, U+2028 and U+2029) and replacing
// invalid UTF-8 with U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
