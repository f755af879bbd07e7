package actiontest_test

import (
	"testing"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/action/actiontest"
)

// The suite runs inside an ordinary test of the implementation.
func ExampleRunApprovalStore() {
	_ = func(t *testing.T) {
		actiontest.RunApprovalStore(t, func(t *testing.T) action.ApprovalStore { return &action.MemoryApprovals{} })
	}
}
