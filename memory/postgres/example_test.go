package postgres_test

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/postgres"
)

// Several replicas of a bot share conversations through PostgreSQL; the
// conversation leases keep each conversation's turns from overlapping.
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
	if err := store.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	handler := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Hello!"))
	})
	bot := parley.NewBot(handler, parley.WithStore(store), parley.WithLocker(memory.NewLocker(store), 0))
	defer bot.Shutdown(ctx)
}
