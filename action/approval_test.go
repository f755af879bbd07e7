package action_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/examples/shop"
	"github.com/parleyhq/parley/memory"
)

func pendingIDs(t *testing.T, reg *action.Registry) []string {
	t.Helper()
	as, err := reg.Pending(context.Background())
	require.NoError(t, err)
	var ids []string
	for _, a := range as {
		ids = append(ids, a.Request.ID)
	}
	return ids
}

func bigRefund(conv, args string) action.Call {
	return action.Call{Action: "refund", Conversation: conv, Customer: "C1", Confirmed: true, Args: json.RawMessage(args)}
}

func TestApprovalDeduplicated(t *testing.T) {
	reg, b, ap, audit := setup(t)
	ctx := context.Background()
	first, err := reg.Call(ctx, bigRefund("c1", `{"order_id":"A1002","amount":300,"reason":"broken"}`))
	require.NoError(t, err)
	require.Equal(t, action.PendingApproval, first.Status)

	// The same request again: repeated, keys reordered, spaced, under
	// another idempotency key. One approval, one desk request.
	same := []action.Call{
		bigRefund("c1", `{"order_id":"A1002","amount":300,"reason":"broken"}`),
		bigRefund("c1", `{"reason":"broken","amount":300,"order_id":"A1002"}`),
		bigRefund("c1", `{ "order_id" : "A1002", "amount" : 300, "reason" : "broken" }`),
		func() action.Call {
			c := bigRefund("c1", `{"order_id":"A1002","amount":300,"reason":"broken"}`)
			c.IdempotencyKey = "model-retry-7"
			return c
		}(),
	}
	for i, c := range same {
		res, err := reg.Call(ctx, c)
		require.NoError(t, err, "call %d", i)
		assert.Equal(t, action.Result{Status: action.PendingApproval, ApprovalID: first.ApprovalID}, res, "call %d", i)
	}
	assert.Len(t, ap.reqs, 1, "one desk request")
	assert.Equal(t, []string{first.ApprovalID}, pendingIDs(t, reg))

	// Different requests get their own approvals.
	other := []action.Call{
		bigRefund("c1", `{"order_id":"A1002","amount":301,"reason":"broken"}`),
		bigRefund("c2", `{"order_id":"A1002","amount":300,"reason":"broken"}`),
	}
	for _, c := range other {
		res, err := reg.Call(ctx, c)
		require.NoError(t, err)
		assert.NotEqual(t, first.ApprovalID, res.ApprovalID)
	}
	assert.Len(t, ap.reqs, 3)
	assert.Len(t, pendingIDs(t, reg), 3)

	// Approving runs it once; the audit ties the run to the approval.
	approveRefund(t, reg, b, audit, first.ApprovalID, "agent-maria")
	for _, e := range audit.Entries()[:5] {
		assert.Equal(t, first.ApprovalID, e.ApprovalID, "pending entries name the approval")
	}
	_, err = reg.Approve(ctx, first.ApprovalID, "agent-tom")
	require.ErrorIs(t, err, action.ErrNoApproval)
	require.ErrorIs(t, err, action.ErrRejected)
	assert.Equal(t, 1, b.Refunds())
}

func TestApprovalDeduplicatedConcurrently(t *testing.T) {
	var requests atomic.Int64
	reg := action.NewRegistry(action.WithWrites(true), action.WithApprover(action.ApproverFunc(
		func(context.Context, action.ApprovalRequest) error { requests.Add(1); return nil })))
	require.NoError(t, shop.Register(reg, shop.NewBackend()))
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			res, err := reg.Call(context.Background(), bigRefund("c1", `{"order_id":"A1002","amount":300,"reason":"broken"}`))
			assert.NoError(t, err)
			ids[i] = res.ApprovalID
		})
	}
	wg.Wait()
	assert.Equal(t, int64(1), requests.Load())
	for _, id := range ids {
		assert.Equal(t, ids[0], id)
	}
	// Two agents approving at once: it runs once.
	var done atomic.Int64
	for range 4 {
		wg.Go(func() {
			if _, err := reg.Approve(context.Background(), ids[0], "agent"); err == nil {
				done.Add(1)
			} else {
				assert.ErrorIs(t, err, action.ErrNoApproval)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(1), done.Load())
}

func TestApprovalReachesTheDesk(t *testing.T) {
	reg, b, _, _ := setup(t)
	c := bigRefund("c7", `{"order_id": "A1002", "amount": 120, "reason": "broken"}`)
	approver, handoffs := deskApprover("c7")
	c.Approver = approver
	res, err := reg.Call(context.Background(), c)
	require.NoError(t, err)
	require.Equal(t, action.PendingApproval, res.Status)
	require.Len(t, *handoffs, 1)
	ticket := (*handoffs)[0]
	assert.Equal(t, dialog.PriorityHigh, ticket.Priority)
	assert.Contains(t, ticket.Note, res.ApprovalID)

	// What an agent or console reads from the ticket.
	req, err := action.ApprovalRequestFromData(ticket.Data)
	require.NoError(t, err)
	want := action.ApprovalRequest{ID: res.ApprovalID, Conversation: "c7", Customer: "C1", Action: "refund",
		Args: json.RawMessage(`{"order_id":"A1002","amount":120,"reason":"broken"}`), Amount: 120, Limit: shop.AutoRefundLimit}
	assert.Empty(t, cmp.Diff(want, req))
	var args shop.RefundArgs
	require.NoError(t, json.Unmarshal(req.Args, &args))
	assert.Equal(t, shop.RefundArgs{OrderID: "A1002", Amount: 120, Reason: "broken"}, args)

	// The decision comes back by ID.
	assert.Equal(t, 0, b.Refunds())
	done, err := reg.Approve(context.Background(), req.ID, "agent-maria")
	require.NoError(t, err)
	assert.Equal(t, action.Done, done.Status)
	assert.Equal(t, 1, b.Refunds())
}

func TestApprovalRequestFromDataErrors(t *testing.T) {
	ok := action.ApprovalRequest{ID: "appr-1", Conversation: "c1", Action: "refund", Args: json.RawMessage(`{"a":1}`), Amount: 60, Limit: 50}.Data()
	tests := []struct {
		name string
		give func(map[string]string)
	}{
		{name: "no id", give: func(d map[string]string) { delete(d, action.DataApprovalID) }},
		{name: "no action", give: func(d map[string]string) { d[action.DataAction] = "" }},
		{name: "args not json", give: func(d map[string]string) { d[action.DataArgs] = "{oops" }},
		{name: "bad amount", give: func(d map[string]string) { d[action.DataAmount] = "lots" }},
		{name: "bad limit", give: func(d map[string]string) { d[action.DataLimit] = "" }},
		{name: "NaN amount", give: func(d map[string]string) { d[action.DataAmount] = "NaN" }},
		{name: "infinite amount", give: func(d map[string]string) { d[action.DataAmount] = "1e400" }},
		{name: "negative amount", give: func(d map[string]string) { d[action.DataAmount] = "-5" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := map[string]string{}
			for k, v := range ok {
				d[k] = v
			}
			tt.give(d)
			_, err := action.ApprovalRequestFromData(d)
			require.Error(t, err)
		})
	}
	got, err := action.ApprovalRequestFromData(ok)
	require.NoError(t, err)
	assert.Equal(t, 60.0, got.Amount)
}

func TestApproverFailureLeavesNothingPending(t *testing.T) {
	boom := errors.New("desk unreachable")
	reg := action.NewRegistry(action.WithWrites(true), action.WithApprover(action.ApproverFunc(
		func(context.Context, action.ApprovalRequest) error { return boom })))
	require.NoError(t, shop.Register(reg, shop.NewBackend()))
	_, err := reg.Call(context.Background(), bigRefund("c1", `{"order_id":"A1002","amount":300,"reason":"broken"}`))
	require.ErrorIs(t, err, boom)
	assert.Empty(t, pendingIDs(t, reg), "a request nobody saw is not pending")
}

// TestApprovalStores runs the same checks on each ApprovalStore.
func TestApprovalStores(t *testing.T) {
	stores := map[string]func() action.ApprovalStore{
		"memory":       func() action.ApprovalStore { return &action.MemoryApprovals{} },
		"memory.Store": func() action.ApprovalStore { return action.NewStoreApprovals(memory.NewMap()) },
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore()
			a1 := action.Approval{Request: action.ApprovalRequest{ID: "appr-1", Action: "refund"}, Key: "k1"}
			got, added, err := s.Add(ctx, a1)
			require.NoError(t, err)
			assert.True(t, added)
			assert.Equal(t, "appr-1", got.Request.ID)
			got, added, err = s.Add(ctx, action.Approval{Request: action.ApprovalRequest{ID: "appr-2"}, Key: "k1"})
			require.NoError(t, err)
			assert.False(t, added, "same key")
			assert.Equal(t, "appr-1", got.Request.ID)
			_, added, err = s.Add(ctx, action.Approval{Request: action.ApprovalRequest{ID: "appr-3"}, Key: "k3"})
			require.NoError(t, err)
			assert.True(t, added)
			list, err := s.List(ctx)
			require.NoError(t, err)
			require.Len(t, list, 2)

			taken, err := s.Take(ctx, "appr-1")
			require.NoError(t, err)
			assert.Equal(t, "refund", taken.Request.Action)
			_, err = s.Take(ctx, "appr-1")
			require.ErrorIs(t, err, action.ErrNoApproval)
			// The key is free again.
			_, added, err = s.Add(ctx, action.Approval{Request: action.ApprovalRequest{ID: "appr-4"}, Key: "k1"})
			require.NoError(t, err)
			assert.True(t, added)

			// Concurrent adds of one key: one wins.
			var wins atomic.Int64
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					_, added, err := s.Add(ctx, action.Approval{Request: action.ApprovalRequest{ID: fmt.Sprint("c-", i)}, Key: "kc"})
					assert.NoError(t, err)
					if added {
						wins.Add(1)
					}
				})
			}
			wg.Wait()
			assert.Equal(t, int64(1), wins.Load())
			list, err = s.List(ctx)
			require.NoError(t, err)
			assert.Len(t, list, 3, "appr-3, appr-4 and one of the concurrent adds")
		})
	}
}

// TestApprovalsSurviveRestart: with a persistent store, a registry built
// after a restart sees and decides the approvals of the one before.
func TestApprovalsSurviveRestart(t *testing.T) {
	store := memory.NewMap() // stands in for memory/redis or memory/postgres
	ctx := context.Background()
	b := shop.NewBackend()
	newRegistry := func() (*action.Registry, *approvals, *action.MemoryAudit) {
		ap, audit := &approvals{}, &action.MemoryAudit{}
		reg := action.NewRegistry(action.WithWrites(true), action.WithApprover(ap), action.WithAudit(audit),
			action.WithApprovals(action.NewStoreApprovals(store, action.WithPrefix("shop/approvals/"))))
		require.NoError(t, shop.Register(reg, b))
		return reg, ap, audit
	}
	before, ap, _ := newRegistry()
	res, err := before.Call(ctx, bigRefund("c1", `{"order_id":"A1002","amount":300,"reason":"broken"}`))
	require.NoError(t, err)
	require.Len(t, ap.reqs, 1)

	after, ap2, audit := newRegistry()
	pending, err := after.Pending(ctx)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, res.ApprovalID, pending[0].Request.ID)
	assert.Equal(t, 300.0, pending[0].Request.Amount)
	// Still de-duplicated after the restart.
	again, err := after.Call(ctx, bigRefund("c1", `{"order_id":"A1002","amount":300,"reason":"broken"}`))
	require.NoError(t, err)
	assert.Equal(t, res.ApprovalID, again.ApprovalID)
	assert.Empty(t, ap2.reqs)

	approveRefund(t, after, b, audit, res.ApprovalID, "agent-maria")
	assert.Empty(t, pendingIDs(t, after))

	require.NoError(t, after.Reject(ctx, mustPending(t, after, bigRefund("c2", `{"order_id":"A1002","amount":100,"reason":"x"}`)), "agent-tom"))
	last := audit.Entries()[len(audit.Entries())-1]
	assert.Equal(t, "rejected", last.Outcome)
	assert.Equal(t, 1, b.Refunds())
}

func mustPending(t *testing.T, reg *action.Registry, c action.Call) string {
	t.Helper()
	res, err := reg.Call(context.Background(), c)
	require.NoError(t, err)
	require.Equal(t, action.PendingApproval, res.Status)
	return res.ApprovalID
}
