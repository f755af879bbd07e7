package privacy

import (
	"context"
	"time"

	"github.com/parleyhq/parley"
)

// EventErased is the event an [ObserverSource] emits when a customer is
// erased; its CustomerID names them. The analytics package's Aggregator
// drops every record of that customer when it folds one.
const EventErased parley.EventKind = "privacy.erased"

// ObserverSource is the [Source] of what observers keep about customers:
// its Erase tells obs with an [EventErased] event. Given an
// analytics.Recorder, the event reaches every sink: the Aggregator drops
// the customer's conversation records (with the Recorder's next batch;
// give the Aggregator directly, through parley.ObserverFunc and
// analytics.FromParley, to drop them at once), and a JSONL log keeps the
// event, so that a replay of the log drops them again. Logs and
// services downstream of a sink keep what they were sent: erase there
// too. Export returns nothing.
func ObserverSource(obs parley.Observer) Source { return observerSource{obs} }

type observerSource struct{ obs parley.Observer }

// Name implements [Source].
func (observerSource) Name() string { return "analytics" }

// Export implements [Source].
func (observerSource) Export(context.Context, string) (any, error) { return nil, nil }

// Erase implements [Source].
func (s observerSource) Erase(ctx context.Context, id string) error {
	s.obs.Observe(ctx, parley.Event{Kind: EventErased, CustomerID: id, Time: time.Now()})
	return nil
}
