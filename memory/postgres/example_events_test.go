package postgres_test

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/memory/postgres"
)

// Analytics events go to a PostgreSQL table that every replica writes;
// a retried batch adds nothing, since events are keyed by their hash.
// (It needs a server, so it is compiled but not run.)
func ExampleNewEventSink() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://bot@127.0.0.1:5432/parley")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	sink, err := postgres.NewEventSink(pool, postgres.EventConfig{Table: "bot_events"})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := sink.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	now := time.Now()
	if err := sink.Write(ctx, []analytics.Event{{Kind: parley.EventTurn, Time: now, Conversation: "web:ada", Channel: "web"}}); err != nil {
		fmt.Println(err)
		return
	}
	for e, err := range sink.Events(ctx, analytics.Last(24*time.Hour, now)) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(e.Time.Format(time.RFC3339), e.Kind, e.Conversation)
	}
}
