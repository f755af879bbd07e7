package carryover

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
)

// flowKey is a flow's state, carried over to the new conversation.
var flowKey = memory.NewStateKey[map[string]string]("flow")

func TestContinueFrom(t *testing.T) {
	web := &memory.Session{ID: "web-1", CustomerID: "cust-1", Turns: 3}
	require.NoError(t, flowKey.Set(web, map[string]string{"node": "ask_order"}))
	web.Append(memory.Entry{Role: memory.RoleUser, Text: "my order"})
	wa := &memory.Session{ID: "wa-1"}
	continueFrom(wa, web)
	st, ok, err := flowKey.Get(wa)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "ask_order", st["node"])
	assert.Equal(t, "cust-1", wa.CustomerID)
	assert.Equal(t, 0, wa.Turns)
	require.Len(t, wa.History, 1)
	web.State["flow"][0] = 'X'
	_, _, err = flowKey.Get(wa)
	require.NoError(t, err, "the copy is deep")
}
