package proactive_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/proactive"
	"github.com/parleyhq/parley/schedule"
)

func TestNewReportsEveryProblem(t *testing.T) {
	store := memory.NewMap()
	policy := proactive.NewPolicy(store, customer.NewProfiles(store))
	cs := []*proactive.Campaign{
		{Name: "bad name!", Trigger: proactive.OrderPlaced, Steps: []proactive.Step{{ID: "a", Text: "x"}}},
		{Name: "order", Trigger: "cart_explode", Goal: "never", Steps: []proactive.Step{
			{ID: "b", After: time.Hour, Text: "{{profile.name"},
			{ID: "a", Text: "too early"},
			{ID: "a", Flow: "survey"},
			{ID: "c", After: -time.Hour, Text: "{{offer.code}} {{weather.today}}"},
			{ID: "d", After: 2 * time.Hour, Text: "x", Offer: &proactive.Offer{Action: "discount"}},
		}},
		{Name: "order", Trigger: proactive.OrderPlaced, Goal: proactive.OrderPlaced, Hold: &proactive.Hold{Event: proactive.OrderPlaced},
			ExitOnLeavingAudience: true},
		nil,
	}
	_, err := proactive.New(policy, schedule.New(schedule.NewMemory()), cs)
	var ce *proactive.CompileError
	require.ErrorAs(t, err, &ce)
	var got []string
	for _, p := range ce.Problems {
		got = append(got, p.String())
	}
	want := []string{
		"bad name!: name must be 1-64 letters, digits, '-', '_', '+' or '.'",
		`order: trigger: unknown event type "cart_explode" (add it with WithEventTypes)`,
		`order: goal: unknown event type "never" (add it with WithEventTypes)`,
		"order/b: text: bad template: unclosed {{",
		"order/a: offset 0s is before the previous step's 1h0m0s: steps must be in order",
		"order/a: duplicate step ID",
		`order/a: unknown flow "survey"`,
		"order/c: offset -1h0m0s is before the previous step's 0s: steps must be in order",
		"order/c: negative offset -1h0m0s needs an Anchor",
		"order/c: text: bad template: {{offer.code}} in a step without an offer",
		`order/d: offer "discount" but no action registry (WithActions)`,
		"order/d: offer without a positive validity",
		"order: duplicate campaign name",
		`order: goal "order_placed" is also the trigger: every run would end as it starts`,
		`order: ExitOnLeavingAudience without an Audience`,
		"order: hold without a positive timeout",
		"order: no steps",
		"[3]: nil campaign",
	}
	assert.Equal(t, want, got)
	assert.Contains(t, err.Error(), "18 problem(s)")
}
