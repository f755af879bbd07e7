package experiment_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/experiment"
)

// reached returns n customers reached by campaign in variant, the first
// yes of them converting (and clicking).
func reached(campaign, variant string, n, yes int) []analytics.Record {
	var rs []analytics.Record
	for i := range n {
		id := fmt.Sprintf("%s-%s-%d", campaign, variant, i)
		rs = append(rs, analytics.Record{Conversation: id, Customer: id, Campaign: analytics.CampaignOutcome{
			Campaign: campaign, Variant: variant, Sent: true, Converted: i < yes, Clicked: i < yes}})
	}
	return rs
}

func TestCheckGoals(t *testing.T) {
	var rs []analytics.Record
	rs = append(rs, reached("abandoned_cart", "control", 100, 30)...)
	rs = append(rs, reached("abandoned_cart", "friendly", 400, 160)...)
	rs = append(rs, reached("renewal", "", 200, 60)...)
	// Not reached: a run whose message was never sent.
	rs = append(rs, analytics.Record{Conversation: "x", Customer: "x", Campaign: analytics.CampaignOutcome{Campaign: "renewal", Converted: true}})
	got, err := experiment.CheckGoals(rs, experiment.PlaybookGoals("abandoned_cart", "renewal"), 0.05)
	require.NoError(t, err)
	require.Len(t, got, 4)

	all, ctl, friendly, renewal := got[0], got[1], got[2], got[3]
	assert.Equal(t, "", all.Variant)
	assert.Equal(t, 500, all.Value.N)
	assert.InDelta(t, 0.38, all.Value.Mean, 1e-12)
	assert.True(t, all.Met)
	assert.Equal(t, "control", ctl.Variant)
	// 30 of 100: Wilson's interval, as R's prop.test(30, 100, correct = FALSE).
	assert.InDelta(t, 0.2189, ctl.CI.Lo, 5e-5)
	assert.InDelta(t, 0.3958, ctl.CI.Hi, 5e-5)
	assert.False(t, ctl.Met)
	assert.False(t, ctl.Missed)
	assert.Equal(t, "cart recovery rate of the abandoned_cart campaign's control variant: 30.0% [21.9%, 39.6%] over 100 customers: "+
		"above the 25.0% target, but not clearly yet (the interval includes it).", ctl.Verdict)
	assert.Equal(t, "cart recovery rate of the abandoned_cart campaign's friendly variant: 40.0% [35.3%, 44.9%] over 400 customers: "+
		"target above 25.0% met.", friendly.Verdict)
	assert.True(t, renewal.Missed)
	assert.Equal(t, "renewal click rate of the renewal campaign: 30.0% [24.1%, 36.7%] over 200 customers: target above 40.0% missed.", renewal.Verdict)
	assert.Empty(t, renewal.Problem)
}

func TestCheckGoalsNoData(t *testing.T) {
	got, err := experiment.CheckGoals(nil, experiment.PlaybookGoals("abandoned_cart", "renewal"), 0.05)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "cart recovery rate: no customers reached by the abandoned_cart campaign yet", got[0].Problem)
	assert.Equal(t, "renewal click rate: no customers reached by the renewal campaign yet.", got[1].Verdict)
	assert.Zero(t, got[0].CI)

	_, err = experiment.CheckGoals(nil, nil, 2)
	require.ErrorIs(t, err, experiment.ErrBadParameter)
	_, err = experiment.CheckGoals(nil, []experiment.Goal{{Name: "x"}}, 0.05)
	require.ErrorIs(t, err, experiment.ErrBadParameter)
}

func TestReportSequential(t *testing.T) {
	exp, err := experiment.New("cart-tone", []experiment.Variant[string]{{Name: "control"}, {Name: "friendly"}},
		experiment.WithGuardrails(experiment.Satisfaction()))
	require.NoError(t, err)
	day0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var rs []analytics.Record
	// 14 days of 50 customers per arm a day: 10% against 20%.
	for d := range 14 {
		for i := range 50 {
			for _, arm := range []struct {
				name string
				conv int
			}{{"control", 5}, {"friendly", 10}} {
				id := fmt.Sprintf("%s-%d-%d", arm.name, d, i)
				rs = append(rs, analytics.Record{Conversation: id, Customer: id, Start: day0.Add(time.Duration(d) * 24 * time.Hour),
					Experiment: "cart-tone", Variant: arm.name, Campaign: analytics.CampaignOutcome{Converted: i < arm.conv}})
			}
		}
	}
	rep := exp.Report(rs)
	require.Len(t, rep.Comparisons, 2)
	primary, csat := rep.Comparisons[0], rep.Comparisons[1]
	require.NotNil(t, primary.Sequential)
	assert.InDelta(t, 0.1, primary.Sequential.Effect, 1e-12)
	assert.Less(t, primary.Sequential.P, 0.05)
	// Always valid costs power: its p-value is above the fixed test's,
	// and its interval is wider.
	assert.Greater(t, primary.Sequential.P, primary.Result.P)
	assert.Less(t, primary.Sequential.CI.Lo, primary.Result.CI.Lo)
	assert.Nil(t, csat.Sequential, "CSAT is not binary")

	// No treatment traffic: no sequential result.
	var ctlOnly []analytics.Record
	for _, r := range rs {
		if r.Variant == "control" {
			ctlOnly = append(ctlOnly, r)
		}
	}
	assert.Nil(t, exp.Report(ctlOnly).Comparisons[0].Sequential)
	_, err = experiment.New("x", []experiment.Variant[string]{{Name: "a"}, {Name: "b"}}, experiment.WithTau(0))
	require.EqualError(t, err, `experiment "x": tau 0 is not positive`)
}
