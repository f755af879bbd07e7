package flow

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"

	"github.com/parleyhq/parley/internal/cache"
	"github.com/parleyhq/parley/internal/jsonx"
	"github.com/parleyhq/parley/memory"
)

// appendJSON encodes st exactly as encoding/json would, without
// reflection: flow state is written on every turn.
func (st *state) appendJSON(b []byte) []byte {
	b = append(b, '{')
	comma := false
	field := func(name string) {
		if comma {
			b = append(b, ',')
		}
		comma = true
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	str := func(name, v string) {
		if v != "" {
			field(name)
			b = jsonx.AppendString(b, v)
		}
	}
	str("flow", st.Flow)
	str("version", st.Version)
	str("node", st.Node)
	if st.Waiting {
		field("waiting")
		b = append(b, "true"...)
	}
	if st.Attempts != 0 {
		field("attempts")
		b = strconv.AppendInt(b, int64(st.Attempts), 10)
	}
	if !st.Since.IsZero() {
		field("since")
		b = jsonx.AppendTime(b, st.Since)
	}
	if len(st.Stack) > 0 {
		field("stack")
		b = append(b, '[')
		for i, f := range st.Stack {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"flow":`...)
			b = jsonx.AppendString(b, f.Flow)
			b = append(b, `,"version":`...)
			b = jsonx.AppendString(b, f.Version)
			b = append(b, `,"node":`...)
			b = jsonx.AppendString(b, f.Node)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(st.Slots) > 0 {
		field("slots")
		b = jsonx.AppendStringMap(b, st.Slots)
	}
	if len(st.Visits) > 0 {
		field("visits")
		b = jsonx.AppendIntMap(b, st.Visits)
	}
	if len(st.Rotation) > 0 {
		field("rot")
		b = jsonx.AppendIntMap(b, st.Rotation)
	}
	str("intent", st.Intent)
	str("last", string(st.Last))
	str("last_flow", st.LastFlow)
	return append(b, '}')
}

func (st *state) clone() *state {
	c := *st
	c.Stack = slices.Clone(st.Stack)
	c.Slots = maps.Clone(st.Slots)
	c.Visits = maps.Clone(st.Visits)
	c.Rotation = maps.Clone(st.Rotation)
	return &c
}

// stateCache remembers decoded flow states by their encoded form, so the
// common case (this process wrote the state last turn) skips decoding.
// Entries are deep-copied in and out.
type stateCache struct{ c *cache.Cache[*state] }

func (c stateCache) get(raw []byte) *state {
	st, ok := c.c.Get(string(raw))
	if !ok {
		return nil
	}
	return st.clone()
}

func (c stateCache) put(raw []byte, st *state) { c.c.Put(string(raw), st.clone()) }

// loadState reads the flow state from a session.
func (e *Engine) loadState(s *memory.Session) (*state, error) {
	raw := s.State[stateKey]
	if len(raw) == 0 {
		return &state{Slots: map[string]string{}}, nil
	}
	if st := e.states.get(raw); st != nil {
		return st, nil
	}
	st := new(state)
	if err := json.Unmarshal(raw, st); err != nil {
		return nil, &memory.CorruptError{Key: s.ID + "#" + stateKey, Err: err}
	}
	if st.Slots == nil {
		st.Slots = map[string]string{}
	}
	return st, nil
}

// saveState writes the flow state into a session.
func (e *Engine) saveState(s *memory.Session, st *state) {
	raw := st.appendJSON(make([]byte, 0, 256))
	if s.State == nil {
		s.State = make(map[string]json.RawMessage)
	}
	s.State[stateKey] = raw
	e.states.put(raw, st)
}
