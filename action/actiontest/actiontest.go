package actiontest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/memory"
)

// RunApprovalStore runs the conformance suite. newStore must return an
// empty store each time it is called.
func RunApprovalStore(t *testing.T, newStore func(t *testing.T) action.ApprovalStore) {
	t.Helper()
	approval := func(id, key string, created time.Time) action.Approval {
		return action.Approval{
			Request: action.ApprovalRequest{ID: id, Conversation: "conv-1", Customer: "cus-1", Action: "refund",
				Args: []byte(`{"order_id":"A-1","amount":80}`), Amount: 80, Limit: 50},
			Key:     key,
			Call:    action.Call{Action: "refund", Args: []byte(`{"order_id":"A-1","amount":80}`), Conversation: "conv-1", Customer: "cus-1"},
			Created: created,
		}
	}
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

	t.Run("AddTakeRoundTrip", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		a := approval("appr-1", "k1", t0)
		got, added, err := s.Add(ctx, a)
		must(t, "Add", err)
		if !added || got.Request.ID != "appr-1" {
			t.Errorf("Add = %q, added %v; want appr-1, true", got.Request.ID, added)
		}
		taken, err := s.Take(ctx, "appr-1")
		must(t, "Take", err)
		if taken.Request.ID != a.Request.ID || taken.Request.Customer != a.Request.Customer || taken.Request.Amount != a.Request.Amount {
			t.Errorf("Take returned request %+v, want %+v", taken.Request, a.Request)
		}
		if !jsonEqual(a.Call.Args, taken.Call.Args) {
			t.Errorf("Take returned call args %s, want %s", taken.Call.Args, a.Call.Args)
		}
		if taken.Call.Customer != a.Call.Customer {
			t.Errorf("Take returned call customer %q, want %q: an approved call runs for the same customer", taken.Call.Customer, a.Call.Customer)
		}
		if !taken.Created.Equal(a.Created) {
			t.Errorf("Take returned Created %v, want %v", taken.Created, a.Created)
		}
	})

	t.Run("SameKeyIsDeduplicated", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		_, _, err := s.Add(ctx, approval("appr-1", "k1", t0))
		must(t, "Add", err)
		got, added, err := s.Add(ctx, approval("appr-2", "k1", t0.Add(time.Second)))
		must(t, "second Add", err)
		if added || got.Request.ID != "appr-1" {
			t.Errorf("second Add with the same key = %q, added %v; want the earlier appr-1, false", got.Request.ID, added)
		}
		list, err := s.List(ctx)
		must(t, "List", err)
		if len(list) != 1 {
			t.Errorf("List has %d approvals, want 1", len(list))
		}
		// Once taken, the key is free again.
		_, err = s.Take(ctx, "appr-1")
		must(t, "Take", err)
		_, added, err = s.Add(ctx, approval("appr-3", "k1", t0.Add(2*time.Second)))
		must(t, "Add after Take", err)
		if !added {
			t.Errorf("Add after Take: not added; the key must be free again")
		}
	})

	t.Run("TakeOnce", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		_, _, err := s.Add(ctx, approval("appr-1", "k1", t0))
		must(t, "Add", err)
		_, err = s.Take(ctx, "appr-1")
		must(t, "Take", err)
		for _, id := range []string{"appr-1", "never-existed", ""} {
			if _, err := s.Take(ctx, id); !errors.Is(err, action.ErrNoApproval) {
				t.Errorf("Take(%q) = %v, want ErrNoApproval", id, err)
			}
		}
	})

	t.Run("ConcurrentTakesPayOnce", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		_, _, err := s.Add(ctx, approval("appr-1", "k1", t0))
		must(t, "Add", err)
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { _, errs[i] = s.Take(ctx, "appr-1") })
		}
		wg.Wait()
		wins := countFunc(errs, func(err error) bool { return err == nil })
		refused := countFunc(errs, func(err error) bool { return errors.Is(err, action.ErrNoApproval) })
		if wins != 1 || refused != len(errs)-1 {
			t.Errorf("8 concurrent Takes: %d succeeded, %d got ErrNoApproval; want 1 and 7 (errors: %v)", wins, refused, errs)
		}
	})

	t.Run("ConcurrentAddsOfOneKey", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		errs := make([]error, 8)
		added := make([]bool, 8)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { _, added[i], errs[i] = s.Add(ctx, approval(fmt.Sprint("c-", i), "kc", t0)) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Errorf("concurrent Adds: %v", err)
		}
		if wins := countFunc(added, func(b bool) bool { return b }); wins != 1 {
			t.Errorf("8 concurrent Adds of one key: %d added, want 1", wins)
		}
		list, err := s.List(ctx)
		must(t, "List", err)
		if len(list) != 1 {
			t.Errorf("List has %d approvals, want 1", len(list))
		}
	})

	t.Run("ListOldestFirst", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		list, err := s.List(ctx)
		must(t, "List", err)
		if len(list) != 0 {
			t.Errorf("List of an empty store has %d approvals", len(list))
		}
		for i, at := range []time.Duration{2, 0, 1} {
			_, _, err := s.Add(ctx, approval(fmt.Sprint("appr-", i), fmt.Sprint("k", i), t0.Add(at*time.Minute)))
			must(t, "Add", err)
		}
		list, err = s.List(ctx)
		must(t, "List", err)
		var ids []string
		for _, a := range list {
			ids = append(ids, a.Request.ID)
		}
		if want := []string{"appr-1", "appr-2", "appr-0"}; !slices.Equal(ids, want) {
			t.Errorf("List = %q, want %q (oldest first)", ids, want)
		}
	})
}

// must stops the test if err is not nil.
func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func countFunc[T any](s []T, f func(T) bool) int {
	n := 0
	for _, v := range s {
		if f(v) {
			n++
		}
	}
	return n
}

// jsonEqual reports whether a and b are the same JSON value.
func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	return reflect.DeepEqual(x, y)
}

// RunBudgets checks that a [memory.Store] keeps [action.Registry]
// budgets across restarts and replicas ([action.WithStore]): a registry
// started again over the store finds its budgets as used as they were,
// and registries sharing the store, called from many goroutines at once,
// never grant more than a budget between them. newStore must return an
// empty store each time it is called; the suite calls it once per
// subtest and builds several registries over that one store.
func RunBudgets(t *testing.T, newStore func(t *testing.T) memory.Store) {
	t.Helper()
	ctx := context.Background()
	var runs atomic.Int64
	type codeArgs struct {
		Campaign string `json:"campaign"`
	}
	registry := func(t *testing.T, s memory.Store) *action.Registry {
		t.Helper()
		reg := action.NewRegistry(action.WithWrites(true), action.WithStore(s))
		must(t, "Register", action.Register(reg, action.Def[codeArgs, string]{Name: "offer_code", Writes: true, NoConfirm: true,
			PerConversation: 2, PerCustomer: 1, Scope: func(a codeArgs) string { return a.Campaign },
			Run: func(context.Context, codeArgs) (string, error) { runs.Add(1); return "CODE", nil }}))
		return reg
	}
	code := func(reg *action.Registry, customer, conv, campaign string) error {
		_, err := reg.Call(ctx, action.Call{Action: "offer_code", Args: json.RawMessage(`{"campaign":"` + campaign + `"}`),
			Conversation: conv, Customer: customer})
		return err
	}
	budget := func(err error) string {
		var be *action.BudgetError
		if errors.As(err, &be) {
			return be.Budget
		}
		return fmt.Sprint(err)
	}

	t.Run("RestartKeepsCount", func(t *testing.T) {
		s := newStore(t)
		before := registry(t, s)
		must(t, "first code", code(before, "cus-1", "conv-1", "spring"))
		must(t, "second campaign", code(before, "cus-1", "conv-1", "summer"))
		after := registry(t, s) // the process restarted
		if err := code(after, "cus-1", "conv-2", "spring"); budget(err) != "PerCustomer" {
			t.Errorf("the customer's spring code again after a restart: %v, want a PerCustomer refusal", err)
		}
		if err := code(after, "cus-2", "conv-1", "autumn"); budget(err) != "PerConversation" {
			t.Errorf("a third code in conv-1 after a restart: %v, want a PerConversation refusal", err)
		}
		must(t, "another customer", code(after, "cus-2", "conv-2", "spring"))
	})

	t.Run("ReplicasShareBudget", func(t *testing.T) {
		s := newStore(t)
		regs := []*action.Registry{registry(t, s), registry(t, s)}
		runs.Store(0)
		var wg sync.WaitGroup
		var refused atomic.Int64
		for i := range 16 {
			wg.Go(func() {
				err := code(regs[i%2], "cus-1", fmt.Sprintf("conv-%d", i), "spring")
				switch {
				case errors.Is(err, action.ErrBudget):
					refused.Add(1)
				case err != nil:
					t.Errorf("call %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if runs.Load() != 1 || refused.Load() != 15 {
			t.Errorf("two replicas gave %d codes and refused %d; want 1 and 15", runs.Load(), refused.Load())
		}
	})
}
