package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/memory"
)

// TestEraseInChat erases a customer from the chat on a SQLite file: Ada
// chats (a refund waiting for approval, a hand-off ticket, messages the
// model was unsure about), asks what is kept (counts only, none of her
// data in the chat), then "delete my data" and "yes". Afterwards the file
// and its log hold none of her identifiers or words, the reply came
// once, and a restart finds no session, approval, ticket or review item
// of hers.
func TestEraseInChat(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	out := runPiped(t, "hi\n2\nA-1002\n60\nyes\nhuman\nthe lamp flickers, email me at ada@example.com\nexport my data\ndelete my data\nyes\n", "-db", db)
	require.Contains(t, out, "need a quick OK from a teammate")
	_, export, ok := strings.Cut(out, "you> export my data")
	require.True(t, ok, out)
	export, _, _ = strings.Cut(export, "you> delete my data")
	assert.Contains(t, export, "- requests waiting for a teammate's OK: 1")
	assert.Contains(t, export, "- support tickets: 1")
	assert.Contains(t, export, `type "/export" here`)
	for _, private := range []string{"ada@example.com", "Lovelace", "A-1002", "$60", "lamp", "cus_ada"} {
		assert.NotContains(t, export, private, "the chat's summary shows stored data")
	}
	assert.Equal(t, 1, strings.Count(out, "is being erased now"), out)

	after := fileBytes(t, db)
	for _, s := range append(traces, "cus_ada", "cli-cus_ada", "delete my data") {
		assert.NotContains(t, after, s, "left in the file after the in-chat erasure")
	}

	ctx := t.Context()
	st, err := openStores(ctx, db)
	require.NoError(t, err)
	defer func() { require.NoError(t, st.close()) }()
	a, err := newAppWith(config{customer: "cus_ada", writes: true, store: st.kv, jobs: st.jobs})
	require.NoError(t, err)
	a.divert = func(*parley.Turn) {}
	_, err = memory.NewSessions(st.kv).Load(ctx, "cli-cus_ada")
	require.ErrorIs(t, err, memory.ErrNotFound, "the Bot did not write the erased conversation back")
	pending, err := action.NewStoreApprovals(st.kv).List(ctx)
	require.NoError(t, err)
	assert.Empty(t, pending)
	assert.Empty(t, a.desk.Queue())
	items, err := a.learn.queue.Items(ctx, false)
	require.NoError(t, err)
	assert.Empty(t, items, "the review queue keeps none of her messages")
}

// TestEraseInChatNeedsAYes: a no, or a change of subject, erases
// nothing.
func TestEraseInChatNeedsAYes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	out := runPiped(t, "hi\nthe lamp flickers\ndelete my data\nno\nforget me\nwhere is order A-1002?\nyes\n", "-db", db)
	assert.Contains(t, out, "OK, I haven't deleted anything.")
	assert.NotContains(t, out, "is being erased")
	ctx := context.Background()
	st, err := openStores(ctx, db)
	require.NoError(t, err)
	defer func() { require.NoError(t, st.close()) }()
	s, err := memory.NewSessions(st.kv).Load(ctx, "cli-cus_ada")
	require.NoError(t, err)
	assert.Equal(t, 7, s.Turns, "the conversation is all there")
}

func TestDataRequestOf(t *testing.T) {
	tests := []struct {
		text string
		want dataKind
	}{
		{"delete my data", eraseRequest},
		{"Please erase everything you know about me!", eraseRequest},
		{"forget me", eraseRequest},
		{"I want you to remove all my personal data", eraseRequest},
		{"delete my account", eraseRequest},
		{"I'm invoking my right to be forgotten", eraseRequest},
		{"borra mis datos", eraseRequest},
		{"Elimina mis datos, por favor", eraseRequest},
		{"quiero que borres todo lo que sabes de mí", eraseRequest},
		{"bórrame todo lo que tienes de mí", eraseRequest},
		{"olvídame", eraseRequest},
		{"borrar todo lo que guardas sobre mí", eraseRequest},
		{"export my data", exportRequest},
		{"send me my data", exportRequest},
		{"what data do you have on me?", exportRequest},
		{"quiero mis datos", exportRequest},
		{"envíame mis datos", exportRequest},
		{"¿qué datos tienes de mí?", exportRequest},
		{"delete my order", noDataRequest},
		{"remove the lamp from my order", noDataRequest},
		{"forget it", noDataRequest},
		{"send me my order details", noDataRequest},
		{"where is my order A-1002?", noDataRequest},
		{"cancel my plan", noDataRequest},
		{"hola", noDataRequest},
	}
	for _, tt := range tests {
		got, _ := dataRequestOf(tt.text)
		assert.Equal(t, tt.want, got, "%q", tt.text)
	}
	for text, want := range map[string]string{"olvídame": "es", "borra mis datos": "es", "quiero mis datos": "es", "forget me": "en", "export my data": "en"} {
		_, lang := dataRequestOf(text)
		assert.Equal(t, want, lang, "%q", text)
	}
}

// TestEraseInWidget erases from the web chat, whose turns the Bot runs
// from its inbox and answers through the outbox: the erasure waits for
// the reply to be sent, and afterwards the file holds none of the chat
// and the visitor's page starts empty.
func TestEraseInWidget(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	base, stop := startWeb(t, "-db", db)
	var s chatSession
	post(t, base+"chat/session", "", "", &s)
	post(t, base+"chat/send", s.Token, `{"type":"consent","granted":true}`, nil)
	post(t, base+"chat/send", s.Token, `{"type":"message","id":"m1","text":"where is my order A-1002? the lamp flickers, write to ada@example.com"}`, nil)
	post(t, base+"chat/send", s.Token, `{"type":"message","id":"m2","text":"delete my data"}`, nil)
	post(t, base+"chat/send", s.Token, `{"type":"message","id":"m3","text":"yes"}`, nil)
	stop() // the Bot finishes the turns it has accepted before it stops

	after := fileBytes(t, db)
	for _, gone := range []string{"ada@example.com", "the lamp flickers", "delete my data", s.Conversation} {
		assert.NotContains(t, after, gone, "left in the file after the in-chat erasure")
	}
	base, stop = startWeb(t, "-db", db)
	defer stop()
	var again chatSession
	post(t, base+"chat/session", s.Token, "", &again)
	assert.Empty(t, again.History, "the page shows nothing of the erased chat")
}
