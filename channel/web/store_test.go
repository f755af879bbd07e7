package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
)

func TestStoreKeepsHistoryAcrossRestarts(t *testing.T) {
	store := memory.NewMap()
	first := newEnv(t, func(c *Config) { c.Store = store })
	s := first.session("")
	ws := first.connectConsented(s.Token)
	ws.send(msg("k1", "hello"))
	ws.botReply()
	require.NoError(t, ws.c.Close(websocket.StatusNormalClosure, "reload"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, first.h.Close(ctx))

	// A new process (or another replica) with the same secret and store.
	second := newEnv(t, func(c *Config) { c.Store = store })
	s2 := second.session(s.Token)
	assert.Equal(t, s.Conversation, s2.Conversation)
	assert.Equal(t, consentGranted, s2.Consent)
	assert.Equal(t, []string{"user:hello", "bot:Hi! Want a discount?"}, summarize(s2.History))
	_, ready := second.connect(s2.Token)
	assert.Equal(t, []string{"user:hello", "bot:Hi! Want a discount?"}, summarize(ready.History))
}

func TestStoreReplicasDoNotLoseEntries(t *testing.T) {
	store := memory.NewMap()
	a := newEnv(t, func(c *Config) { c.Store = store })
	b := newEnv(t, func(c *Config) { c.Store = store })
	ctx := context.Background()
	cvA, cvB := a.h.lookup("shared", true), b.h.lookup("shared", true)
	_, err := a.h.setConsent(ctx, cvA, true)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 40 {
		h, cv := a.h, cvA
		if i%2 == 1 {
			h, cv = b.h, cvB
		}
		wg.Go(func() { h.keep(ctx, cv, entry{ID: fmt.Sprint(i), Role: roleUser, Time: time.Now()}) })
	}
	wg.Wait()
	_, hist, err := b.h.consentAndHistory(ctx, "shared")
	require.NoError(t, err)
	assert.Len(t, hist, 40, "concurrent writers from two replicas all land")
	for _, e := range append(a.rec.events, b.rec.events...) {
		assert.NotEqual(t, eventStoreError, e.Kind, "%v", e.Err)
	}
}

// brokenStore fails every call after it is broken.
type brokenStore struct {
	memory.Store
	mu     sync.Mutex
	broken bool
}

var errStoreDown = errors.New("store down")

func (s *brokenStore) fail() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken {
		return errStoreDown
	}
	return nil
}

func (s *brokenStore) Get(ctx context.Context, key string) (memory.Record, error) {
	if err := s.fail(); err != nil {
		return memory.Record{}, err
	}
	return s.Store.Get(ctx, key)
}

func (s *brokenStore) Set(ctx context.Context, p memory.Put) (int64, error) {
	if err := s.fail(); err != nil {
		return 0, err
	}
	return s.Store.Set(ctx, p)
}

func TestStoreFailureIsReported(t *testing.T) {
	store := &brokenStore{Store: memory.NewMap()}
	e := newEnv(t, func(c *Config) { c.Store = store })
	s := e.session("")
	ws := e.connectConsented(s.Token)

	store.mu.Lock()
	store.broken = true
	store.mu.Unlock()
	ws.send(msg("b1", "hello"))
	assert.Equal(t, "Hi! Want a discount?", ws.botReply().Message.Text, "the conversation goes on without the store")

	code, errCode := e.post("/session", s.Token, "", nil, nil)
	assert.Equal(t, http.StatusInternalServerError, code)
	assert.Equal(t, codeInternal, errCode)

	e.rec.mu.Lock()
	defer e.rec.mu.Unlock()
	var n int
	for _, ev := range e.rec.events {
		if ev.Kind == eventStoreError {
			n++
			assert.ErrorIs(t, ev.Err, errStoreDown)
		}
	}
	assert.GreaterOrEqual(t, n, 3, "the user entry, the bot entry and the session load are reported")
}

func TestStoreCorruptRecordStartsAfresh(t *testing.T) {
	store := memory.NewMap()
	e := newEnv(t, func(c *Config) { c.Store = store })
	s := e.session("")
	_, err := store.Set(context.Background(), memory.Put{Key: transcriptKey(s.Conversation), Value: []byte("{not json"), IfVersion: memory.AnyVersion})
	require.NoError(t, err)
	ws := e.connectConsented(s.Token)
	ws.send(msg("c1", "hello"))
	ws.botReply()
	assert.Equal(t, []string{"user:hello", "bot:Hi! Want a discount?"}, summarize(e.history(s.Conversation)))
	var corrupt *memory.CorruptError
	e.rec.mu.Lock()
	defer e.rec.mu.Unlock()
	found := false
	for _, ev := range e.rec.events {
		if ev.Kind == eventStoreError && errors.As(ev.Err, &corrupt) {
			found = true
		}
	}
	assert.True(t, found, "the corrupt record is reported")
}
