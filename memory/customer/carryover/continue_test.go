package carryover

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
)

func TestContinueFrom(t *testing.T) {
	web := &memory.Session{ID: "web-1", CustomerID: "cust-1", Turns: 3}
	require.NoError(t, memory.SetState(web, "flow", map[string]string{"node": "ask_order"}))
	web.Append(memory.Entry{Role: memory.RoleUser, Text: "my order"})
	wa := &memory.Session{ID: "wa-1"}
	continueFrom(wa, web)
	st, ok, err := memory.GetState[map[string]string](wa, "flow")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "ask_order", st["node"])
	assert.Equal(t, "cust-1", wa.CustomerID)
	assert.Equal(t, 0, wa.Turns)
	require.Len(t, wa.History, 1)
	web.State["flow"][0] = 'X'
	_, _, err = memory.GetState[map[string]string](wa, "flow")
	require.NoError(t, err, "the copy is deep")
}
