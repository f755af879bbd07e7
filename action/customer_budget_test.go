package action_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/action"
)

type centsArgs struct {
	Amount float64 `json:"amount"`
}

type codeArgs struct {
	Campaign string `json:"campaign"`
}

// payRegistry registers a "refund" action with the budgets of the issue's
// shop, scaled down: $1.00 a day for everyone, $0.20 a day per customer,
// automatic up to $0.50; and an "offer_code" action, one per customer per
// campaign.
func payRegistry(t *testing.T, ran *int, opts ...action.Option) *action.Registry {
	t.Helper()
	reg := action.NewRegistry(append([]action.Option{action.WithWrites(true),
		action.WithApprover(action.ApproverFunc(func(context.Context, action.ApprovalRequest) error { return nil }))}, opts...)...)
	require.NoError(t, action.Register(reg, action.Def[centsArgs, string]{Name: "refund",
		Amount: func(a centsArgs) float64 { return a.Amount }, AutoApprove: 0.50,
		DailyAmount: 1.00, CustomerDailyAmount: 0.20,
		Run: func(context.Context, centsArgs) (string, error) { *ran++; return "ok", nil }}))
	require.NoError(t, action.Register(reg, action.Def[codeArgs, string]{Name: "offer_code", Writes: true, NoConfirm: true,
		PerCustomer: 1, Scope: func(a codeArgs) string { return a.Campaign },
		Run: func(context.Context, codeArgs) (string, error) { *ran++; return fmt.Sprintf("CODE-%d", *ran), nil }}))
	return reg
}

func pay(ctx context.Context, reg *action.Registry, customer, conv string, amount float64) (action.Result, error) {
	return reg.Call(ctx, action.Call{Action: "refund", Args: json.RawMessage(fmt.Sprintf(`{"amount":%.2f}`, amount)),
		Conversation: conv, Customer: customer, Confirmed: true})
}

// TestOneCustomerCannotExhaustTheDailyBudget is issue 15's 205 refunds of
// $0.01, scaled down: one customer's 100 refunds of $0.01 stop at their
// own $0.20, and everyone else still gets refunded.
func TestOneCustomerCannotExhaustTheDailyBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // no midnight in the middle
		ran := 0
		reg := payRegistry(t, &ran)
		ctx := context.Background()
		refused := 0
		for i := range 100 {
			_, err := pay(ctx, reg, "mallory", fmt.Sprintf("m%d", i), 0.01)
			if err != nil {
				var be *action.BudgetError
				require.ErrorAs(t, err, &be)
				assert.Equal(t, "CustomerDailyAmount", be.Budget)
				assert.Equal(t, "mallory", be.Customer)
				refused++
			}
		}
		assert.Equal(t, 20, ran, "mallory gets her $0.20 a day")
		assert.Equal(t, 80, refused)
		for _, c := range []string{"alice", "bob", "carol"} {
			res, err := pay(ctx, reg, c, "conv-"+c, 0.20)
			require.NoError(t, err, c)
			assert.Equal(t, action.Done, res.Status)
		}
		assert.Equal(t, 23, ran)
	})
}

// TestApproverToldWhichBudgetIsExhausted: a refund waiting for a person
// that can no longer run, because the day's budget is spent, is reported
// to the approver by the budget's name, not dropped silently.
func TestApproverToldWhichBudgetIsExhausted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ran := 0
		reg := payRegistry(t, &ran)
		ctx := context.Background()
		// Over the automatic limit and over the customer's own day:
		// wait for a person.
		res, err := pay(ctx, reg, "dana", "d1", 0.60)
		require.NoError(t, err)
		require.Equal(t, action.PendingApproval, res.Status)
		// Five customers spend the shop's $1.00.
		for i := range 5 {
			_, err := pay(ctx, reg, fmt.Sprintf("c%d", i), fmt.Sprintf("conv%d", i), 0.20)
			require.NoError(t, err)
		}
		_, err = reg.Approve(ctx, res.ApprovalID, "Tom")
		var be *action.BudgetError
		require.ErrorAs(t, err, &be)
		require.ErrorIs(t, err, action.ErrBudget)
		assert.Equal(t, "CustomerDailyAmount", be.Budget, "the first budget the call is over is named")
		assert.Contains(t, err.Error(), "refund: budget CustomerDailyAmount of 0.20 is used up for customer dana")
		assert.Equal(t, 5, ran, "the approved refund did not run")

		res, err = pay(ctx, reg, "erin", "e1", 0.10)
		require.ErrorAs(t, err, &be)
		assert.Equal(t, "DailyAmount", be.Budget)
		assert.Equal(t, "action: budget exhausted: refund: budget DailyAmount of 1.00 is used up (1.00 used)", err.Error())
		assert.Empty(t, res.Status)
	})
}

// TestOneOfferCodePerCustomerPerCampaign is issue 15's 60 chats minting
// 60 discount codes: one customer in 60 conversations gets one code per
// campaign.
func TestOneOfferCodePerCustomerPerCampaign(t *testing.T) {
	ran := 0
	reg := payRegistry(t, &ran)
	ctx := context.Background()
	code := func(customer, conv, campaign string) (action.Result, error) {
		return reg.Call(ctx, action.Call{Action: "offer_code", Args: json.RawMessage(`{"campaign":"` + campaign + `"}`),
			Conversation: conv, Customer: customer, IdempotencyKey: conv})
	}
	var codes []string
	for i := range 60 {
		res, err := code("mallory", fmt.Sprintf("chat-%d", i), "winback")
		if err == nil {
			codes = append(codes, string(res.Output))
			continue
		}
		var be *action.BudgetError
		require.ErrorAs(t, err, &be)
		assert.Equal(t, "PerCustomer", be.Budget)
	}
	assert.Equal(t, []string{`"CODE-1"`}, codes)
	_, err := code("mallory", "chat-x", "spring")
	require.NoError(t, err, "another campaign has its own code")
	_, err = code("alice", "chat-a", "winback")
	require.NoError(t, err, "another customer has their own code")
	assert.Equal(t, 3, ran)
}

// TestPendingApprovalsPerCustomer is issue 15's 40 pending approvals from
// one script: one customer in 40 conversations leaves at most 5 waiting.
func TestPendingApprovalsPerCustomer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ran := 0
		reg := payRegistry(t, &ran)
		ctx := context.Background()
		pending := 0
		for i := range 40 {
			res, err := pay(ctx, reg, "mallory", fmt.Sprintf("chat-%d", i), 0.51+float64(i)/100)
			if err == nil {
				require.Equal(t, action.PendingApproval, res.Status)
				pending++
				continue
			}
			var be *action.BudgetError
			require.ErrorAs(t, err, &be)
			assert.Equal(t, "MaxPendingPerCustomer", be.Budget)
		}
		assert.Equal(t, 5, pending)
		all, err := reg.Pending(ctx)
		require.NoError(t, err)
		assert.Len(t, all, 5)
		res, err := pay(ctx, reg, "alice", "a1", 0.70)
		require.NoError(t, err)
		assert.Equal(t, action.PendingApproval, res.Status, "another customer can still ask")
	})
}
