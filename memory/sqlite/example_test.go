package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/sqlite"
)

func ExampleNew() {
	dir, err := os.MkdirTemp("", "parley-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(filepath.Join(dir, "memory.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	store, err := sqlite.New(db, sqlite.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	if err := store.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	sessions := memory.NewSessions(store)
	s := sessions.New("conv-1")
	s.Append(memory.Entry{Role: memory.RoleUser, Text: "where is my order?"})
	if err := sessions.Save(ctx, s); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := sessions.Load(ctx, "conv-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(loaded.History[0].Text, loaded.Version)
	// Output:
	// where is my order? 1
}
