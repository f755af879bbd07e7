package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/memory"
)

// TestRefundBudgetSurvivesRestart: the refund budget's count is kept in
// the SQLite file, so the demo started again refuses the refund that
// would go over it; over the in-memory store (-memory) a restart forgets
// the count.
func TestRefundBudgetSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	// Each call is a new process, refunding another amount (the same
	// request again would be answered from the kept result).
	amount := 0
	refund := func(store memory.Store) error {
		reg, err := newActions(newShop(time.Now()), true, durableActions(store)...)
		require.NoError(t, err)
		amount++
		_, err = reg.Call(ctx, action.Call{Action: actRefund, Args: json.RawMessage(fmt.Sprintf(`{"order_id":"A-1002","amount":%d}`, amount)),
			Conversation: "web:ada", Customer: "cus_ada", Confirmed: true})
		return err
	}
	for range 2 { // refunds allow 2 per conversation
		st, err := openStores(ctx, path)
		require.NoError(t, err)
		require.NoError(t, refund(st.kv))
		require.NoError(t, st.close())
	}
	st, err := openStores(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, st.close()) })
	err = refund(st.kv)
	var be *action.BudgetError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, "PerConversation", be.Budget)
	assert.Equal(t, 2.0, be.Used)

	mem := func() error { return refund(memory.NewMap()) }
	for range 3 {
		require.NoError(t, mem(), "in memory each start counts from zero")
	}
}

// TestApproverToldWhichBudgetIsUsedUp: a refund waiting for a teammate
// that can no longer run, because the customer's refunds for the day are
// used up (counted before a restart), is refused by the budget's name
// when approved, and does not run.
func TestApproverToldWhichBudgetIsUsedUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // no midnight in the middle
		ctx := context.Background()
		store := memory.NewMap()
		start := func() *actions {
			reg, err := newActions(newShop(time.Now()), true, durableActions(store)...)
			require.NoError(t, err)
			return newActionRunner(reg)
		}
		refund := func(a *actions, conv string, amount float64) (action.Result, error) {
			return a.reg.Call(ctx, action.Call{Action: actRefund, Args: json.RawMessage(fmt.Sprintf(`{"order_id":"A-1002","amount":%g}`, amount)),
				Conversation: conv, Customer: "cus_ada", Confirmed: true})
		}
		before := start()
		res, err := refund(before, "web:ada", 60)
		require.NoError(t, err)
		require.Equal(t, action.PendingApproval, res.Status)
		for i := range 5 { // refunds allow 5 per customer per day
			_, err := refund(before, fmt.Sprintf("web:ada-%d", i), 1)
			require.NoError(t, err)
		}

		after := start() // restarted
		_, _, err = after.decide(ctx, res.ApprovalID, "Tom", true)
		var be *action.BudgetError
		require.ErrorAs(t, err, &be)
		assert.Equal(t, "PerCustomerDay", be.Budget)
		assert.Contains(t, err.Error(), "refund: budget PerCustomerDay of 5 is used up for customer cus_ada (5 used)")
	})
}
