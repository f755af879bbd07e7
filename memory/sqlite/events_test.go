package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/memory/sqlite"
)

func sampleEvents() []analytics.Event {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC)
	return []analytics.Event{
		{Kind: parley.EventTurn, Time: t0, Conversation: "c1", Channel: "web", Message: "m1", Duration: 1500 * time.Millisecond},
		{Kind: "flow.end", Time: t0.Add(time.Second), Conversation: "c1", Attrs: map[string]string{"flow": "f", "status": "resolved"}},
		{Kind: parley.EventTurn, Time: t0.Add(time.Hour), Conversation: "c2", Error: "boom", Duration: time.Second},
	}
}

func TestEventSink(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "events.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	s, err := sqlite.NewEventSink(db, sqlite.EventConfig{})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, s.Migrate(ctx))
	require.NoError(t, s.Migrate(ctx), "idempotent")

	events := sampleEvents()
	require.NoError(t, s.Write(ctx, events))
	require.NoError(t, s.Write(ctx, events[1:]), "a retried batch adds nothing")

	var got []analytics.Event
	for e, err := range s.Events(ctx, analytics.Window{}) {
		require.NoError(t, err)
		got = append(got, e)
	}
	assert.Equal(t, events, got)

	got = got[:0]
	for e, err := range s.Events(ctx, analytics.Window{From: events[0].Time, To: events[2].Time}) {
		require.NoError(t, err)
		got = append(got, e)
	}
	assert.Equal(t, events[:2], got, "the window is half-open")

	// Behind a Recorder, and read back into an Aggregator.
	rec := analytics.NewRecorder(s)
	rec.Observe(ctx, parley.Event{Kind: parley.EventTurn, Time: events[2].Time.Add(time.Minute), ConversationID: "c3"})
	require.NoError(t, rec.Close(ctx))
	agg := analytics.NewAggregator()
	for e, err := range s.Events(ctx, analytics.Window{}) {
		require.NoError(t, err)
		agg.Add(e)
	}
	assert.Equal(t, 3, agg.Stats().Conversations)
	r, _ := agg.Record("c1")
	assert.Equal(t, analytics.Resolved, r.Resolution)

	_, err = sqlite.NewEventSink(nil, sqlite.EventConfig{})
	require.Error(t, err)
}
