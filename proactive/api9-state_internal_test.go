package proactive

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// A session stored before the typed state key keeps its last campaign
// message: the key has the old name and the value the old JSON, so the
// customer's reply is still reported, and the state is written back in
// the same form.
func TestLastCampaignStateKeepsItsStoredForm(t *testing.T) {
	stored := `{"campaign":"tips","step":"s1","goal":"order_placed","sent":"2026-01-05T09:00:00Z"}`
	s := &memory.Session{ID: "c1", State: map[string]json.RawMessage{"proactive": json.RawMessage(stored)}}
	turn := (&parley.Turn{ConversationID: "c1", Message: parley.Text("yes please"),
		Time: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)}).WithSession(s)

	(&Engine{}).noteReply(context.Background(), turn)

	assert.JSONEq(t, `{"campaign":"tips","step":"s1","goal":"order_placed","sent":"2026-01-05T09:00:00Z","replied":true}`, string(s.State["proactive"]))
	last, ok, err := lastKey.Get(s)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, lastCampaign{Campaign: "tips", Step: "s1", Goal: "order_placed", Sent: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), Replied: true}, last)
}
