package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/memory"
)

// fileBytes returns the SQLite file and its write-ahead log, if any.
func fileBytes(t *testing.T, db string) string {
	t.Helper()
	var all []byte
	for _, p := range []string{db, db + "-wal"} {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		all = append(all, b...)
	}
	return string(all)
}

// traces are what Ada's chat below leaves in the file: her email and
// name (in the ticket's profile), her order and what she typed.
var traces = []string{"ada@example.com", "Ada Lovelace", "A-1002", "Walnut desk lamp", "the lamp flickers"}

// TestForgetCustomer erases a customer end to end on a SQLite file: Ada
// chats (history, a refund waiting for approval, a hand-off ticket); a
// later run erases her with /forget. Afterwards the file and its log
// hold none of her text, the workspace has no ticket of hers, the
// approval is withdrawn, and her next message starts a new conversation.
func TestForgetCustomer(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	first := runPiped(t, "hi\n2\nA-1002\n60\nyes\nhuman\nthe lamp flickers, email me at ada@example.com\n", "-db", db)
	require.Contains(t, first, "need a quick OK from a teammate")
	require.Contains(t, first, "I've asked a person from our team to join.")
	before := fileBytes(t, db)
	for _, s := range traces {
		require.Contains(t, before, s, "the chat should have left %q in the file", s)
	}

	second := runPiped(t, "/export\n/forget\n", "-db", db)
	assert.Contains(t, second, `"ada@example.com"`, "the export has the ticket's profile")
	assert.Contains(t, second, `"pending_approvals": [`)
	assert.Contains(t, second, "everything ShopCo kept about you is erased")

	after := fileBytes(t, db)
	var left []string
	for _, s := range traces {
		if strings.Contains(after, s) {
			left = append(left, s)
		}
	}
	assert.Empty(t, left, "left in the file after erasure")

	// A restart, as the staff side: no ticket in the workspace (the
	// journal held none to restore), no approval waiting.
	ctx := t.Context()
	st, err := openStores(ctx, db)
	require.NoError(t, err)
	a, err := newAppWith(config{customer: "cus_ada", writes: true, store: st.kv, jobs: st.jobs})
	require.NoError(t, err)
	a.divert = func(*parley.Turn) {}
	tickets, err := a.desk.Export(ctx, "cus_ada")
	require.NoError(t, err)
	assert.Empty(t, tickets.([]desk.Case))
	assert.Empty(t, a.desk.Queue())
	waiting, err := a.actions.awaiting(ctx)
	require.NoError(t, err)
	assert.Empty(t, waiting)
	pending, err := action.NewStoreApprovals(st.kv).List(ctx)
	require.NoError(t, err)
	assert.Empty(t, pending)
	_, err = memory.NewSessions(st.kv).Load(ctx, "cli-cus_ada")
	require.ErrorIs(t, err, memory.ErrNotFound)
	require.NoError(t, st.close())

	// Her next message starts afresh: no "welcome back", no refund.
	third := runPiped(t, "hi\nis my refund approved yet?\n", "-db", db)
	assert.Contains(t, third, "Hi Ada! I'm the ShopCo assistant.")
	assert.NotContains(t, third, "Welcome back")
	assert.NotContains(t, third, "$60.00")
	assert.False(t, strings.Contains(third, "still waiting"), third)
}
