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
					assert.NoError(t, memory.SetState(s, "n", turn))
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
