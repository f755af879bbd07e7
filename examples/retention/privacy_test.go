package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// TestStaffErasesCustomer erases a customer from the staff page: only
// signed-in staff, only same-site, only with the box ticked; the export
// has her data before and the workspace shows no ticket or approval
// after, and the file holds none of her chat.
func TestStaffErasesCustomer(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	runPiped(t, "hi\n2\nA-1002\n60\nyes\nhuman\nthe lamp flickers, email me at ada@example.com\n", "-db", db)

	ctx := t.Context()
	st, err := openStores(ctx, db)
	require.NoError(t, err)
	a, err := newAppWith(config{customer: "cus_ada", writes: true, staffPassword: "correct horse", store: st.kv, jobs: st.jobs})
	require.NoError(t, err)
	a.divert = func(*parley.Turn) {}
	srv := httptest.NewServer(secureHeaders(a.staffMux()))
	defer srv.Close()
	type workspace struct {
		Queue     []json.RawMessage `json:"queue"`
		Approvals []json.RawMessage `json:"approvals"`
	}
	sam := staffClient(t, srv.URL, "Sam", "correct horse")
	require.NotNil(t, sam)
	var ws workspace
	getJSON(t, sam, srv.URL+"/console/api/state", &ws)
	require.Len(t, ws.Queue, 1, "the hand-off is on the workspace")
	require.Len(t, ws.Approvals, 1, "the refund waits for approval")

	erase := url.Values{"customer": {"cus_ada"}, "confirm": {"yes"}}
	// Not signed in: refused.
	res, err := http.PostForm(srv.URL+"/privacy/", erase)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	// From another site: refused.
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/privacy/", strings.NewReader(erase.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err = sam.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	// Without the confirmation: refused.
	res, err = sam.PostForm(srv.URL+"/privacy/", url.Values{"customer": {"cus_ada"}})
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	getJSON(t, sam, srv.URL+"/console/api/state", &ws)
	require.Len(t, ws.Queue, 1, "nothing erased yet")

	// The export has what the workspace shows.
	res, err = sam.Get(srv.URL + "/privacy/export?customer=cus_ada")
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(body), "ada@example.com")
	assert.Contains(t, string(body), `"pending_approvals"`)

	res, err = sam.PostForm(srv.URL+"/privacy/", erase)
	require.NoError(t, err)
	body, err = io.ReadAll(res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	assert.Contains(t, string(body), "Everything kept about Ada Lovelace (cus_ada, ada@example.com) is erased (by Sam).")
	ws = workspace{}
	getJSON(t, sam, srv.URL+"/console/api/state", &ws)
	assert.Empty(t, ws.Queue)
	assert.Empty(t, ws.Approvals)
	require.NoError(t, st.close())

	after := fileBytes(t, db)
	var left []string
	for _, s := range traces {
		if strings.Contains(after, s) {
			left = append(left, s)
		}
	}
	assert.Empty(t, left, "left in the file after erasure")
}

// TestForgetAnswersInSpanish: "/forget" after a Spanish conversation
// says so in Spanish, and the next "hola" starts afresh.
func TestForgetAnswersInSpanish(t *testing.T) {
	out := runPiped(t, "hola\nquiero un reembolso\nA-1002\n/forget\nhola\n", "-memory")
	_, after, ok := strings.Cut(out, "/forget\n")
	require.True(t, ok, out)
	assert.True(t, strings.HasPrefix(after, "(hemos borrado todo lo que ShopCo guardaba sobre ti"), after)
	assert.Contains(t, after, "¡Hola, Ada! Soy el asistente de ShopCo.")
	assert.NotContains(t, after, "Walnut desk lamp")
}
