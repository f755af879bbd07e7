package parley_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory"
)

// appKey is the state a test handler keeps in its session.
var appKey = memory.NewStateKey[string]("test.app")

// sink is a ReplyWriter that collects replies; safe for concurrent use.
type sink struct {
	mu   sync.Mutex
	msgs []parley.Message
	err  error
}

func (s *sink) Reply(_ context.Context, m parley.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.msgs = append(s.msgs, m)
	return nil
}

func (s *sink) texts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.msgs {
		out = append(out, m.Text)
	}
	return out
}

type events struct {
	mu sync.Mutex
	es []parley.Event
}

func (e *events) Observe(_ context.Context, ev parley.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.es = append(e.es, ev)
}

func (e *events) of(k parley.EventKind) []parley.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []parley.Event
	for _, ev := range e.es {
		if ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}

var echo = parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	return w.Reply(ctx, parley.Text("echo: "+t.Text()))
})

func turn(conv, id, text string) *parley.Turn {
	return &parley.Turn{ConversationID: conv, MessageID: id, Channel: "test", Message: parley.Text(text)}
}

func TestBotRepliesAndRecordsHistory(t *testing.T) {
	ev := &events{}
	bot := parley.NewBot(echo, parley.WithObserver(ev))
	w := &sink{}
	require.NoError(t, bot.HandleTurn(context.Background(), w, turn("c1", "m1", "hello")))
	assert.Equal(t, []string{"echo: hello"}, w.texts())

	s, err := bot.Sessions().Load(context.Background(), "c1")
	require.NoError(t, err)
	assert.Equal(t, 1, s.Turns)
	require.Len(t, s.History, 2)
	assert.Equal(t, memory.RoleUser, s.History[0].Role)
	assert.Equal(t, "hello", s.History[0].Text)
	assert.Equal(t, memory.RoleBot, s.History[1].Role)

	turns := ev.of(parley.EventTurn)
	require.Len(t, turns, 1)
	assert.Equal(t, "c1", turns[0].ConversationID)
	assert.GreaterOrEqual(t, turns[0].Duration, time.Duration(0))
	assert.Len(t, ev.of(parley.EventReply), 1)
}

// TestBotSavesTurnWhenCallerGivesUp: a turn whose handler finished is
// saved even though the caller's context ended meanwhile (the webhook's
// request timed out), with the in-memory store too.
func TestBotSavesTurnWhenCallerGivesUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		err := w.Reply(ctx, parley.Text("echo: "+t.Text()))
		cancel()
		return err
	}))
	require.NoError(t, bot.HandleTurn(ctx, &sink{}, turn("c1", "m1", "hello")))
	require.Error(t, ctx.Err())

	s, err := bot.Sessions().Load(context.Background(), "c1")
	require.NoError(t, err)
	assert.Equal(t, 1, s.Turns)
	require.Len(t, s.History, 2)
	assert.Equal(t, "echo: hello", s.History[1].Text)
}

func TestBotDropsRedeliveredMessages(t *testing.T) {
	ev := &events{}
	bot := parley.NewBot(echo, parley.WithObserver(ev))
	w := &sink{}
	for range 3 {
		require.NoError(t, bot.HandleTurn(context.Background(), w, turn("c1", "m1", "hello")))
	}
	assert.Equal(t, []string{"echo: hello"}, w.texts())
	assert.Len(t, ev.of(parley.EventDuplicate), 2)
	// The same message ID in another conversation is a different message.
	require.NoError(t, bot.HandleTurn(context.Background(), w, turn("c2", "m1", "hi")))
	assert.Len(t, w.texts(), 2)
}

func TestBotOrdersTurnsPerConversation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		seen := map[string][]int{}
		inFlight := map[string]int{}
		var overlap atomic.Bool
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			mu.Lock()
			inFlight[t.ConversationID]++
			if inFlight[t.ConversationID] > 1 {
				overlap.Store(true)
			}
			mu.Unlock()
			time.Sleep(50 * time.Microsecond)
			var n int
			_, err := fmt.Sscanf(t.Text(), "%d", &n)
			mu.Lock()
			seen[t.ConversationID] = append(seen[t.ConversationID], n)
			inFlight[t.ConversationID]--
			mu.Unlock()
			return err
		})
		bot := parley.NewBot(h, parley.WithMaxConcurrency(4))
		const convs, turns = 20, 30
		var wg sync.WaitGroup
		for c := range convs {
			wg.Go(func() {
				// One sender per conversation: arrival order is send order.
				for i := range turns {
					err := bot.HandleTurn(context.Background(), &sink{}, turn(fmt.Sprint("c", c), fmt.Sprint(i), fmt.Sprint(i)))
					assert.NoError(t, err)
				}
			})
		}
		wg.Wait()
		assert.False(t, overlap.Load(), "two turns of one conversation ran at once")
		for c := range convs {
			got := seen[fmt.Sprint("c", c)]
			require.Len(t, got, turns)
			for i, n := range got {
				require.Equal(t, i, n, "conversation c%d out of order: %v", c, got)
			}
		}
	})
}

func TestBotConcurrentArrivalsKeepArrivalOrder(t *testing.T) {
	// Turns of one conversation that arrive while one is running queue in
	// arrival order.
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var order []string
		var mu sync.Mutex
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if t.Text() == "first" {
				<-release
			}
			mu.Lock()
			order = append(order, t.Text())
			mu.Unlock()
			return nil
		})
		bot := parley.NewBot(h)
		var wg sync.WaitGroup
		wg.Go(func() { assert.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", "1", "first"))) })
		synctest.Wait() // "first" is running
		for i := 2; i <= 5; i++ {
			wg.Go(func() {
				assert.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", fmt.Sprint(i), fmt.Sprint(i))))
			})
			synctest.Wait() // turn i waits for its conversation
		}
		close(release)
		wg.Wait()
		assert.Equal(t, []string{"first", "2", "3", "4", "5"}, order)
	})
}

func TestBotBoundsConcurrency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var cur, peak atomic.Int32
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			n := cur.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
			cur.Add(-1)
			return nil
		})
		bot := parley.NewBot(h, parley.WithMaxConcurrency(3))
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Go(func() {
				assert.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn(fmt.Sprint(i), "m", "x")))
			})
		}
		wg.Wait()
		assert.LessOrEqual(t, peak.Load(), int32(3))
	})
}

func TestBotPanicBecomesFallbackAndKeepsState(t *testing.T) {
	ev := &events{}
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
		s := turn.Session()
		if turn.Text() == "boom" {
			if err := appKey.Set(s, "half-written"); err != nil {
				return err
			}
			panic("kaboom")
		}
		if err := appKey.Set(s, "saved"); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text("ok"))
	})
	bot := parley.NewBot(h, parley.WithObserver(ev), parley.WithFallback(parley.Text("fallback")))
	w := &sink{}
	require.NoError(t, bot.HandleTurn(context.Background(), w, turn("c", "1", "hi")))
	require.NoError(t, bot.HandleTurn(context.Background(), w, turn("c", "2", "boom")))
	assert.Equal(t, []string{"ok", "fallback"}, w.texts())

	errs := ev.of(parley.EventTurnError)
	require.Len(t, errs, 1)
	var pe *parley.PanicError
	require.ErrorAs(t, errs[0].Err, &pe)
	assert.Equal(t, "kaboom", pe.Value)

	s, err := bot.Sessions().Load(context.Background(), "c")
	require.NoError(t, err)
	v, _, err := appKey.Get(s)
	require.NoError(t, err)
	assert.Equal(t, "saved", v, "the panicking turn's half-written state is discarded")
	assert.Equal(t, 2, s.Turns)
	assert.True(t, s.HasSeen("2"), "a redelivery of the panicking message is still dropped")
	assert.Equal(t, "fallback", s.History[len(s.History)-1].Text)
}

func TestBotErrorBecomesFallback(t *testing.T) {
	ev := &events{}
	cause := errors.New("backend down")
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error { return cause })
	bot := parley.NewBot(h, parley.WithObserver(ev))
	w := &sink{}
	require.NoError(t, bot.HandleTurn(context.Background(), w, turn("c", "1", "hi")))
	require.Len(t, w.texts(), 1)
	assert.Contains(t, w.texts()[0], "something went wrong")
	require.Len(t, ev.of(parley.EventTurnError), 1)
	assert.ErrorIs(t, ev.of(parley.EventTurnError)[0].Err, cause)
}

func TestBotTurnDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			<-ctx.Done() // a slow backend that honours the context
			return ctx.Err()
		})
		ev := &events{}
		bot := parley.NewBot(h, parley.WithTurnTimeout(3*time.Second), parley.WithObserver(ev))
		w := &sink{}
		start := time.Now()
		require.NoError(t, bot.HandleTurn(context.Background(), w, turn("c", "1", "hi")))
		assert.Equal(t, 3*time.Second, time.Since(start))
		require.Len(t, w.texts(), 1)
		require.ErrorIs(t, ev.of(parley.EventTurnError)[0].Err, context.DeadlineExceeded)
	})
}

func TestBotShutdownWaitsForTurns(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			time.Sleep(time.Second)
			return w.Reply(ctx, parley.Text("done"))
		})
		bot := parley.NewBot(h)
		w := &sink{}
		go func() { assert.NoError(t, bot.HandleTurn(context.Background(), w, turn("c", "1", "hi"))) }()
		synctest.Wait()
		require.NoError(t, bot.Shutdown(context.Background()))
		assert.Equal(t, []string{"done"}, w.texts(), "Shutdown returned before the turn finished")
		require.ErrorIs(t, bot.HandleTurn(context.Background(), w, turn("c", "2", "again")), parley.ErrClosed)
	})
}

func TestBotShutdownHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stuck := make(chan struct{})
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			<-stuck
			return nil
		})
		bot := parley.NewBot(h)
		go func() { assert.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", "1", "hi"))) }()
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		require.ErrorIs(t, bot.Shutdown(ctx), context.DeadlineExceeded)
		close(stuck)
	})
}

func TestBotBadInput(t *testing.T) {
	got := func(text string) (string, *parley.Turn) {
		var seen *parley.Turn
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			seen = t
			return w.Reply(ctx, parley.Text("handled"))
		})
		ev := &events{}
		bot := parley.NewBot(h, parley.WithObserver(ev))
		w := &sink{}
		require.NoError(t, bot.HandleTurn(context.Background(), w, turn("c", "1", text)))
		require.Len(t, w.texts(), 1)
		return w.texts()[0], seen
	}
	tests := []struct {
		name     string
		give     string
		wantText string // what the handler sees; "" with wantReply for rejected input
		reject   bool
	}{
		{"empty", "", "", false},
		{"whitespace", " \t\n ", " \t\n ", false},
		{"invalid utf-8", "caf\xe9 ok", "caf\uFFFD ok", false},
		{"control characters", "a\x00b\x1bc\u200b", "abc\u200b", false},
		{"1 MB", strings.Repeat("x", 1<<20), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply, seen := got(tt.give)
			if tt.reject {
				assert.Contains(t, reply, "too long")
				assert.Nil(t, seen)
				return
			}
			assert.Equal(t, "handled", reply)
			require.NotNil(t, seen)
			assert.Equal(t, tt.wantText, seen.Text())
		})
	}
}

func TestBotRejectsTurnWithoutConversation(t *testing.T) {
	bot := parley.NewBot(echo)
	require.ErrorIs(t, bot.HandleTurn(context.Background(), &sink{}, &parley.Turn{}), parley.ErrNoConversation)
	require.ErrorIs(t, bot.HandleTurn(context.Background(), &sink{}, nil), parley.ErrNoConversation)
}

func TestBotReplyFailureIsReturned(t *testing.T) {
	bot := parley.NewBot(echo)
	w := &sink{err: errors.New("channel down")}
	err := bot.HandleTurn(context.Background(), w, turn("c", "1", "hi"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "channel down")
}

func TestBotCorruptSessionStartsAfresh(t *testing.T) {
	store := memory.NewMap()
	_, err := store.Set(context.Background(), memory.Put{Key: memory.SessionKey("c"), Value: []byte("{not json"), IfVersion: memory.Absent})
	require.NoError(t, err)
	ev := &events{}
	bot := parley.NewBot(echo, parley.WithStore(store), parley.WithObserver(ev))
	w := &sink{}
	require.NoError(t, bot.HandleTurn(context.Background(), w, turn("c", "1", "hi")))
	assert.Equal(t, []string{"echo: hi"}, w.texts())
	var ce *memory.CorruptError
	require.ErrorAs(t, ev.of(parley.EventTurnError)[0].Err, &ce)
	assert.Equal(t, memory.SessionKey("c"), ce.Key)
}

func TestBotWaitingTurnHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		block := make(chan struct{})
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if t.Text() == "slow" {
				<-block
			}
			return nil
		})
		bot := parley.NewBot(h)
		var wg sync.WaitGroup
		wg.Go(func() { assert.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", "1", "slow"))) })
		synctest.Wait()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.ErrorIs(t, bot.HandleTurn(ctx, &sink{}, turn("c", "2", "queued")), context.Canceled)
		close(block)
		wg.Wait()
		// The conversation is not stuck.
		require.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", "3", "after")))
	})
}

func TestStreamFallsBackToOneMessage(t *testing.T) {
	chunks := func(yield func(string, error) bool) {
		for _, c := range []string{"Hel", "lo"} {
			if !yield(c, nil) {
				return
			}
		}
	}
	w := &sink{}
	require.NoError(t, parley.Stream(context.Background(), w, chunks))
	assert.Equal(t, []string{"Hello"}, w.texts())

	broken := iter.Seq2[string, error](func(yield func(string, error) bool) {
		if yield("half", nil) {
			yield("", errors.New("stream cut"))
		}
	})
	w2 := &sink{}
	require.Error(t, parley.Stream(context.Background(), w2, broken))
	assert.Empty(t, w2.texts(), "no half reply on a non-streaming channel")
}

func TestChainOrderAndAnnotations(t *testing.T) {
	key := parley.NewKey[string]("trace")
	mw := func(name string) parley.Middleware {
		return func(next parley.Handler) parley.Handler {
			return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
				prev, _ := parley.Value(t, key)
				return next.HandleTurn(ctx, w, parley.With(t, key, prev+name))
			})
		}
	}
	var got string
	h := parley.Chain(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		got, _ = parley.Value(t, key)
		return nil
	}), mw("a"), mw("b"), mw("c"))
	orig := &parley.Turn{ConversationID: "c"}
	require.NoError(t, h.HandleTurn(context.Background(), &sink{}, orig))
	assert.Equal(t, "abc", got)
	_, ok := parley.Value(orig, key)
	assert.False(t, ok, "With must not mutate the original turn")
	assert.Equal(t, "trace", key.String())
}

func TestBotRecordsAgentMessagesAsTheAgents(t *testing.T) {
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Message{Text: "Hi, Sam here.", Agent: "Sam"})
	})
	bot := parley.NewBot(h)
	require.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", "1", "hello")))
	s, err := bot.Sessions().Load(context.Background(), "c")
	require.NoError(t, err)
	last := s.History[len(s.History)-1]
	assert.Equal(t, memory.RoleAgent, last.Role)
	assert.Equal(t, "Sam", last.Meta["agent"])
}

// TestBotSeesTurnStateWrittenOutsideIt: the Bot keeps each conversation's
// decoded turn-taking state from one turn to the next; a question opened
// by someone else in between (another replica, an agent console) must
// still be the one the next turn sees, and a failed turn's question must
// not survive it.
func TestBotSeesTurnStateWrittenOutsideIt(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	var seen []string
	h := parley.HandlerFunc(func(_ context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		q, ok := dialog.OpenQuestion(t)
		seen = append(seen, fmt.Sprint(ok, " ", q.ID))
		switch t.Text() {
		case "ask":
			if err := dialog.Ask(t, dialog.Question{ID: "mine", Owner: "h"}); err != nil {
				return err
			}
		case "fail":
			dialog.CloseQuestion(t)
			if err := dialog.Ask(t, dialog.Question{ID: "abandoned", Owner: "h"}); err != nil {
				return err
			}
			return errors.New("boom")
		}
		return w.Reply(ctx, parley.Text("ok"))
	})
	bot := parley.NewBot(h, parley.WithStore(store))
	require.NoError(t, bot.HandleTurn(ctx, &sink{}, turn("c", "1", "ask")))
	require.NoError(t, bot.HandleTurn(ctx, &sink{}, turn("c", "2", "hello")))

	// Another front over the same store opens a different question.
	other := memory.NewSessions(store)
	s, err := other.Load(ctx, "c")
	require.NoError(t, err)
	ot := (&parley.Turn{ConversationID: "c"}).WithSession(s)
	dialog.CloseQuestion(ot)
	require.NoError(t, dialog.Ask(ot, dialog.Question{ID: "theirs", Owner: "h"}))
	require.NoError(t, other.Save(ctx, s))

	require.NoError(t, bot.HandleTurn(ctx, &sink{}, turn("c", "3", "hello")))
	require.NoError(t, bot.HandleTurn(ctx, &sink{}, turn("c", "4", "fail")))
	require.NoError(t, bot.HandleTurn(ctx, &sink{}, turn("c", "5", "hello")))
	assert.Equal(t, []string{"false ", "true mine", "true theirs", "true theirs", "true theirs"}, seen)
}

// The handler's context behaves as context.WithTimeout(parent, timeout)
// would, whichever of its methods the handler uses: these tests use each
// on its own, since the Bot makes the real context only when asked for
// a channel.

func TestTurnContextErrWithoutDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var before, after, cause error
		var deadline time.Time
		var hasDeadline bool
		start := time.Now()
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			deadline, hasDeadline = ctx.Deadline()
			before = ctx.Err()
			time.Sleep(3 * time.Second) // a slow backend that ignores the context
			after, cause = ctx.Err(), context.Cause(ctx)
			return nil
		})
		bot := parley.NewBot(h, parley.WithTurnTimeout(2*time.Second))
		require.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", "1", "hi")))
		assert.True(t, hasDeadline)
		assert.Equal(t, start.Add(2*time.Second), deadline)
		assert.NoError(t, before)
		assert.ErrorIs(t, after, context.DeadlineExceeded)
		assert.ErrorIs(t, cause, context.DeadlineExceeded)
	})
}

func TestTurnContextDerivedContextEndsAtTurnDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var err error
		var waited time.Duration
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			start := time.Now()
			child, cancel := context.WithTimeout(ctx, time.Hour)
			defer cancel()
			<-child.Done()
			waited, err = time.Since(start), child.Err()
			return nil
		})
		bot := parley.NewBot(h, parley.WithTurnTimeout(2*time.Second))
		require.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", "1", "hi")))
		assert.Equal(t, 2*time.Second, waited)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestTurnContextEndsWithTheTurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var kept context.Context
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			kept = ctx
			return w.Reply(ctx, parley.Text("ok"))
		})
		bot := parley.NewBot(h)
		require.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", "1", "hi")))
		require.ErrorIs(t, kept.Err(), context.Canceled, "a context kept after the turn is done")
		select {
		case <-kept.Done():
		default:
			t.Fatal("Done of a finished turn's context is not closed")
		}
		ran := make(chan struct{})
		context.AfterFunc(kept, func() { close(ran) })
		synctest.Wait()
		select {
		case <-ran:
		default:
			t.Fatal("AfterFunc on a finished turn's context did not run")
		}
	})
}

func TestTurnContextEndsWithTheTurnWhileWaited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stopped := make(chan error, 1)
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			// Work the handler leaves running: it must stop when the turn ends.
			go func() {
				<-ctx.Done()
				stopped <- ctx.Err()
			}()
			return nil
		})
		bot := parley.NewBot(h)
		require.NoError(t, bot.HandleTurn(context.Background(), &sink{}, turn("c", "1", "hi")))
		synctest.Wait()
		select {
		case err := <-stopped:
			assert.ErrorIs(t, err, context.Canceled)
		default:
			t.Fatal("the turn ended but its context did not")
		}
	})
}

type ctxKey struct{}

func TestTurnContextFollowsItsParent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, cancel := context.WithCancelCause(context.WithValue(context.Background(), ctxKey{}, "v"))
		gone := errors.New("client went away")
		var value any
		var before, after, cause error
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			value = ctx.Value(ctxKey{})
			before = ctx.Err()
			cancel(gone)
			after, cause = ctx.Err(), context.Cause(ctx)
			return nil
		})
		bot := parley.NewBot(h)
		require.NoError(t, bot.HandleTurn(parent, &sink{}, turn("c", "1", "hi")))
		assert.Equal(t, "v", value)
		assert.NoError(t, before)
		assert.ErrorIs(t, after, context.Canceled)
		assert.ErrorIs(t, cause, gone)
	})
}

func TestTurnContextDoneFollowsItsParent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		var err error
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			go func() {
				time.Sleep(time.Second)
				cancel()
			}()
			<-ctx.Done()
			err = ctx.Err()
			return nil
		})
		bot := parley.NewBot(h, parley.WithTurnTimeout(time.Hour))
		start := time.Now()
		require.NoError(t, bot.HandleTurn(parent, &sink{}, turn("c", "1", "hi")), "the handler finished: its turn is saved")
		assert.Equal(t, time.Second, time.Since(start))
		assert.ErrorIs(t, err, context.Canceled)
	})
}

func TestTurnContextKeepsAnEarlierParentDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		var deadline time.Time
		var late error
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			deadline, _ = ctx.Deadline()
			time.Sleep(1500 * time.Millisecond)
			late = ctx.Err()
			return nil
		})
		bot := parley.NewBot(h, parley.WithTurnTimeout(time.Hour))
		start := time.Now()
		_ = bot.HandleTurn(parent, &sink{}, turn("c", "1", "hi")) // the save after the caller's deadline may fail
		assert.Equal(t, start.Add(time.Second), deadline)
		assert.ErrorIs(t, late, context.DeadlineExceeded)
	})
}

// TestTurnTakesNoTimer checks what the turn context saves: a turn whose
// handler never waits on its context allocates no timer nor context
// (context.WithTimeout alone is four allocations).
func TestTurnTakesNoTimer(t *testing.T) {
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text("ok"))
	})
	bot := parley.NewBot(h, parley.WithSessions(memory.NewSessions(memory.NewMap())))
	ctx := context.Background()
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	tr := &parley.Turn{ConversationID: "c", Message: parley.Text("hi")}
	for range 30 { // a full history window
		require.NoError(t, bot.HandleTurn(ctx, w, tr))
	}
	withTimer := testing.AllocsPerRun(200, func() {
		c, cancel := context.WithTimeout(ctx, time.Hour)
		_ = c.Err()
		cancel()
	})
	turn := testing.AllocsPerRun(200, func() {
		if err := bot.HandleTurn(ctx, w, tr); err != nil {
			t.Fatal(err)
		}
	})
	// The turn's own allocations: its copy of the Turn, the session
	// record written to the store.
	assert.LessOrEqual(t, turn, 3.0, "a turn allocated %v objects; context.WithTimeout alone is %v", turn, withTimer)
}
