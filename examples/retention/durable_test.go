package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/memory"
)

// runPiped runs the example in the terminal with args, the customer
// typing input, and returns what it printed.
func runPiped(t *testing.T, input string, args ...string) string {
	t.Helper()
	in, err := os.CreateTemp(t.TempDir(), "in")
	require.NoError(t, err)
	_, err = in.WriteString(input)
	require.NoError(t, err)
	_, err = in.Seek(0, 0)
	require.NoError(t, err)
	defer in.Close()
	var out strings.Builder
	// -always-open: a hand-off queues whatever the hour the test runs at.
	require.NoError(t, run(t.Context(), append([]string{"-cli", "-always-open"}, args...), in, &out))
	return out.String()
}

// TestConversationSurvivesRestart runs the example against a SQLite file,
// stops it with a refund waiting for a teammate's OK, and starts it again:
// the customer is welcomed back, the refund still waits (for the bot and
// on the staff side, where approving it still works), and the history
// is there.
func TestConversationSurvivesRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	first := runPiped(t, "hi\n2\nA-1002\n60\nyes\n", "-db", db)
	require.Contains(t, first, "need a quick OK from a teammate")

	second := runPiped(t, "is my refund approved yet?\nhi\n", "-db", db)
	// The same conversation, continued: she is greeted again, not
	// welcomed back (her earlier messages are still on screen).
	assert.Contains(t, second, "Hi again, Ada!")
	assert.Contains(t, second, "Your refund of $60.00 on A-1002 is still waiting for a teammate's OK.")

	ctx := t.Context()
	st, err := openStores(ctx, db)
	require.NoError(t, err)
	defer func() { require.NoError(t, st.close()) }()
	s, err := memory.NewSessions(st.kv).Load(ctx, "cli-cus_ada")
	require.NoError(t, err)
	var said []string
	for _, e := range s.History {
		if e.Role == memory.RoleUser {
			said = append(said, e.Text)
		}
	}
	assert.Equal(t, []string{"hi", "refund", "A-1002", "60", "yes", "is my refund approved yet?", "hi"}, said)

	pending, err := action.NewStoreApprovals(st.kv).List(ctx)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, "cli-cus_ada", pending[0].Request.Conversation)
	assert.InDelta(t, 60.0, pending[0].Request.Amount, 0.001)

	// A third start, as the staff side: the approval is listed and
	// approving it pays the refund.
	a, err := newAppWith(config{customer: "cus_ada", writes: true, store: st.kv, jobs: st.jobs})
	require.NoError(t, err)
	a.divert = func(*parley.Turn) {} // the customer is not listening
	waiting, err := a.actions.awaiting(ctx)
	require.NoError(t, err)
	require.Len(t, waiting, 1)
	_, res, err := a.actions.decide(context.WithoutCancel(ctx), waiting[0].Request.ID, "Sam", true)
	require.NoError(t, err)
	assert.Contains(t, string(res.Output), "A-1002")
}

func TestMemoryFlagKeepsNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	runPiped(t, "hi\n", "-db", db, "-memory")
	_, err := os.Stat(db)
	assert.ErrorIs(t, err, os.ErrNotExist, "-memory writes no file")
	runPiped(t, "hi\n", "-db", "")
	again := runPiped(t, "hi\n", "-db", "")
	assert.NotContains(t, again, "Welcome back", "-db '' starts over")
	assert.Contains(t, again, "Hi Ada!")
}

// TestHandOffSurvivesRestart stops the example while the customer waits
// for a person: started again, the workspace's queue has the ticket, an
// agent takes it and, once resolved, it is not queued at the next start.
func TestHandOffSurvivesRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	first := runPiped(t, "hi\nhuman\n", "-db", db)
	require.Contains(t, first, "I've asked a person from our team to join")

	ctx := t.Context()
	st, err := openStores(ctx, db)
	require.NoError(t, err)
	defer func() { require.NoError(t, st.close()) }()
	start := func() (*app, *[]*parley.Turn) {
		a, err := newAppWith(config{customer: "cus_ada", writes: true, store: st.kv, jobs: st.jobs})
		require.NoError(t, err)
		var got []*parley.Turn
		a.divert = func(t *parley.Turn) { got = append(got, t) }
		return a, &got
	}
	a, got := start()
	queue := a.desk.Queue()
	require.Len(t, queue, 1)
	tk := queue[0].Ticket
	assert.Equal(t, "cli-cus_ada", tk.ConversationID)
	assert.NotEmpty(t, tk.Transcript, "the agent sees the conversation so far")
	require.NoError(t, a.desk.Assign(ctx, tk.ID, "Sam"))
	require.NoError(t, a.desk.Resolve(ctx, tk.ID, "Sam", "answered"))
	require.Len(t, *got, 2, "assigned, resolved")

	b, _ := start()
	assert.Empty(t, b.desk.Queue(), "a resolved hand-off is not queued again")
}

// startWeb runs the example's web mode with args until the returned stop
// is called, and returns its base URL.
func startWeb(t *testing.T, args ...string) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), os.Stdin, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "chat:"); ok {
			base = strings.TrimSpace(u)
			break
		}
	}
	require.NotEmpty(t, base, "the example prints where it serves")
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for sc.Scan() {
		}
	}()
	return base, func() {
		cancel()
		require.NoError(t, <-done)
		<-drained
	}
}

// chatSession is the widget's POST /chat/session answer.
type chatSession struct {
	Token        string `json:"token"`
	Conversation string `json:"conversation"`
	History      []struct {
		Role    string         `json:"role"`
		Message parley.Message `json:"message"`
	} `json:"history"`
}

// post sends body to the chat API with the visitor's token.
func post(t *testing.T, url, token, body string, into any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	if into != nil {
		require.NoError(t, json.Unmarshal(b, into))
	}
}

// TestWidgetConversationSurvivesRestart chats in the widget, stops the
// example and starts it again on the same file: the visitor's token is
// still valid (the signing secret is kept), and the page of a visitor who
// agreed to keep the conversation shows it so far.
func TestWidgetConversationSurvivesRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	base, stop := startWeb(t, "-db", db)
	var s chatSession
	post(t, base+"chat/session", "", "", &s)
	require.NotEmpty(t, s.Token)
	post(t, base+"chat/send", s.Token, `{"type":"consent","granted":true}`, nil) // keep it, the widget asks
	post(t, base+"chat/send", s.Token, `{"type":"message","id":"m1","text":"where is my order A-1001?"}`, nil)
	stop() // the Bot finishes the turn it has accepted before it stops

	base, stop = startWeb(t, "-db", db)
	defer stop()
	var again chatSession
	post(t, base+"chat/session", s.Token, "", &again)
	assert.Equal(t, s.Conversation, again.Conversation, "the same conversation")
	var said []string
	for _, e := range again.History {
		said = append(said, e.Role+": "+e.Message.Text)
	}
	require.GreaterOrEqual(t, len(said), 2, "%q", said)
	assert.Equal(t, "user: where is my order A-1001?", said[0])
	assert.Contains(t, strings.Join(said[1:], "\n"), "has shipped")
}

// TestSwitchCustomerOnThePage switches the widget's visitor to Ben with
// the page's selector (a demo_customer page event): the bot says who he
// is now, his call-back is in New York time, and after a restart the
// conversation is still Ben's.
func TestSwitchCustomerOnThePage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	base, stop := startWeb(t, "-db", db)
	var s chatSession
	post(t, base+"chat/session", "", "", &s)
	post(t, base+"chat/send", s.Token, `{"type":"consent","granted":true}`, nil)
	post(t, base+"chat/send", s.Token, `{"type":"track","id":"t1","name":"demo_customer","data":{"customer":"cus_ben"}}`, nil)
	stop()

	base, stop = startWeb(t, "-db", db)
	post(t, base+"chat/send", s.Token, `{"type":"message","id":"m1","text":"can someone call me back?"}`, nil)
	stop()

	base, stop = startWeb(t, "-db", db)
	defer stop()
	var again chatSession
	post(t, base+"chat/session", s.Token, "", &again)
	var said []string
	for _, e := range again.History {
		said = append(said, e.Role+": "+e.Message.Text)
	}
	require.Len(t, said, 3, "%q", said)
	assert.True(t, strings.HasPrefix(said[0], "bot: You're now Ben Okafor (demo)."), said[0])
	assert.Equal(t, "user: can someone call me back?", said[1])
	assert.Equal(t, `bot: When suits you (New York time)? For example "tomorrow morning".`, said[2])
}

func TestSwitchCustomerInTheTerminal(t *testing.T) {
	out := runPiped(t, "/as ben\ncan someone call me back?\ncancel\n/as nobody\n/sim log\n", "-memory")
	assert.Contains(t, out, "(You're now Ben Okafor (demo).")
	assert.Contains(t, out, `When suits you (New York time)?`)
	assert.Contains(t, out, `(no demo customer "nobody": try ada or ben)`)
}
