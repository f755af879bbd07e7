package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/proactive"
)

// TestStopWithAnAgentOptsOut: STOP while a person owns the chat is
// recorded at once (qa13 G48), the agent reads it and the confirmation in
// the ticket, and the win-back offer the next day's inactivity would
// bring is held back once the agent has left.
func TestStopWithAnAgentOptsOut(t *testing.T) {
	c, a := newTester(t)
	ctx := t.Context()
	c.Send("speak to a human please")
	require.NoError(t, a.desk.Assign(ctx, openTicket(t, a), "Sam"))
	flush(c, a)
	c.Send("STOP")
	assert.Equal(t, []string{optOutText}, c.Texts())

	p, err := a.ret.profiles.LoadOrNew(ctx, "cus_ada")
	require.NoError(t, err)
	consent, ok := p.ConsentOn(string(proactive.Marketing), "test")
	require.True(t, ok, "the opt-out is recorded")
	assert.False(t, consent.Granted)

	var thread []string
	for _, m := range a.desk.Queue()[0].Thread {
		thread = append(thread, m.Text)
	}
	assert.Equal(t, []string{"STOP", optOutText}, thread, "the agent reads the STOP and what the customer was told")

	require.NoError(t, a.desk.Resolve(ctx, openTicket(t, a), "", ""))
	flush(c, a)
	c.Send("5")
	a.ret.bot = enqueueFunc(func(_ context.Context, turn *parley.Turn) error { a.divert(turn); return nil })
	a.ret.meet(parley.Address{Channel: "test", ConversationID: parleytest.DefaultConversation, CustomerID: "cus_ada"})
	_, err = a.ret.simulate(ctx, "cus_ada", "inactive")
	require.NoError(t, err)
	flush(c, a)
	assert.NotContains(t, c.Transcript(), "We miss you", "no win-back offer after STOP")
	log, err := a.ret.simulate(ctx, "cus_ada", "log")
	require.NoError(t, err)
	assert.Contains(t, log, "win_back/offer: opted_out", "the win-back offer is held back")
}
