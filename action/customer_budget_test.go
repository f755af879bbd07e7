package action_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/memory"
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
	forBudgetStores(t, func(t *testing.T, reg *action.Registry, ran *int) {
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
		assert.Equal(t, 20, *ran, "mallory gets her $0.20 a day")
		assert.Equal(t, 80, refused)
		for _, c := range []string{"alice", "bob", "carol"} {
			res, err := pay(ctx, reg, c, "conv-"+c, 0.20)
			require.NoError(t, err, c)
			assert.Equal(t, action.Done, res.Status)
		}
		assert.Equal(t, 23, *ran)
	})
}

// TestApproverToldWhichBudgetIsExhausted: a refund waiting for a person
// that can no longer run, because the day's budget is spent, is reported
// to the approver by the budget's name, not dropped silently.
func TestApproverToldWhichBudgetIsExhausted(t *testing.T) {
	forBudgetStores(t, func(t *testing.T, reg *action.Registry, ran *int) {
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
		assert.Equal(t, 5, *ran, "the approved refund did not run")

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
	forBudgetStores(t, func(t *testing.T, reg *action.Registry, ran *int) {
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
		assert.Equal(t, 3, *ran)
	})
}

// TestPendingApprovalsPerCustomer is issue 15's 40 pending approvals from
// one script: one customer in 40 conversations leaves at most 5 waiting.
func TestPendingApprovalsPerCustomer(t *testing.T) {
	forBudgetStores(t, func(t *testing.T, reg *action.Registry, ran *int) {
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

// forBudgetStores runs a budget test over a new [payRegistry] whose
// counters are in memory, then over one whose counters are in a store
// ([action.WithStore]); ran counts the actions that ran. Each runs in a
// synctest bubble, so that no midnight falls in the middle.
func forBudgetStores(t *testing.T, test func(t *testing.T, reg *action.Registry, ran *int)) {
	for _, tt := range []struct {
		name string
		opts func() []action.Option
	}{
		{"memory", func() []action.Option { return nil }},
		{"store", func() []action.Option { return []action.Option{action.WithStore(memory.NewMap())} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ran := 0
				test(t, payRegistry(t, &ran, tt.opts()...), &ran)
			})
		})
	}
}

// TestBudgetsSurviveRestart: a registry started again over the same store
// (the process restarted) finds the day's budgets as spent as they were,
// and the customer's one code per campaign already given.
func TestBudgetsSurviveRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory.NewMap()
		ctx := context.Background()
		ran := 0
		before := payRegistry(t, &ran, action.WithStore(store))
		for i := range 5 {
			_, err := pay(ctx, before, fmt.Sprintf("c%d", i), fmt.Sprintf("conv%d", i), 0.20)
			require.NoError(t, err)
		}
		_, err := before.Call(ctx, action.Call{Action: "offer_code", Args: json.RawMessage(`{"campaign":"winback"}`),
			Conversation: "chat-1", Customer: "mallory"})
		require.NoError(t, err)
		require.Equal(t, 6, ran)

		after := payRegistry(t, &ran, action.WithStore(store)) // the restarted process
		_, err = pay(ctx, after, "erin", "e1", 0.10)
		var be *action.BudgetError
		require.ErrorAs(t, err, &be)
		assert.Equal(t, "DailyAmount", be.Budget)
		assert.InDelta(t, 1.00, be.Used, 1e-9)
		_, err = after.Call(ctx, action.Call{Action: "offer_code", Args: json.RawMessage(`{"campaign":"winback"}`),
			Conversation: "chat-2", Customer: "mallory"})
		require.ErrorAs(t, err, &be)
		assert.Equal(t, "PerCustomer", be.Budget)
		assert.Equal(t, 6, ran, "nothing ran after the restart")

		// The next day (UTC) the daily budgets start again; the code
		// stays given.
		time.Sleep(24 * time.Hour)
		_, err = pay(ctx, after, "erin", "e2", 0.10)
		require.NoError(t, err)
		_, err = after.Call(ctx, action.Call{Action: "offer_code", Args: json.RawMessage(`{"campaign":"winback"}`),
			Conversation: "chat-3", Customer: "mallory"})
		require.ErrorAs(t, err, &be)
		assert.Equal(t, "PerCustomer", be.Budget)
	})
}

// TestBudgetsSharedByReplicas: two registries over one store (two
// replicas) never grant more than a budget between them, however their
// calls interleave.
func TestBudgetsSharedByReplicas(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // no midnight in the middle
		store := memory.NewMap()
		ctx := context.Background()
		var ran atomic.Int64
		replica := func() *action.Registry {
			reg := action.NewRegistry(action.WithWrites(true), action.WithStore(store))
			require.NoError(t, action.Register(reg, action.Def[centsArgs, string]{Name: "refund",
				Amount: func(a centsArgs) float64 { return a.Amount }, AutoApprove: 1, DailyAmount: 1.00,
				Run: func(context.Context, centsArgs) (string, error) { ran.Add(1); return "ok", nil }}))
			require.NoError(t, action.Register(reg, action.Def[codeArgs, string]{Name: "offer_code", Writes: true, NoConfirm: true,
				PerCustomer: 1, Scope: func(a codeArgs) string { return a.Campaign },
				Run: func(context.Context, codeArgs) (string, error) { ran.Add(1); return "CODE", nil }}))
			return reg
		}
		regs := []*action.Registry{replica(), replica()}
		var wg sync.WaitGroup
		var refused atomic.Int64
		for i := range 40 {
			wg.Go(func() {
				_, err := pay(ctx, regs[i%2], fmt.Sprintf("c%d", i), fmt.Sprintf("conv%d", i), 0.10)
				if errors.Is(err, action.ErrBudget) {
					refused.Add(1)
					return
				}
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		assert.Equal(t, int64(10), ran.Load(), "$1.00 in refunds of $0.10")
		assert.Equal(t, int64(30), refused.Load())

		ran.Store(0)
		for i := range 20 {
			wg.Go(func() {
				_, err := regs[i%2].Call(ctx, action.Call{Action: "offer_code", Args: json.RawMessage(`{"campaign":"winback"}`),
					Conversation: fmt.Sprintf("chat-%d", i), Customer: "mallory"})
				if !errors.Is(err, action.ErrBudget) {
					assert.NoError(t, err)
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int64(1), ran.Load(), "one code for mallory between both replicas")
	})
}

// flakyStore fails every operation on budget counters while down, and
// the failSetAt-th Set of one when that is set.
type flakyStore struct {
	memory.Store
	down      atomic.Bool
	sets      atomic.Int64
	failSetAt int64
}

var errStoreDown = errors.New("store down")

func (s *flakyStore) Get(ctx context.Context, key string) (memory.Record, error) {
	if s.down.Load() && strings.HasPrefix(key, "action/budget/") {
		return memory.Record{}, errStoreDown
	}
	return s.Store.Get(ctx, key)
}

func (s *flakyStore) Set(ctx context.Context, p memory.Put) (int64, error) {
	if !strings.HasPrefix(p.Key, "action/budget/") {
		return s.Store.Set(ctx, p)
	}
	if n := s.sets.Add(1); s.down.Load() || n == s.failSetAt {
		return 0, errStoreDown
	}
	return s.Store.Set(ctx, p)
}

// TestBudgetStoreFailureRunsNothing: when the counters cannot be read or
// written, the call is refused with an error that says so, and the
// action does not run; a reservation that failed halfway is given back.
func TestBudgetStoreFailureRunsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		store := &flakyStore{Store: memory.NewMap()}
		ran := 0
		audit := &action.MemoryAudit{}
		reg := payRegistry(t, &ran, action.WithStore(store), action.WithAudit(audit))

		store.down.Store(true)
		_, err := pay(ctx, reg, "alice", "a1", 0.10)
		require.ErrorIs(t, err, errStoreDown)
		assert.Contains(t, err.Error(), "action: refund: budget counters unavailable, the action did not run")
		assert.NotErrorIs(t, err, action.ErrBudget)
		assert.Equal(t, 0, ran)
		entries := audit.Entries()
		assert.Equal(t, "error", entries[len(entries)-1].Outcome)

		// The refund counts against two budgets (the day's and the
		// customer's day): the first write succeeds, the second fails.
		store.down.Store(false)
		store.failSetAt = store.sets.Load() + 2
		_, err = pay(ctx, reg, "alice", "a1", 0.10)
		require.ErrorIs(t, err, errStoreDown)
		assert.Equal(t, 0, ran)

		for i := range 5 {
			_, err := pay(ctx, reg, fmt.Sprintf("c%d", i), fmt.Sprintf("conv%d", i), 0.20)
			require.NoError(t, err, "the failed reservation was given back: the whole $1.00 is left")
		}
		assert.Equal(t, 5, ran)
	})
}

// TestEraseBudgetCounters: a customer's per-customer counters are
// exported and erased by the registry's privacy source.
func TestEraseBudgetCounters(t *testing.T) {
	forBudgetStores(t, func(t *testing.T, reg *action.Registry, ran *int) {
		ctx := context.Background()
		_, err := pay(ctx, reg, "+15551234567", "w1", 0.15)
		require.NoError(t, err)
		_, err = reg.Call(ctx, action.Call{Action: "offer_code", Args: json.RawMessage(`{"campaign":"winback"}`),
			Conversation: "w1", Customer: "+15551234567"})
		require.NoError(t, err)
		_, err = pay(ctx, reg, "bob", "b1", 0.10)
		require.NoError(t, err)

		src := action.PrivacySource(reg)
		x, err := src.Export(ctx, "+15551234567")
		require.NoError(t, err)
		b, err := json.Marshal(x)
		require.NoError(t, err)
		var got struct {
			Budgets []struct {
				Action string  `json:"action"`
				Scope  string  `json:"scope"`
				Calls  int     `json:"calls"`
				Amount float64 `json:"amount"`
			} `json:"budgets"`
		}
		require.NoError(t, json.Unmarshal(b, &got))
		require.Len(t, got.Budgets, 2, "%s", b)
		byAction := map[string]int{}
		for _, c := range got.Budgets {
			byAction[c.Action+"/"+c.Scope] = c.Calls
		}
		assert.Equal(t, map[string]int{"refund/": 1, "offer_code/winback": 1}, byAction)

		require.NoError(t, src.Erase(ctx, "+15551234567"))
		x, err = src.Export(ctx, "+15551234567")
		require.NoError(t, err)
		b, err = json.Marshal(x)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"budgets":[]`)
		_, err = reg.Call(ctx, action.Call{Action: "offer_code", Args: json.RawMessage(`{"campaign":"winback"}`),
			Conversation: "w2", Customer: "+15551234567"})
		require.NoError(t, err, "the erased customer's counters are gone")
		x, err = src.Export(ctx, "bob")
		require.NoError(t, err)
		b, err = json.Marshal(x)
		require.NoError(t, err)
		assert.True(t, strings.Contains(string(b), `"action":"refund"`), "another customer's counters stay: %s", b)
	})
}

// TestBudgetKeysHideCustomer: the stored counters' keys name hashes of
// the customer and conversation IDs, never the IDs (a phone number here).
func TestBudgetKeysHideCustomer(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	ran := 0
	reg := payRegistry(t, &ran, action.WithStore(store))
	_, err := pay(ctx, reg, "+15551234567", "whatsapp:+15551234567", 0.15)
	require.NoError(t, err)
	_, err = reg.Call(ctx, action.Call{Action: "offer_code", Args: json.RawMessage(`{"campaign":"winback"}`),
		Conversation: "whatsapp:+15551234567", Customer: "+15551234567"})
	require.NoError(t, err)
	var keys []string
	require.NoError(t, store.Keys(ctx, "action/budget/", func(k string) bool { keys = append(keys, k); return true }))
	assert.Len(t, keys, 3, "the day's refunds, the customer's day, the customer's code: %q", keys)
	for _, k := range keys {
		assert.NotContains(t, k, "5551234567")
	}
}
