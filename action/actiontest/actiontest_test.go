package actiontest_test

import (
	"testing"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/action/actiontest"
	"github.com/parleyhq/parley/memory"
)

func TestMemoryApprovals(t *testing.T) {
	actiontest.RunApprovalStore(t, func(t *testing.T) action.ApprovalStore { return &action.MemoryApprovals{} })
}

func TestStoreApprovals(t *testing.T) {
	actiontest.RunApprovalStore(t, func(t *testing.T) action.ApprovalStore {
		return action.NewStoreApprovals(memory.NewMap(), action.WithPrefix("approvals/"))
	})
}

func TestBudgetsOverMap(t *testing.T) {
	actiontest.RunBudgets(t, func(t *testing.T) memory.Store { return memory.NewMap() })
}
