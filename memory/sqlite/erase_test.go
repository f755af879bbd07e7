package sqlite_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/memory/sqlite"
	"github.com/parleyhq/parley/privacy"
)

// fileBytes returns the bytes of the database file and of its
// write-ahead log and rollback journal, if any.
func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal", path + "-journal"} {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		all = append(all, b...)
	}
	return all
}

// After erasure and Compact, the database file and its log hold no byte
// of the erased customer's e-mail address or ID; the other customer's
// remain.
func TestErasedCustomerLeavesNoBytesInTheFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "memory.db")
	db, err := sqlite.Open(path)
	require.NoError(t, err)
	defer db.Close()
	store, err := sqlite.New(db, sqlite.Config{})
	require.NoError(t, err)
	require.NoError(t, store.Migrate(ctx))

	profiles := customer.NewProfiles(store)
	history := customer.NewHistory(store)
	for _, c := range []struct{ id, email string }{{"cust-ada", "ada.lovelace@example.com"}, {"cust-bob", "bob.keeper@example.org"}} {
		_, err := profiles.Update(ctx, c.id, func(p *customer.Profile) error {
			p.Name, p.Email = c.id, c.email
			return nil
		})
		require.NoError(t, err)
		require.NoError(t, profiles.Link(ctx, c.id, customer.Identity{Channel: "email", ID: c.email}))
		// Enough records to spread over many pages and interior nodes.
		for i := range 300 {
			require.NoError(t, history.Append(ctx, c.id, "conv-"+c.id, memory.Entry{Role: memory.RoleUser, Text: fmt.Sprintf("message %d from %s", i, c.email)}))
			_, err := store.Set(ctx, memory.Put{Key: fmt.Sprintf("proactive/run/%s/campaign-%03d", c.id, i), Value: []byte(`{"email":"` + c.email + `"}`), IfVersion: memory.AnyVersion})
			require.NoError(t, err)
		}
	}
	require.True(t, bytes.Contains(fileBytes(t, path), []byte("ada.lovelace@example.com")), "the scenario wrote nothing to the file")

	eraser := privacy.NewEraser(privacy.StoreSources(store)...)
	require.NoError(t, eraser.Erase(ctx, "cust-ada"))
	require.NoError(t, store.Compact(ctx))

	b := fileBytes(t, path)
	for _, gone := range []string{"ada.lovelace@example.com", "cust-ada"} {
		if i := bytes.Index(b, []byte(gone)); i >= 0 {
			t.Errorf("the file still holds %q at byte %d: %q", gone, i, b[max(i-40, 0):min(i+60, len(b))])
		}
	}
	assert.True(t, bytes.Contains(b, []byte("bob.keeper@example.org")), "Bob's data went too")
	_, err = profiles.Load(ctx, "cust-bob")
	assert.NoError(t, err)
}

// Open turns secure_delete on for every connection of the pool.
func TestOpenSetsSecureDelete(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "memory.db"))
	require.NoError(t, err)
	defer db.Close()
	db.SetMaxOpenConns(3)
	for range 3 {
		var on int
		require.NoError(t, db.QueryRowContext(context.Background(), "PRAGMA secure_delete").Scan(&on))
		assert.Equal(t, 1, on)
	}
}
