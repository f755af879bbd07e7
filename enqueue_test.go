package parley_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
)

// outbox records what a channel's Sender delivered, per conversation.
type outbox struct {
	mu   sync.Mutex
	fail error
	got  map[string][]parley.Message
}

func newOutbox() *outbox { return &outbox{got: map[string][]parley.Message{}} }

func (o *outbox) Send(_ context.Context, to parley.Address, m parley.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail != nil {
		return o.fail
	}
	o.got[to.ConversationID+"|"+to.Recipient] = append(o.got[to.ConversationID+"|"+to.Recipient], m)
	return nil
}

func (o *outbox) texts(key string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var s []string
	for _, m := range o.got[key] {
		s = append(s, m.Text)
	}
	return s
}

func (o *outbox) setFail(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fail = err
}

// echoer is a handler that answers "echo <text>" and counts its turns.
type echoer struct {
	mu sync.Mutex
	n  int
}

func (e *echoer) HandleTurn(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	e.mu.Lock()
	e.n++
	e.mu.Unlock()
	return w.Reply(ctx, parley.Text("echo "+t.Text()))
}

// calls returns how many turns e handled.
func (e *echoer) calls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n
}

func TestEnqueueDeliversRepliesInOrderThroughTheSender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := newOutbox()
		e := &echoer{}
		bot := parley.NewBot(e, parley.WithSender("wa", out))
		ctx := context.Background()
		for i := range 20 {
			for _, conv := range []string{"a", "b"} {
				err := bot.Enqueue(ctx, &parley.Turn{ConversationID: conv, Channel: "wa", Recipient: "+1555" + conv,
					MessageID: fmt.Sprint("m", i), Message: parley.Text(fmt.Sprint(i))})
				require.NoError(t, err)
			}
		}
		require.NoError(t, bot.Shutdown(ctx))
		var want []string
		for i := range 20 {
			want = append(want, fmt.Sprint("echo ", i))
		}
		assert.Equal(t, want, out.texts("a|+1555a"))
		assert.Equal(t, want, out.texts("b|+1555b"))
		assert.Equal(t, 40, e.calls())
		out.mu.Lock()
		assert.Equal(t, "m3/1", out.got["a|+1555a"][3].ID, "replies carry stable IDs derived from the inbound message")
		out.mu.Unlock()
	})
}

func TestEnqueueDropsRedeliveryDaysLater(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := newOutbox()
		e := &echoer{}
		bot := parley.NewBot(e, parley.WithSender("wa", out))
		ctx := context.Background()
		turn := &parley.Turn{ConversationID: "a", Channel: "wa", MessageID: "m1", Message: parley.Text("hi")}
		require.NoError(t, bot.Enqueue(ctx, turn))
		require.ErrorIs(t, bot.Enqueue(ctx, turn), parley.ErrDuplicate, "an immediate redelivery")
		synctest.Wait()
		time.Sleep(3 * 24 * time.Hour)
		require.ErrorIs(t, bot.Enqueue(ctx, turn), parley.ErrDuplicate, "a redelivery three days later")
		// Other turns push the ID out of the session's recent window.
		for i := range 100 {
			require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "wa", MessageID: fmt.Sprint("x", i), Message: parley.Text("x")}))
		}
		synctest.Wait()
		require.ErrorIs(t, bot.Enqueue(ctx, turn), parley.ErrDuplicate, "a redelivery after the session forgot the ID")
		require.NoError(t, bot.Shutdown(ctx))
		assert.Equal(t, 101, e.calls())
	})
}

func TestEnqueueInternalTurnsAreOrderedWithCustomerTurns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := newOutbox()
		e := &echoer{}
		bot := parley.NewBot(e, parley.WithSender("web", out))
		ctx := context.Background()
		require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "web", MessageID: "m1", Message: parley.Text("1")}))
		require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "web", Message: parley.Text("agent")}))
		require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "web", Message: parley.Text("agent")}),
			"turns without an ID are never duplicates")
		require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "web", MessageID: "m2", Message: parley.Text("2")}))
		require.NoError(t, bot.Shutdown(ctx))
		assert.Equal(t, []string{"echo 1", "echo agent", "echo agent", "echo 2"}, out.texts("a|"))
	})
}

func TestEnqueueHandlerErrorSendsFallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := newOutbox()
		bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if err := w.Reply(ctx, parley.Text("working on it")); err != nil {
				return err
			}
			return errors.New("order system down")
		}), parley.WithSender("wa", out), parley.WithFallback(parley.Text("sorry")))
		require.NoError(t, bot.Enqueue(context.Background(), &parley.Turn{ConversationID: "a", Channel: "wa", MessageID: "m1", Message: parley.Text("hi")}))
		require.NoError(t, bot.Shutdown(context.Background()))
		assert.Equal(t, []string{"working on it", "sorry"}, out.texts("a|"))
	})
}

func TestEnqueueFailedSendIsResentNotRegenerated(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory.NewMap()
		out := newOutbox()
		out.setFail(errors.New("platform down"))
		e := &echoer{}
		bot := parley.NewBot(e, parley.WithStore(store), parley.WithSender("wa", out))
		ctx := context.Background()
		require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "wa", MessageID: "m1", Message: parley.Text("hi")}))
		synctest.Wait()
		assert.Empty(t, out.texts("a|"))
		out.setFail(nil)
		time.Sleep(time.Second) // the Bot tries again, backing off
		synctest.Wait()
		assert.Equal(t, []string{"echo hi"}, out.texts("a|"))
		require.NoError(t, bot.Shutdown(ctx))
		assert.Equal(t, 1, e.calls(), "the handler ran once")
	})
}

func TestRecoverSendsOutboxOfACrashedProcess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory.NewMap()
		e := &echoer{}
		// The first process accepts a turn and records its reply, but has
		// no way to send it (its sender is missing), then stops.
		first := parley.NewBot(e, parley.WithStore(store))
		ctx := context.Background()
		require.NoError(t, first.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "wa", MessageID: "m1", Message: parley.Text("hi")}))
		synctest.Wait()
		require.NoError(t, first.Shutdown(ctx))
		// The next process recovers.
		out := newOutbox()
		second := parley.NewBot(e, parley.WithStore(store), parley.WithSender("wa", out))
		got, err := second.Recover(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, got)
		require.NoError(t, second.Shutdown(ctx))
		assert.Equal(t, []string{"echo hi"}, out.texts("a|"))
		assert.Equal(t, 1, e.calls(), "the reply was re-sent, not re-generated")
		require.ErrorIs(t, second.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "wa", MessageID: "m1", Message: parley.Text("hi")}), parley.ErrClosed)
	})
}

func ExampleBot_Enqueue() {
	// A channel's Sender delivers replies to enqueued turns; here it
	// collects them.
	var sent []string
	sender := parley.SenderFunc(func(_ context.Context, to parley.Address, m parley.Message) error {
		sent = append(sent, "to "+to.Recipient+": "+m.Text)
		return nil
	})
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("You said: "+t.Text()))
	}), parley.WithSender("sms", sender))

	// A webhook handler enqueues and acknowledges at once; a redelivery
	// of the same message is reported as a duplicate.
	t := &parley.Turn{ConversationID: "c1", Channel: "sms", Recipient: "+15550100", MessageID: "SM1", Message: parley.Text("hello")}
	fmt.Println(bot.Enqueue(context.Background(), t))
	fmt.Println(errors.Is(bot.Enqueue(context.Background(), t), parley.ErrDuplicate))
	if err := bot.Shutdown(context.Background()); err != nil { // waits for the turn
		fmt.Println(err)
	}
	fmt.Println(sent)
	// Output:
	// <nil>
	// true
	// [to +15550100: You said: hello]
}

func TestEnqueueCorruptInboxDoesNotBlockTheConversation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory.NewMap()
		ctx := context.Background()
		_, err := store.Set(ctx, memory.Put{Key: "inbox/a", Value: []byte("{not json"), IfVersion: memory.AnyVersion})
		require.NoError(t, err)
		out := newOutbox()
		e := &echoer{}
		var mu sync.Mutex
		var errs []error
		obs := parley.ObserverFunc(func(_ context.Context, e parley.Event) {
			if e.Kind == parley.EventTurnError {
				mu.Lock()
				errs = append(errs, e.Err)
				mu.Unlock()
			}
		})
		bot := parley.NewBot(e, parley.WithStore(store), parley.WithSender("wa", out), parley.WithObserver(obs))
		require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "wa", MessageID: "m1", Message: parley.Text("hi")}))
		require.NoError(t, bot.Shutdown(ctx))
		assert.Equal(t, []string{"echo hi"}, out.texts("a|"))
		mu.Lock()
		defer mu.Unlock()
		require.NotEmpty(t, errs)
		assert.ErrorAs(t, errs[0], new(*memory.CorruptError))
	})
}

// flakyStore fails the next n writes of session records.
type flakyStore struct {
	memory.Store
	mu sync.Mutex
	n  int
}

func (f *flakyStore) Set(ctx context.Context, p memory.Put) (int64, error) {
	f.mu.Lock()
	fail := f.n > 0 && strings.HasPrefix(p.Key, "session/")
	if fail {
		f.n--
	}
	f.mu.Unlock()
	if fail {
		return 0, errors.New("connection reset")
	}
	return f.Store.Set(ctx, p)
}

func TestEnqueueStoreFailingMidTurnLosesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &flakyStore{Store: memory.NewMap(), n: 2}
		out := newOutbox()
		e := &echoer{}
		bot := parley.NewBot(e, parley.WithStore(store), parley.WithSender("wa", out))
		ctx := context.Background()
		require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "wa", MessageID: "m1", Message: parley.Text("1")}))
		require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "wa", MessageID: "m2", Message: parley.Text("2")}))
		synctest.Wait()
		assert.Empty(t, out.texts("a|"), "nothing is sent before the turn is saved")
		time.Sleep(10 * time.Second) // the Bot tries again, backing off
		require.NoError(t, bot.Shutdown(ctx))
		assert.Equal(t, []string{"echo 1", "echo 2"}, out.texts("a|"), "both answered once, in order")
	})
}

// typingSender is a Sender with a typing indicator, as channel adapters
// have.
type typingSender struct {
	*outbox
	typing []string
}

func (s *typingSender) Typing(_ context.Context, to parley.Address, inbound string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.typing = append(s.typing, to.Recipient+" "+inbound)
	return nil
}

func TestEnqueuedTurnHasTheSendersCapabilities(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var typingErr, readErr error
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			typingErr = parley.Typing(ctx, w)
			readErr = parley.MarkRead(ctx, w, t.MessageID)
			return w.Reply(ctx, parley.Text("ok"))
		})
		ts := &typingSender{outbox: newOutbox()}
		bot := parley.NewBot(h, parley.WithSender("wa", ts))
		ctx := context.Background()
		require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "wa", Recipient: "+1555", MessageID: "m1", Message: parley.Text("hi")}))
		require.NoError(t, bot.Shutdown(ctx))
		require.NoError(t, typingErr)
		assert.Equal(t, []string{"+1555 m1"}, ts.typing)
		require.ErrorIs(t, readErr, parley.ErrNotSupported, "the sender has no read receipts")
		assert.Equal(t, []string{"ok"}, ts.texts("a|+1555"))
	})
}

func TestEnqueueTellsTheCustomerWhenTheTurnCannotRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &flakyStore{Store: memory.NewMap(), n: 1000} // sessions cannot be saved
		out := newOutbox()
		e := &echoer{}
		bot := parley.NewBot(e, parley.WithStore(store), parley.WithSender("wa", out))
		ctx := context.Background()
		require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "wa", MessageID: "m1", Message: parley.Text("hi")}))
		time.Sleep(30 * time.Second)
		assert.Empty(t, out.texts("a|"), "still trying")
		time.Sleep(2 * time.Minute)
		assert.Equal(t, []string{"Sorry, I couldn't process your last message just now. Please send it again in a moment."}, out.texts("a|"))
		// The store comes back; the customer's next message runs both turns.
		store.mu.Lock()
		store.n = 0
		store.mu.Unlock()
		require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "wa", MessageID: "m2", Message: parley.Text("hello?")}))
		require.NoError(t, bot.Shutdown(ctx))
		assert.Equal(t, []string{"Sorry, I couldn't process your last message just now. Please send it again in a moment.", "echo hi", "echo hello?"}, out.texts("a|"))
	})
}

// A timer or campaign step that cannot run is not the customer's message:
// nobody asks them to send it again, and it runs with their next message.
func TestEnqueuedSignalThatCannotRunIsNotBlamedOnTheCustomer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &flakyStore{Store: memory.NewMap(), n: 1000}
		out := newOutbox()
		e := &echoer{}
		var mu sync.Mutex
		var errs []error
		bot := parley.NewBot(e, parley.WithStore(store), parley.WithSender("wa", out),
			parley.WithObserver(parley.ObserverFunc(func(_ context.Context, e parley.Event) {
				if e.Kind == parley.EventTurnError {
					mu.Lock()
					errs = append(errs, e.Err)
					mu.Unlock()
				}
			})))
		ctx := context.Background()
		require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "a", Channel: "wa", MessageID: "t1", Signal: &parley.Signal{Name: "timer"}}))
		time.Sleep(3 * time.Minute)
		assert.Empty(t, out.texts("a|"), "no 'send it again' for a turn the customer never sent")
		mu.Lock()
		require.NotEmpty(t, errs, "the failure is reported to the observer")
		mu.Unlock()

		// Synchronous: the error goes back to the caller, no reply either.
		w := parleytest.NewRecorder()
		err := bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "b", Channel: "wa", MessageID: "t2", Signal: &parley.Signal{Name: "timer"}})
		require.Error(t, err)
		assert.NotContains(t, w.Texts(), "Sorry, I couldn't process your last message just now. Please send it again in a moment.")
		require.NoError(t, bot.Shutdown(ctx))
	})
}
