package analytics_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/privacy"
)

// Erasing a customer through privacy.ObserverSource drops their
// conversation records from an Aggregator; other customers' stay, and
// later events of the erased customer make new records.
func TestAggregatorDropsAnErasedCustomer(t *testing.T) {
	agg := analytics.NewAggregator()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i, c := range [][2]string{{"wa-ada", "cust-ada"}, {"web-ada", "cust-ada"}, {"wa-bob", "cust-bob"}} {
		agg.Add(analytics.Event{Kind: parley.EventTurn, Time: at.Add(time.Duration(i) * time.Minute), Conversation: c[0], Customer: c[1], Channel: "whatsapp"})
	}
	obs := parley.ObserverFunc(func(_ context.Context, e parley.Event) { agg.Add(analytics.FromParley(e)) })
	e := privacy.NewEraser(privacy.ObserverSource(obs))
	require.NoError(t, e.Erase(context.Background(), "cust-ada"))

	for _, conv := range []string{"wa-ada", "web-ada"} {
		_, ok := agg.Record(conv)
		assert.False(t, ok, conv)
	}
	r, ok := agg.Record("wa-bob")
	require.True(t, ok)
	assert.Equal(t, "cust-bob", r.Customer)
	for _, r := range agg.Records(analytics.Window{}) {
		assert.NotEqual(t, "cust-ada", r.Customer)
	}

	require.NoError(t, e.Erase(context.Background(), "cust-ada"), "idempotent")
	agg.Add(analytics.Event{Kind: parley.EventTurn, Time: at.Add(time.Hour), Conversation: "wa-ada", Customer: "cust-ada"})
	_, ok = agg.Record("wa-ada")
	assert.True(t, ok, "a later conversation is recorded again")
}
