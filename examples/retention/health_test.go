package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/parleytest"
)

// TestCustomerCardShowsHealth checks that the agents' workspace gets the
// customer's health score and churn risk, with the reasons, on the
// customer card (the escalation's profile), updated by their messages.
func TestCustomerCardShowsHealth(t *testing.T) {
	a, err := newApp("cus_ada")
	require.NoError(t, err)
	ctx := context.Background()
	before, err := a.profileWithHealth(ctx, "cus_ada")
	require.NoError(t, err)
	assert.NotContains(t, before, "churn_risk", "no message yet, no assessment")

	_, err = a.ret.simulate(ctx, "cus_ada", "churn")
	require.NoError(t, err)
	c := parleytest.NewTester(t, a.handler, parleytest.WithStore(a.store), parleytest.WithCustomer("cus_ada"),
		parleytest.WithBotOptions(parley.WithSender("test", parley.SenderFunc(func(context.Context, parley.Address, parley.Message) error { return nil }))))
	c.Send("hi")
	card, err := a.profileWithHealth(ctx, "cus_ada")
	require.NoError(t, err)
	assert.Equal(t, "Ada Lovelace", card["name"])
	assert.Equal(t, "50%: no order for 50 days; logs in 1.0 times a week (fewer than 2)", card["churn_risk"])
	assert.Equal(t, "57/100", card["health_score"])

	c.Send("the app keeps crashing, this is useless").Send("the delivery was late again, terrible service").Send("I'm not happy with you")
	card, err = a.profileWithHealth(ctx, "cus_ada")
	require.NoError(t, err)
	assert.Equal(t, "80%: no order for 50 days; 75% of recent messages negative; logs in 1.0 times a week (fewer than 2)", card["churn_risk"])
}
