package flow

import (
	"bytes"
	"encoding/json"
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
			if f.Intent != "" {
				b = append(b, `,"intent":`...)
				b = jsonx.AppendString(b, f.Intent)
			}
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
	if st.Held != nil {
		field("held")
		b = st.Held.appendJSON(b)
	}
	if st.HeldAt != 0 {
		field("held_at")
		b = strconv.AppendInt(b, int64(st.HeldAt), 10)
	}
	if st.HeldReply {
		field("held_reply")
		b = append(b, "true"...)
	}
	if st.HeldCancel {
		field("held_cancel")
		b = append(b, "true"...)
	}
	return append(b, '}')
}

// stateCache keeps the flow state each conversation saved last, decoded,
// so that the common case (this process wrote the state last turn) skips
// decoding. It is keyed by conversation: a loader takes the entry out, so
// the state becomes its turn's own and is changed in place with nothing to
// copy, and saveState puts the turn's state back. An entry is used only if
// the session holds the very bytes it was saved as, so a failed turn
// (whose state was never stored), another replica's write or a state
// changed by hand is never missed.
type stateCache struct{ c *cache.Cache[*state] }

// take returns the cached state of conversation id if it was saved as
// raw, and forgets it either way.
func (c stateCache) take(id string, raw []byte) *state {
	st, ok := c.c.Take(id)
	if !ok || !bytes.Equal(st.saved, raw) {
		return nil
	}
	return st
}

// put caches st, just saved as raw, for conversation id. st must not be
// changed afterwards (a turn's run ends with its save).
func (c stateCache) put(id string, raw []byte, st *state) {
	// A copy: the session's bytes can be changed in place.
	st.saved = append(st.saved[:0], raw...)
	c.c.Put(id, st)
}

// loadState reads the flow state from a session.
func (e *Engine) loadState(s *memory.Session) (*state, error) {
	raw := s.State[stateKey.Name()]
	if len(raw) == 0 {
		return &state{Slots: map[string]string{}}, nil
	}
	if st := e.states.take(s.ID, raw); st != nil {
		return st, nil
	}
	st := new(state)
	if err := json.Unmarshal(raw, st); err != nil {
		return nil, &memory.CorruptError{Key: s.ID + "#" + stateKey.Name(), Err: err}
	}
	if st.Slots == nil {
		st.Slots = map[string]string{}
	}
	return st, nil
}

// saveState writes the flow state into a session.
//
// The bytes are encoded into those the session holds when they are the
// very ones this state was saved as last (st.out), as in the common case
// where the conversation's last turn ran in this process: nobody else
// holds them, since a session's state is its own (a cached session moves
// to the turn that loads it, a copy of one clones its state) and nothing
// read from a session may be kept once its turn has ended. Any other
// bytes (decoded from the store, a cached clone) may be shared, and are
// left as they are.
func (e *Engine) saveState(s *memory.Session, st *state) {
	var buf []byte
	if old := s.State[stateKey.Name()]; len(old) > 0 && len(st.out) > 0 && &old[0] == &st.out[0] {
		buf = st.out[:0]
	} else {
		buf = make([]byte, 0, 256)
	}
	raw := st.appendJSON(buf)
	st.out = raw
	if s.State == nil {
		s.State = make(map[string]json.RawMessage)
	}
	s.State[stateKey.Name()] = raw
	e.states.put(s.ID, raw, st)
}
