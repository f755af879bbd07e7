package web

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// failingStore fails the next n writes of keys with prefix.
type failingStore struct {
	memory.Store
	prefix string
	mu     sync.Mutex
	n      int
}

func (f *failingStore) Set(ctx context.Context, p memory.Put) (int64, error) {
	f.mu.Lock()
	fail := f.n > 0 && strings.HasPrefix(p.Key, f.prefix)
	if fail {
		f.n--
	}
	f.mu.Unlock()
	if fail {
		return 0, errors.New("connection reset")
	}
	return f.Store.Set(ctx, p)
}

// botEnv is an env whose bot is a parley.Bot over store, built by mk
// with the Chat as its "web" Sender.
func botEnv(t *testing.T, mk func(chat *Chat) *parley.Bot) *env {
	t.Helper()
	rec := &recorder{}
	h, err := New(Config{Secret: testSecret, Observer: rec, RateLimit: 100, RateBurst: 100})
	require.NoError(t, err)
	bot := mk(h)
	e := &env{t: t, h: h, rec: rec}
	e.srv = httptestServer(t, h, h.Handler(bot))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		assert.NoError(t, bot.Shutdown(ctx))
	})
	return e
}

// exchange reads frames until the ack of id and a bot reply have both
// arrived (the Bot may answer before the ack is written), and returns the
// reply and the frame types read, in order.
func exchange(ws *wsClient, id string) (entry, []string) {
	ws.t.Helper()
	var reply *entry
	var types []string
	acked := false
	for range 50 {
		f := ws.read()
		types = append(types, f.Type)
		switch {
		case f.Type == "ack" && f.ID == id:
			acked = true
		case f.Type == "message" && f.Entry.Role == roleBot:
			reply = f.Entry
		}
		if acked && reply != nil {
			return *reply, types
		}
	}
	ws.t.Fatalf("no ack and reply for %q in 50 frames: %v", id, types)
	return entry{}, nil
}

// A message the widget saw acknowledged is answered even though the
// Bot's first attempt at the turn could not be saved: the ack follows
// Enqueue, and the Bot finishes the turn.
func TestEnqueuedMessageSurvivesFailedSave(t *testing.T) {
	store := &failingStore{Store: memory.NewMap(), prefix: "session/", n: 1}
	var rec recorder
	e := botEnv(t, func(chat *Chat) *parley.Bot { return testBot(&rec, chat, parley.WithStore(store)) })
	ws := e.connectConsented(e.session("").Token)
	ws.send(msg("s1", "hello"))
	r, types := exchange(ws, "s1")
	assert.Contains(t, types, "read", "the bot engaged with the message")
	assert.Contains(t, types, "typing")
	assert.Equal(t, "Hi! Want a discount?", r.Message.Text)
	assert.Equal(t, "s1/1", r.ID, "the reply carries the Bot's stable ID")
	store.mu.Lock()
	assert.Zero(t, store.n, "the first save failed")
	store.mu.Unlock()
	assert.Len(t, rec.Turns(), 2, "the turn ran again after the failed save")
}

// A message acknowledged by a process that stopped before answering is
// answered by the next one, recovering from the same store.
func TestEnqueuedMessageAnsweredAfterRestart(t *testing.T) {
	shared := memory.NewMap()
	rec := &recorder{}
	h, err := New(Config{Secret: testSecret, Observer: rec, RateLimit: 100, RateBurst: 100})
	require.NoError(t, err)
	// The first bot accepts turns but cannot save a session: it stops
	// (here, shuts down) without having answered.
	var first recorder
	dead := testBot(&first, h, parley.WithStore(&failingStore{Store: shared, prefix: "session/", n: 1000}))
	e := &env{t: t, h: h, rec: rec}
	e.srv = httptestServer(t, h, h.Handler(dead))
	ws := e.connectConsented(e.session("").Token)
	ws.send(msg("c1", "hello"))
	assert.Equal(t, "c1", ws.until("ack").ID)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	require.NoError(t, dead.Shutdown(ctx))

	var second recorder
	bot := testBot(&second, h, parley.WithStore(shared))
	t.Cleanup(func() { assert.NoError(t, bot.Shutdown(context.Background())) })
	h.Handler(bot)
	n, err := bot.Recover(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	r := ws.botReply()
	assert.Equal(t, "Hi! Want a discount?", r.Message.Text)
	assert.Equal(t, "c1/1", r.ID)
	require.Len(t, second.Turns(), 1)
	assert.Equal(t, "c1", second.Turns()[0].MessageID)
}

// When Enqueue fails the widget gets the error frame of a failed turn,
// not an ack, and the resent message is accepted and answered.
func TestEnqueueFailureIsNotAcknowledged(t *testing.T) {
	store := &failingStore{Store: memory.NewMap(), prefix: "inbox/", n: 1}
	var rec recorder
	e := botEnv(t, func(chat *Chat) *parley.Bot { return testBot(&rec, chat, parley.WithStore(store)) })
	ws, _ := e.connect(e.session("").Token)
	ws.send(msg("f1", "hi"))
	for f := ws.read(); f.Type != "error"; f = ws.read() {
		require.NotEqual(t, "ack", f.Type, "no ack before the turn is accepted")
	}
	ws.send(msg("f1", "hi"))
	r, _ := exchange(ws, "f1")
	assert.Equal(t, "you said: hi", r.Message.Text)
	assert.Len(t, rec.Turns(), 1)
}

// A message resent after its ack (a reconnect) is acknowledged again and
// answered once: the Bot reports it as a duplicate.
func TestEnqueueDuplicateIsAcknowledged(t *testing.T) {
	var rec recorder
	e := botEnv(t, func(chat *Chat) *parley.Bot { return testBot(&rec, chat) })
	s := e.session("")
	ws, _ := e.connect(s.Token)
	ws.send(msg("d1", "hi"))
	r, _ := exchange(ws, "d1")
	assert.Equal(t, "you said: hi", r.Message.Text)
	// As if a fresh Chat (another process) got the resend: only the Bot
	// remembers the message.
	e.h.lookup(s.Conversation, false).release("d1")
	ws.send(msg("d1", "hi"))
	assert.Equal(t, "d1", ws.until("ack").ID)
	ws.send(msg("d2", "again"))
	assert.Equal(t, "you said: again", ws.botReply().Message.Text)
	assert.Len(t, rec.Turns(), 2, "the resend did not run")
}

// A Bot without the Chat as its "web" Sender cannot deliver: it reports
// every such turn as a turn error wrapping parley.ErrNoSender.
func TestBotWithoutWebSenderIsReported(t *testing.T) {
	errs := make(chan error, 10)
	obs := parley.ObserverFunc(func(_ context.Context, ev parley.Event) {
		if ev.Kind == parley.EventTurnError {
			errs <- ev.Err
		}
	})
	echo := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("you said: "+t.Text()))
	})
	e := botEnv(t, func(*Chat) *parley.Bot { return parley.NewBot(echo, parley.WithObserver(obs)) })
	ws, _ := e.connect(e.session("").Token)
	ws.send(msg("n1", "hi"))
	assert.Equal(t, "n1", ws.until("ack").ID)
	select {
	case err := <-errs:
		assert.ErrorIs(t, err, parley.ErrNoSender)
	case <-time.After(15 * time.Second):
		t.Fatal("no turn error reported")
	}
}
