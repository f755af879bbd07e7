package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An anonymous widget chat belongs to the demo customer, so erasing that
// customer outside the chat (the staff page, /forget) deletes its kept
// transcript too; it was left in the file, unlinked.
func TestEraseFindsWidgetTranscript(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	base, stop := startWeb(t, "-db", db)
	var s chatSession
	post(t, base+"chat/session", "", "", &s)
	post(t, base+"chat/send", s.Token, `{"type":"consent","granted":true}`, nil)
	post(t, base+"chat/send", s.Token, `{"type":"message","id":"m1","text":"the lamp flickers, write to ada.widget@example.com"}`, nil)
	stop()
	require.True(t, strings.Contains(fileBytes(t, db), "ada.widget@example.com"), "the transcript is kept")

	ctx := t.Context()
	st, err := openStores(ctx, db)
	require.NoError(t, err)
	a, err := newAppWith(config{customer: "cus_ada", writes: true, store: st.kv, jobs: st.jobs})
	require.NoError(t, err)
	require.NoError(t, a.eraser.erase(ctx, "cus_ada"))
	require.NoError(t, st.close())

	after := fileBytes(t, db)
	for _, gone := range []string{"ada.widget@example.com", "the lamp flickers"} {
		assert.False(t, strings.Contains(after, gone), "%q left in the file after erasing the customer", gone)
	}
}
