package roi_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/roi"
)

func TestCostOf(t *testing.T) {
	k := analytics.KPIs{Conversations: 4, InputTokens: 2_000_000, OutputTokens: 100_000, AgentTime: 30 * time.Minute}
	c := roi.CostOf(k, roi.Costs{InputPerMillion: 3, OutputPerMillion: 10, AgentPerHour: 40, Fixed: 2})
	// Tokens: 6 + 1; agents: half an hour at 40/h = 20; fixed 2.
	assert.Equal(t, roi.Cost{Conversations: 4, Model: 7, Agents: 20, Fixed: 2, Total: 29, PerConversation: 29.0 / 4}, c)
	assert.Equal(t, roi.Cost{Fixed: 5, Total: 5}, roi.CostOf(analytics.KPIs{}, roi.Costs{Fixed: 5}), "no conversations: no per-conversation cost")
}

func TestCompute(t *testing.T) {
	r, err := roi.Compute(roi.Inputs{OldMonthlySupportCost: 50000, NewMonthlySupportCost: 35000,
		CLVIncrease: 120, RetainedCustomers: 400, RecoveredCartValue: 30000, BotCost: 60000})
	require.NoError(t, err)
	// Savings 15,000 x 12 = 180,000; uplift 48,000 + 30,000 = 78,000;
	// ROI = (258,000 - 60,000) / 60,000 x 100 = 330%.
	assert.Equal(t, roi.Result{Savings: 180000, Uplift: 78000, Percent: 330}, r)
	_, err = roi.Compute(roi.Inputs{})
	require.ErrorIs(t, err, roi.ErrNoCost)
}
