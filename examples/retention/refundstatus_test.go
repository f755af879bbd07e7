package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/parleytest"
)

// A refund sent today, a week ago and three weeks ago: the last one
// should have shown by now, and a teammate can trace it.
func TestRefundSentText(t *testing.T) {
	now := time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC)
	r := sentRefund{Order: "A-1001", Amount: 20}
	r.At = now.Add(-time.Hour)
	require.Equal(t, "Your refund of $20.00 on A-1001 was sent today. It takes 5-10 business days to show on your statement.", refundSentText(r, now))
	r.At = now.AddDate(0, 0, -7)
	require.Equal(t, "Your refund of $20.00 on A-1001 was sent on 2026-11-29. It takes 5-10 business days to show on your statement.", refundSentText(r, now))
	r.At = now.AddDate(0, 0, -21)
	require.Contains(t, refundSentText(r, now), `sent on 2026-11-15, more than 10 business days ago. If it still isn't on your statement, type "human"`)
}

// A customer takes back a refund that waits for a teammate's OK: nothing
// is refunded, the approvals page no longer lists it, the audit says who
// withdrew it, and a teammate deciding it afterwards changes nothing and
// tells the customer nothing.
func TestRefundWithdrawnByCustomer(t *testing.T) {
	c, a := newTester(t)
	c.Send("refund A-1002").Send("$120").Tap("Yes").Expect(parleytest.Contains("quick OK from a teammate"))
	id := pendingApproval(t, a).ID
	c.Send("I don't want the refund any more").Expect(parleytest.Contains("I've withdrawn your refund request of $120.00 on A-1002"))
	pending, err := a.actions.awaiting(t.Context())
	require.NoError(t, err)
	require.Empty(t, pending)
	var by string
	for _, e := range a.actions.reg.Audit().(*action.MemoryAudit).Entries() {
		if e.ApprovalID == id {
			by = e.Approver
		}
	}
	require.Equal(t, withdrawnBy, by)
	require.ErrorIs(t, a.decide(t.Context(), id, "Sam", true), action.ErrNoApproval)
	require.Zero(t, a.shop.refunded("A-1002"))
	a.mu.Lock()
	told := len(a.pending)
	a.mu.Unlock()
	require.Zero(t, told, "nobody to tell: the request was withdrawn")
	// With nothing waiting, the words are no withdrawal: the turn goes on.
	for _, text := range c.Send("I don't want the refund any more").Texts() {
		require.NotContains(t, text, "withdrawn")
	}
}
