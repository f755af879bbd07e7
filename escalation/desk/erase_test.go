package desk_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/escalation/desk/internal/desktest"
	"github.com/parleyhq/parley/privacy"
)

// Erasing a customer deletes their tickets, open and closed, and keeps
// everyone else's; an unavailable desk is reported by name and the retry
// finishes.
func TestMemoryEraseDeletesTheCustomersTickets(t *testing.T) {
	ctx := t.Context()
	d := desk.NewMemory(&desktest.Recorder{})
	for _, tk := range []escalation.Ticket{
		{ID: "a-1", ConversationID: "wa-ada", CustomerID: "cust-ada", Reason: "refund", Summary: "Ada Lovelace wants her money back"},
		{ID: "a-2", ConversationID: "web-ada", CustomerID: "cust-ada", Reason: "asked for a person"},
		{ID: "b-1", ConversationID: "wa-bob", CustomerID: "cust-bob", Reason: "refund"},
	} {
		require.NoError(t, d.Submit(ctx, tk))
	}
	require.NoError(t, d.Cancel(ctx, "a-2", "customer left"))

	x, err := d.Export(ctx, "cust-ada")
	require.NoError(t, err)
	require.Len(t, x, 2)

	down := errors.New("maintenance")
	d.SetFault(down)
	e := privacy.NewEraser(d)
	err = e.Erase(ctx, "cust-ada")
	var ee *privacy.EraseError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "desk_tickets", ee.Failed[0].Source)
	assert.ErrorIs(t, err, down)

	d.SetFault(nil)
	require.NoError(t, e.Erase(ctx, "cust-ada"))
	require.NoError(t, e.Erase(ctx, "cust-ada"), "idempotent")
	for _, id := range []string{"a-1", "a-2"} {
		_, ok := d.Get(id)
		assert.False(t, ok, id)
	}
	q := d.Queue()
	require.Len(t, q, 1)
	assert.Equal(t, "b-1", q[0].Ticket.ID)
}
