// Package storetest holds what the durable stores' tests share: a store
// made (and migrated) in one step, and the test of an SQL event sink.
package storetest

import (
	"context"
	"iter"
	"reflect"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
)

// Must returns s, made with error err, which fails the test at once.
func Must[S any](t testing.TB, s S, err error) S {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Migrated returns s, made with error err, after migrating it; either
// error fails the test at once.
func Migrated[S interface{ Migrate(context.Context) error }](t testing.TB, s S, err error) S {
	t.Helper()
	s = Must(t, s, err)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// EventSink is an analytics sink that reads its events back.
type EventSink interface {
	analytics.Sink
	Events(ctx context.Context, w analytics.Window) iter.Seq2[analytics.Event, error]
}

// RunEventSink tests a migrated, empty event sink: batches written twice
// add nothing, windows are half-open and in time order, and a Recorder's
// events are read back into an Aggregator.
func RunEventSink(t *testing.T, s EventSink) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC)
	events := []analytics.Event{
		{Kind: parley.EventTurn, Time: t0, Conversation: "c1", Channel: "web", Message: "m1", Duration: 1500 * time.Millisecond},
		{Kind: "flow.end", Time: t0.Add(time.Second), Conversation: "c1", Attrs: map[string]string{"flow": "f", "status": "resolved"}},
		{Kind: parley.EventTurn, Time: t0.Add(time.Hour), Conversation: "c2", Error: "boom", Duration: time.Second},
	}
	if err := s.Write(ctx, events); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, events[1:]); err != nil {
		t.Fatalf("a retried batch: %v", err)
	}
	read := func(w analytics.Window) []analytics.Event {
		t.Helper()
		var got []analytics.Event
		for e, err := range s.Events(ctx, w) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, e)
		}
		return got
	}
	if got := read(analytics.Window{}); !reflect.DeepEqual(got, events) {
		t.Errorf("all events (a retried batch adds nothing):\n got %+v\nwant %+v", got, events)
	}
	if got := read(analytics.Window{From: events[0].Time, To: events[2].Time}); !reflect.DeepEqual(got, events[:2]) {
		t.Errorf("the window is half-open:\n got %+v\nwant %+v", got, events[:2])
	}

	// Behind a Recorder, and read back into an Aggregator.
	rec := analytics.NewRecorder(s)
	rec.Observe(ctx, parley.Event{Kind: parley.EventTurn, Time: events[2].Time.Add(time.Minute), ConversationID: "c3"})
	if err := rec.Close(ctx); err != nil {
		t.Fatal(err)
	}
	agg := analytics.NewAggregator()
	for _, e := range read(analytics.Window{}) {
		agg.Add(e)
	}
	if n := agg.Stats().Conversations; n != 3 {
		t.Errorf("%d conversations, want 3", n)
	}
	if r, _ := agg.Record("c1"); r.Resolution != analytics.Resolved {
		t.Errorf("c1: resolution %v, want %v", r.Resolution, analytics.Resolved)
	}
}
