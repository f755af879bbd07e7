package memory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
)

// Keys of the state these tests store in sessions.
var (
	flowKey  = memory.NewStateKey[map[string]string]("flow")
	turnKey  = memory.NewStateKey[map[string]int]("n")
	countKey = memory.NewStateKey[int]("n")
)

// onlyStore hides the optional capabilities of a store (Versioner), as a
// network store without them behaves.
type onlyStore struct{ memory.Store }

// withCacheStores runs f, as a subtest, on each kind of store the
// Sessions cache treats differently: a network store without Versioner,
// and a Map, which has it.
func withCacheStores(t *testing.T, f func(t *testing.T, store memory.Store)) {
	for _, tt := range []struct {
		name  string
		store memory.Store
	}{
		{name: "network store", store: onlyStore{memory.NewMap()}},
		{name: "versioner", store: memory.NewMap()},
	} {
		t.Run(tt.name, func(t *testing.T) { f(t, tt.store) })
	}
}

// TestSessionsCacheSurvivesRecreation: two replicas share a store; one
// erases a conversation and it is re-created up to the version the other
// replica has cached. The other must not save its session of before the
// erasure over it, nor serve its stale (erased) copy.
func TestSessionsCacheSurvivesRecreation(t *testing.T) {
	withCacheStores(t, func(t *testing.T, store memory.Store) {
		ctx := context.Background()
		a, b := memory.NewSessions(store), memory.NewSessions(store)

		s := a.New("c")
		s.Append(memory.Entry{Role: memory.RoleUser, Text: "my secret"})
		require.NoError(t, a.Save(ctx, s)) // a caches version 1

		require.NoError(t, b.Delete(ctx, "c")) // erased on replica b
		s.Append(memory.Entry{Role: memory.RoleBot, Text: "after the erasure"})
		require.ErrorIs(t, a.Save(ctx, s), memory.ErrConflict)
		_, err := store.Get(ctx, memory.SessionKey("c"))
		require.ErrorIs(t, err, memory.ErrNotFound)

		s, err = b.LoadOrNew(ctx, "c")
		require.NoError(t, err)
		s.Append(memory.Entry{Role: memory.RoleUser, Text: "fresh start"})
		require.NoError(t, b.Save(ctx, s)) // version 1 again

		got, err := a.Load(ctx, "c")
		require.NoError(t, err)
		require.Len(t, got.History, 1)
		require.Equal(t, "fresh start", got.History[0].Text, "replica a served its stale copy of an erased session")
	})
}

// TestSessionsCacheHandsOutOwnCopies: the cache must never let two callers
// share a session, nor let a caller's later changes reach another caller
// (a failed turn abandons its session; a caller may keep changing its
// session after Save).
func TestSessionsCacheHandsOutOwnCopies(t *testing.T) {
	withCacheStores(t, func(t *testing.T, store memory.Store) {
		ctx := context.Background()
		ss := memory.NewSessions(store)
		s := ss.New("c")
		s.Append(memory.Entry{Role: memory.RoleUser, Text: "saved"})
		s.MarkSeen("m1")
		require.NoError(t, flowKey.Set(s, map[string]string{"node": "ask"}))
		require.NoError(t, ss.Save(ctx, s))

		// Changed after Save, never saved.
		s.Append(memory.Entry{Role: memory.RoleUser, Text: "after save"})
		s.History[0].Text = "edited after save"
		s.State["flow"][2] = 'X'

		first, err := ss.Load(ctx, "c")
		require.NoError(t, err)
		second, err := ss.Load(ctx, "c")
		require.NoError(t, err)
		require.NotSame(t, first, second)
		for _, got := range []*memory.Session{first, second} {
			require.Len(t, got.History, 1)
			require.Equal(t, "saved", got.History[0].Text)
			require.JSONEq(t, `{"node":"ask"}`, string(got.State["flow"]))
		}

		// A failed turn changes its copy and abandons it.
		first.Append(memory.Entry{Role: memory.RoleUser, Text: "abandoned"})
		first.MarkSeen("m2")
		first.History[0].Text = "abandoned edit"
		third, err := ss.Load(ctx, "c")
		require.NoError(t, err)
		require.Len(t, third.History, 1)
		require.Equal(t, "saved", third.History[0].Text)
		require.False(t, third.HasSeen("m2"))
		require.True(t, third.HasSeen("m1"))

		// The next turn saves, and the one after sees it.
		third.Append(memory.Entry{Role: memory.RoleBot, Text: "second turn"})
		require.NoError(t, ss.Save(ctx, third))
		fourth, err := ss.Load(ctx, "c")
		require.NoError(t, err)
		require.Len(t, fourth.History, 2)
		require.Equal(t, "second turn", fourth.History[1].Text)
		require.Equal(t, third.Version, fourth.Version)
	})
}

// TestMapKeepsStoredValues: a Map copies what it is given and what it
// returns, so neither a writer nor a reader can change a stored record.
func TestMapKeepsStoredValues(t *testing.T) {
	ctx := context.Background()
	m := memory.NewMap()
	v := []byte("hello")
	_, err := m.Set(ctx, memory.Put{Key: "k", Value: v})
	require.NoError(t, err)
	v[0] = 'J'
	r, err := m.Get(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "hello", string(r.Value))
	r.Value[0] = 'Y'
	r, err = m.Get(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "hello", string(r.Value))
}

// TestSessionsReleaseReusesMemoryCleanly: a released session's memory
// serves later loads, of any conversation, without anything of it showing
// through, through many turns whose saves trim the history window; with
// Save then Release, with SaveAndRelease (which caches the session itself)
// and with the two mixed.
func TestSessionsReleaseReusesMemoryCleanly(t *testing.T) {
	tests := []struct {
		name string
		give func(turn, conv int) bool // whether to SaveAndRelease
	}{
		{name: "Save, Release", give: func(int, int) bool { return false }},
		{name: "SaveAndRelease", give: func(int, int) bool { return true }},
		{name: "mixed", give: func(turn, conv int) bool { return (turn+conv)%3 != 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testReleaseReusesMemoryCleanly(t, tt.give) })
	}
}

func testReleaseReusesMemoryCleanly(t *testing.T, give func(turn, conv int) bool) {
	ctx := context.Background()
	ss := memory.NewSessions(memory.NewMap(), memory.WithHistoryWindow(5))
	convs := []string{"a", "b", "c"}
	for turn := range 40 {
		for i, id := range convs {
			s, err := ss.LoadOrNew(ctx, id)
			require.NoError(t, err)
			require.Equal(t, id, s.ID)
			require.Len(t, s.History, min(2*turn, 5))
			for j, e := range s.History {
				require.Equal(t, id, e.Channel, "entry %d of %s", j, id)
			}
			require.Len(t, s.Seen, min(turn, 32))
			if turn > 0 {
				require.Equal(t, fmt.Sprintf("%s-%d", id, turn-1), s.Seen[len(s.Seen)-1])
				require.JSONEq(t, fmt.Sprintf(`{"turn":%d}`, turn-1), string(s.State["n"]))
			}
			s.MarkSeen(fmt.Sprintf("%s-%d", id, turn))
			s.Append(memory.Entry{Role: memory.RoleUser, Text: fmt.Sprint(turn), Channel: id})
			s.Append(memory.Entry{Role: memory.RoleBot, Text: fmt.Sprint(turn), Channel: id})
			require.NoError(t, turnKey.Set(s, map[string]int{"turn": turn}))
			if i == 1 && turn%3 == 0 {
				s.History[0].Text = "edited" // in place, before saving
			}
			if give(turn, i) {
				require.NoError(t, ss.SaveAndRelease(ctx, s))
			} else {
				require.NoError(t, ss.Save(ctx, s))
				ss.Release(s)
			}
		}
	}
	for _, id := range convs {
		s, err := ss.Load(ctx, id)
		require.NoError(t, err)
		b, err := json.Marshal(s)
		require.NoError(t, err)
		s2 := new(memory.Session)
		rec, err := ss.Store().Get(ctx, memory.SessionKey(id))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(rec.Value, s2))
		want, err := json.Marshal(s2)
		require.NoError(t, err)
		require.JSONEq(t, string(want), string(b), "the loaded session is the stored one")
	}
}

// TestSessionsSaveAndRelease: a session given to the cache by
// SaveAndRelease is what the next load hands out, as a copy of its own;
// a save that fails (a conflict) leaves the stored session as it was.
func TestSessionsSaveAndRelease(t *testing.T) {
	ctx := context.Background()
	ss := memory.NewSessions(memory.NewMap())
	s := ss.New("c")
	s.Append(memory.Entry{Role: memory.RoleUser, Text: "hello"})
	require.NoError(t, flowKey.Set(s, map[string]string{"node": "ask"}))
	require.NoError(t, ss.SaveAndRelease(ctx, s))

	first, err := ss.Load(ctx, "c")
	require.NoError(t, err)
	require.Len(t, first.History, 1)
	require.Equal(t, "hello", first.History[0].Text)
	require.JSONEq(t, `{"node":"ask"}`, string(first.State["flow"]))
	require.Equal(t, int64(1), first.Version)

	// Another writer saves first: this turn's save conflicts.
	other, err := ss.Load(ctx, "c")
	require.NoError(t, err)
	other.Append(memory.Entry{Role: memory.RoleBot, Text: "from the other writer"})
	require.NoError(t, ss.Save(ctx, other))
	first.Append(memory.Entry{Role: memory.RoleBot, Text: "lost"})
	require.ErrorIs(t, ss.SaveAndRelease(ctx, first), memory.ErrConflict)

	got, err := ss.Load(ctx, "c")
	require.NoError(t, err)
	require.Len(t, got.History, 2)
	require.Equal(t, "from the other writer", got.History[1].Text)

	// Given to the cache, then loaded twice: each load has its own copy.
	got.Append(memory.Entry{Role: memory.RoleUser, Text: "third"})
	require.NoError(t, ss.SaveAndRelease(ctx, got))
	a, err := ss.Load(ctx, "c")
	require.NoError(t, err)
	a.History[0].Text = "changed, never saved"
	a.Append(memory.Entry{Role: memory.RoleUser, Text: "abandoned"})
	b, err := ss.Load(ctx, "c")
	require.NoError(t, err)
	require.NotSame(t, a, b)
	require.Len(t, b.History, 3)
	require.Equal(t, "hello", b.History[0].Text)
	require.Equal(t, "third", b.History[2].Text)
}

// TestSessionsReuseRecordBuffersUnseen: over a Map, Sessions encodes each
// record into the buffer of one the Map has replaced. Readers of the Map
// at the same time (Get, and a second Sessions, as a second Bot on the
// same store would be) always see whole records of the conversation they
// asked for; run with -race, which reports a buffer rewritten while
// anyone reads it.
func TestSessionsReuseRecordBuffersUnseen(t *testing.T) {
	ctx := context.Background()
	m := memory.NewMap()
	ss := memory.NewSessions(m, memory.WithHistoryWindow(6))
	other := memory.NewSessions(m)
	const writers, convs, turns = 4, 3, 60
	id := func(w, c int) string { return fmt.Sprintf("w%d-c%d", w, c) }

	var done atomic.Bool
	var readers sync.WaitGroup
	check := func(conv string, s *memory.Session) {
		assert.Equal(t, conv, s.ID)
		for _, e := range s.History {
			assert.Equal(t, conv, e.Channel, "an entry of another conversation in %s", conv)
			assert.True(t, strings.HasPrefix(e.Text, conv+" "), "entry %q in %s", e.Text, conv)
		}
	}
	readers.Go(func() {
		for !done.Load() {
			for w := range writers {
				for c := range convs {
					rec, err := m.Get(ctx, memory.SessionKey(id(w, c)))
					if err != nil {
						continue // not written yet
					}
					var s memory.Session
					if assert.NoError(t, json.Unmarshal(rec.Value, &s)) {
						check(id(w, c), &s)
					}
				}
			}
		}
	})
	readers.Go(func() {
		for !done.Load() {
			for w := range writers {
				for c := range convs {
					s, err := other.Load(ctx, id(w, c))
					if err != nil {
						continue
					}
					check(id(w, c), s)
					other.Release(s)
				}
			}
		}
	})

	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for turn := range turns {
				for c := range convs {
					conv := id(w, c)
					s, err := ss.LoadOrNew(ctx, conv)
					if !assert.NoError(t, err) {
						return
					}
					check(conv, s)
					s.MarkSeen(fmt.Sprint(turn))
					s.Append(memory.Entry{Role: memory.RoleUser, Text: fmt.Sprintf("%s %d", conv, turn), Channel: conv})
					s.Append(memory.Entry{Role: memory.RoleBot, Text: fmt.Sprintf("%s reply %d", conv, turn), Channel: conv})
					assert.NoError(t, countKey.Set(s, turn))
					assert.NoError(t, ss.SaveAndRelease(ctx, s))
				}
			}
		})
	}
	wg.Wait()
	done.Store(true)
	readers.Wait()

	for w := range writers {
		for c := range convs {
			rec, err := m.Get(ctx, memory.SessionKey(id(w, c)))
			require.NoError(t, err)
			var s memory.Session
			require.NoError(t, json.Unmarshal(rec.Value, &s))
			check(id(w, c), &s)
			require.Equal(t, 2*turns, s.Messages)
			require.Equal(t, fmt.Sprintf("%s reply %d", id(w, c), turns-1), s.History[len(s.History)-1].Text)
			require.Equal(t, fmt.Sprint(turns-1), string(s.State["n"]))
		}
	}
}
