package memory_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
)

type peekState struct {
	Step  string            `json:"step"`
	Slots map[string]string `json:"slots,omitempty"`
}

func TestStateKeyPeek(t *testing.T) {
	key := memory.NewStateKey[*peekState]("test.peek")
	s := &memory.Session{ID: "c1"}

	_, ok, err := key.Peek(s)
	require.NoError(t, err)
	assert.False(t, ok, "no state yet")

	byValue := memory.NewStateKey[peekState]("test.peek") // another key of the same name
	require.NoError(t, byValue.Set(s, peekState{Step: "a"}))
	first, ok, err := key.Peek(s)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "a", first.Step)
	again, _, _ := key.Peek(s)
	assert.Same(t, first, again, "decoded once while the bytes are unchanged")
	fresh, _, _ := key.Get(s)
	assert.NotSame(t, first, fresh, "Get always decodes")

	set := &peekState{Step: "b"}
	require.NoError(t, key.Set(s, set))
	got, _, _ := key.Peek(s)
	assert.Same(t, set, got, "the value set, without decoding")

	require.NoError(t, byValue.Set(s, peekState{Step: "c"}))
	got, _, _ = key.Peek(s)
	assert.Equal(t, "c", got.Step, "a write by another key of the name is seen")

	c := s.Clone()
	cloned, _, _ := key.Peek(c)
	assert.NotSame(t, got, cloned, "a clone decodes its own copy")
	assert.Equal(t, "c", cloned.Step)

	key.Delete(s)
	_, ok, _ = key.Peek(s)
	assert.False(t, ok, "deleted")

	s.State["test.peek"] = json.RawMessage("{")
	_, ok, err = key.Peek(s)
	assert.True(t, ok)
	var corrupt *memory.CorruptError
	assert.ErrorAs(t, err, &corrupt)
}

func TestStateKeyPeekOtherKeys(t *testing.T) {
	a := memory.NewStateKey[*peekState]("test.a")
	b := memory.NewStateKey[*peekState]("test.b")
	s := &memory.Session{ID: "c1"}
	require.NoError(t, a.Set(s, &peekState{Step: "a"}))
	require.NoError(t, b.Set(s, &peekState{Step: "b"}))

	pa, _, _ := a.Peek(s)
	require.NoError(t, b.Set(s, &peekState{Step: "b2"}), "setting another key")
	pa2, _, _ := a.Peek(s)
	assert.Same(t, pa, pa2, "leaves the peeked key alone")
	pb, _, _ := b.Peek(s)
	assert.Equal(t, "b2", pb.Step)
	pa3, _, _ := a.Peek(s)
	assert.Equal(t, "a", pa3.Step, "one key at a time: a is decoded again")
}
