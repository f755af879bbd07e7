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
	"github.com/parleyhq/parley/privacy"
)

// TestEraseWithdrawsPendingApprovals is issue 15's pending approvals
// surviving an erase: through privacy.Eraser, the customer's waiting
// requests are exported, then withdrawn; another customer's stay.
func TestEraseWithdrawsPendingApprovals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ran := 0
		reg := payRegistry(t, &ran)
		ctx := context.Background()
		for i, who := range []string{"dana", "dana", "erin"} {
			res, err := pay(ctx, reg, who, fmt.Sprintf("conv-%d", i), 0.60)
			require.NoError(t, err)
			require.Equal(t, action.PendingApproval, res.Status)
		}
		require.Zero(t, ran)
		er := privacy.NewEraser(action.ApprovalsSource(reg))
		b, err := er.Export(ctx, "dana")
		require.NoError(t, err)
		var exp privacy.Export
		require.NoError(t, json.Unmarshal(b, &exp))
		assert.Len(t, exp.Sources["pending_approvals"], 2)

		require.NoError(t, er.Erase(ctx, "dana"))
		left, err := reg.Pending(ctx)
		require.NoError(t, err)
		require.Len(t, left, 1)
		assert.Equal(t, "erin", left[0].Request.Customer)
		b, err = er.Export(ctx, "dana")
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &exp))
		assert.Empty(t, exp.Sources["pending_approvals"])
	})
}
