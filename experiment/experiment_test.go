package experiment

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/parleytest"
)

func twoMessages(t *testing.T, opts ...Option) *Experiment[string] {
	t.Helper()
	e, err := New("cart-tone", []Variant[string]{
		{Name: "control", Value: "You left something in your cart."},
		{Name: "friendly", Value: "Still thinking it over? Your cart is saved."},
	}, opts...)
	require.NoError(t, err)
	return e
}

func TestNewReportsEveryProblem(t *testing.T) {
	_, err := New("", []Variant[int]{{Name: "a"}, {Name: "a", Weight: -1}, {Name: Holdout}},
		WithHoldout(1), WithAlpha(0), WithPrimary(Metric{}))
	require.Error(t, err)
	for _, want := range []string{"no name", "holdout 1", "alpha 0", "needs a Name", `"a" twice`, `weight -1`, `name "holdout"`} {
		assert.ErrorContains(t, err, want)
	}
	_, err = New("x", []Variant[int]{{Name: "only"}})
	assert.ErrorContains(t, err, "1 variants, need at least 2")
}

func TestAssignSplitAndStickiness(t *testing.T) {
	e, err := New("renewal", []Variant[int]{{Name: "a", Weight: 7}, {Name: "b", Weight: 3}}, WithHoldout(0.1))
	require.NoError(t, err)
	bigger, err := New("renewal", []Variant[int]{{Name: "a", Weight: 7}, {Name: "b", Weight: 3}}, WithHoldout(0.2))
	require.NoError(t, err)
	other, err := New("cart", []Variant[int]{{Name: "a", Weight: 7}, {Name: "b", Weight: 3}}, WithHoldout(0.1))
	require.NoError(t, err)

	const n = 100_000
	count := map[string]int{}
	moved, agree := 0, 0
	for i := range n {
		id := fmt.Sprintf("customer-%d", i)
		v, in := e.Assign(id)
		again, _ := e.Assign(id)
		require.Equal(t, v.Name, again.Name, "sticky")
		assert.Equal(t, in, v.Name != Holdout)
		count[v.Name]++
		if w, ok := bigger.Assign(id); ok && in && w.Name != v.Name {
			moved++
		}
		if o, _ := other.Assign(id); o.Name == v.Name {
			agree++
		}
	}
	assert.InDelta(t, 0.10, float64(count[Holdout])/n, 0.005)
	assert.InDelta(t, 0.63, float64(count["a"])/n, 0.005)
	assert.InDelta(t, 0.27, float64(count["b"])/n, 0.005)
	assert.Zero(t, moved, "a larger holdout moves nobody between variants")
	// Independent experiments: P(same arm) = 0.1^2 + 0.63^2 + 0.27^2 = 0.4798.
	assert.InDelta(t, 0.4798, float64(agree)/n, 0.01)
}

// TestExposeSurvivesChannelSwitch: the same customer on web and on
// WhatsApp gets the same variant, and the exposure reaches analytics'
// record of each conversation.
func TestExposeSurvivesChannelSwitch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := twoMessages(t)
		agg := analytics.NewAggregator()
		obs := parley.ObserverFunc(func(_ context.Context, ev parley.Event) { agg.Add(analytics.FromParley(ev)) })
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tu *parley.Turn) error {
			v, _ := e.Assign(tu.CustomerID)
			e.Expose(ctx, tu, v)
			return w.Reply(ctx, parley.Text(v.Value))
		})
		want, _ := e.Assign("ada")
		for _, ch := range []string{"web", "whatsapp"} {
			tr := parleytest.NewTester(t, h, parleytest.WithCustomer("ada"), parleytest.WithChannel(ch),
				parleytest.WithConversation("ada-"+ch), parleytest.WithBotOptions(parley.WithObserver(obs)))
			tr.Send("hi").Expect(parleytest.Exact(want.Value))
			rec, ok := agg.Record("ada-" + ch)
			require.True(t, ok)
			assert.Equal(t, "cart-tone", rec.Experiment)
			assert.Equal(t, want.Name, rec.Variant)
		}
	})
}

// records simulates customers per arm: each is exposed, converts with the
// arm's rate, escalates with its escalation rate and rates CSAT 1-5.
func records(rng *rand.Rand, exp, variant string, customers int, conv, esc float64) []analytics.Record {
	var rs []analytics.Record
	for i := range customers {
		r := analytics.Record{Conversation: fmt.Sprintf("%s-%s-%d", exp, variant, i),
			Customer: fmt.Sprintf("%s-%d", variant, i), Experiment: exp, Variant: variant}
		r.Campaign.Converted = rng.Float64() < conv
		if rng.Float64() < esc {
			r.Resolution = analytics.Escalated
		}
		if rng.Float64() < 0.3 {
			r.Feedback.CSAT = 1 + rng.IntN(5)
		}
		rs = append(rs, r)
	}
	return rs
}

func TestReportWinner(t *testing.T) {
	e := twoMessages(t)
	rng := rand.New(rand.NewPCG(14, 10))
	rs := append(records(rng, "cart-tone", "control", 2000, 0.20, 0.05), records(rng, "cart-tone", "friendly", 2000, 0.26, 0.05)...)
	rs = append(rs, records(rng, "other", "control", 500, 0.9, 0)...) // another experiment
	rep := e.Report(rs)

	require.Len(t, rep.Arms, 2)
	assert.Equal(t, 2000, rep.Arms[0].Customers)
	assert.Equal(t, 2000, rep.Arms[1].Customers)
	assert.False(t, rep.SRM.Mismatch)
	assert.Empty(t, rep.SRMProblem)
	require.Len(t, rep.Comparisons, 4) // conversion, escalation, CSAT, opt-out
	c := rep.Comparisons[0]
	assert.Equal(t, "conversion rate", c.Metric)
	assert.True(t, c.Significant)
	assert.InDelta(t, 0.06, c.Result.Effect, 0.03)
	for _, g := range rep.Comparisons[1:] {
		assert.False(t, g.Harm, g.Metric)
	}
	assert.Contains(t, rep.Verdict, "friendly beats control on conversion rate")
	assert.Contains(t, rep.Verdict, "No guardrail is significantly worse")
}

func TestReportGuardrailHarm(t *testing.T) {
	e := twoMessages(t)
	rng := rand.New(rand.NewPCG(14, 11))
	rs := append(records(rng, "cart-tone", "control", 2000, 0.20, 0.05), records(rng, "cart-tone", "friendly", 2000, 0.27, 0.15)...)
	rep := e.Report(rs)
	assert.True(t, rep.Comparisons[1].Harm, "escalation")
	assert.Contains(t, rep.Verdict, "makes escalation rate significantly worse")
}

func TestReportSRMAndBadInput(t *testing.T) {
	e := twoMessages(t)
	rng := rand.New(rand.NewPCG(14, 12))
	rep := e.Report(append(records(rng, "cart-tone", "control", 1000, 0.2, 0), records(rng, "cart-tone", "friendly", 800, 0.2, 0)...))
	assert.True(t, rep.SRM.Mismatch)
	assert.Contains(t, rep.Verdict, "Do not trust these results")

	rep = e.Report(nil)
	assert.Equal(t, "no exposures recorded yet", rep.SRMProblem)
	assert.Equal(t, "No verdict: no exposures recorded yet.", rep.Verdict)

	// A variant with no traffic: every comparison says why, nothing is NaN.
	rep = e.Report(records(rng, "cart-tone", "control", 300, 0.2, 0))
	assert.True(t, rep.SRM.Mismatch)
	for _, c := range rep.Comparisons {
		assert.Contains(t, c.Problem, "friendly has 0")
		assert.False(t, math.IsNaN(c.Result.P))
	}
	for _, a := range rep.Arms {
		for _, m := range a.Metrics {
			assert.False(t, math.IsNaN(m.Mean) || math.IsNaN(m.Var))
		}
	}
}

func TestReportCustomerIsTheUnit(t *testing.T) {
	e := twoMessages(t)
	rs := []analytics.Record{
		{Conversation: "1", Customer: "ada", Experiment: "cart-tone", Variant: "control"},
		{Conversation: "2", Customer: "ada", Experiment: "cart-tone", Variant: "control", Campaign: analytics.CampaignOutcome{Converted: true}},
		{Conversation: "3", Customer: "bob", Experiment: "cart-tone", Variant: "friendly"},
		{Conversation: "4", Customer: "eve", Experiment: "cart-tone", Variant: "friendly"},
		{Conversation: "5", Customer: "eve", Experiment: "cart-tone", Variant: "control"},
	}
	rep := e.Report(rs)
	assert.Equal(t, 1, rep.Arms[0].Customers)
	assert.Equal(t, 1, rep.Arms[1].Customers)
	assert.Equal(t, 1.0, rep.Arms[0].Metrics[0].Mean, "ada converted in one of her two conversations")
	assert.Equal(t, []string{"1 customers were exposed to more than one variant and are left out"}, rep.Problems)
}

func TestReportHolmAndHoldout(t *testing.T) {
	e, err := New("renewal", []Variant[string]{{Name: "control"}, {Name: "b"}, {Name: "c"}}, WithHoldout(0.1),
		WithPrimary(ClickThrough()), WithGuardrails())
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(14, 13))
	var rs []analytics.Record
	for _, arm := range []struct {
		name string
		n    int
		rate float64
	}{{"control", 1500, 0.40}, {"b", 1500, 0.40}, {"c", 1500, 0.47}, {Holdout, 500, 0.30}} {
		for i := range arm.n {
			rs = append(rs, analytics.Record{Conversation: fmt.Sprint(arm.name, i), Customer: fmt.Sprint(arm.name, i),
				Experiment: "renewal", Variant: arm.name, Campaign: analytics.CampaignOutcome{Clicked: rng.Float64() < arm.rate}})
		}
	}
	rep := e.Report(rs)
	require.Len(t, rep.Arms, 4)
	assert.Equal(t, Holdout, rep.Arms[3].Variant)
	assert.False(t, rep.SRM.Mismatch)
	require.Len(t, rep.Comparisons, 2)
	ps := Holm([]float64{rep.Comparisons[0].Result.P, rep.Comparisons[1].Result.P})
	assert.Equal(t, ps[0], rep.Comparisons[0].AdjustedP)
	assert.Equal(t, ps[1], rep.Comparisons[1].AdjustedP)
	assert.True(t, rep.Comparisons[1].Significant)
	assert.Contains(t, rep.Verdict, "c beats control on click rate")
}
