package memory

import (
	"slices"
	"strconv"

	"github.com/parleyhq/parley/internal/jsonx"
)

// MarshalJSON encodes the session in the same JSON form encoding/json
// would, several times faster: sessions are written on every turn.
func (s *Session) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256+len(s.History)*96)
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
	return append(b, '}'), nil
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
