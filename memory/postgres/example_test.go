package postgres_test

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/postgres"
)

// Several replicas of a bot share conversations through PostgreSQL; the
// conversation leases keep each conversation's turns from overlapping,
// and the replicas' analytics events land in one table.
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://bot@127.0.0.1:5432/parley")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	store, err := postgres.New(pool, postgres.Config{Table: "bot_memory"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Analytics events go to the same database, one row per event keyed
	// by its hash: a batch retried by any replica adds nothing.
	events, err := postgres.NewEventSink(pool, postgres.EventConfig{Table: "bot_events"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, tables := range []interface{ Migrate(context.Context) error }{store, events} {
		if err := tables.Migrate(ctx); err != nil {
			fmt.Println(err)
			return
		}
	}
	rec := analytics.NewRecorder(events)
	defer rec.Close(ctx)
	handler := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Hello!"))
	})
	bot := parley.NewBot(handler, parley.WithStore(store), parley.WithLocker(memory.NewLocker(store), 0), parley.WithObserver(rec))
	defer bot.Shutdown(ctx)
}
