package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/memory/sqlite"
)

func ExampleNewEventSink() {
	dir, err := os.MkdirTemp("", "parley-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(filepath.Join(dir, "events.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	sink, err := sqlite.NewEventSink(db, sqlite.EventConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	if err := sink.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	at := time.Date(2031, 3, 14, 9, 0, 0, 0, time.UTC)
	batch := []analytics.Event{
		{Kind: parley.EventTurn, Time: at, Conversation: "web:ada", Channel: "web"},
		{Kind: parley.EventTurn, Time: at.Add(time.Minute), Conversation: "web:ada", Channel: "web"},
	}
	// A retried batch adds nothing: events are keyed by their hash.
	for range 2 {
		if err := sink.Write(ctx, batch); err != nil {
			fmt.Println(err)
			return
		}
	}
	n := 0
	for e, err := range sink.Events(ctx, analytics.Last(24*time.Hour, at.Add(time.Hour))) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(e.Time.Format(time.TimeOnly), e.Kind, e.Conversation)
		n++
	}
	fmt.Println(n, "events")
	// Output:
	// 09:00:00 turn web:ada
	// 09:01:00 turn web:ada
	// 2 events
}
