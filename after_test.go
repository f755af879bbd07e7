package parley_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
)

// eraseAfter is a handler that, on "erase", replies and erases the
// conversation's session and a record of the customer's after the turn,
// noting what the customer had been sent when the erase ran.
func eraseAfter(store memory.Store, sentAtErase func() int, ranWith *int) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Text() != "erase" {
			return w.Reply(ctx, parley.Text("echo "+t.Text()))
		}
		conv := t.ConversationID
		if !parley.AfterTurn(t, func(ctx context.Context) error {
			*ranWith = sentAtErase()
			if err := store.Delete(ctx, "customer/"+t.CustomerID, memory.AnyVersion); err != nil {
				return err
			}
			return store.Delete(ctx, memory.SessionKey(conv), memory.AnyVersion)
		}) {
			return errors.New("no Bot to erase after the turn")
		}
		return w.Reply(ctx, parley.Text("erasing"))
	})
}

func putRecord(t *testing.T, store memory.Store, key string) {
	t.Helper()
	_, err := store.Set(t.Context(), memory.Put{Key: key, Value: []byte(`{"name":"Ada"}`), IfVersion: memory.AnyVersion})
	require.NoError(t, err)
}

func requireGone(t *testing.T, store memory.Store, keys ...string) {
	t.Helper()
	for _, k := range keys {
		_, err := store.Get(context.Background(), k)
		require.ErrorIs(t, err, memory.ErrNotFound, "%s is back after the turn", k)
	}
}

func TestAfterTurnEraseIsNotUndoneByTheTurn(t *testing.T) {
	store := memory.NewMap()
	putRecord(t, store, "customer/ada")
	w := &sink{}
	ran := -1
	bot := parley.NewBot(eraseAfter(store, func() int { return len(w.texts()) }, &ran), parley.WithStore(store))
	ctx := t.Context()
	require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c1", CustomerID: "ada", MessageID: "m1", Message: parley.Text("hi")}))
	require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c1", CustomerID: "ada", MessageID: "m2", Message: parley.Text("erase")}))

	assert.Equal(t, []string{"echo hi", "erasing"}, w.texts(), "the reply is delivered once")
	assert.Equal(t, 2, ran, "the erase ran once, after the reply was out")
	requireGone(t, store, "customer/ada", memory.SessionKey("c1"))

	// The next turn starts a new conversation.
	require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c1", CustomerID: "ada", MessageID: "m3", Message: parley.Text("again")}))
	s, err := bot.Sessions().Load(ctx, "c1")
	require.NoError(t, err)
	assert.Equal(t, 1, s.Turns)
}

func TestAfterTurnEnqueuedEraseRunsOnceTheReplyIsSent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory.NewMap()
		putRecord(t, store, "customer/ada")
		out := newOutbox()
		ran := -1
		bot := parley.NewBot(eraseAfter(store, func() int { return len(out.texts("c1|")) }, &ran),
			parley.WithStore(store), parley.WithSender("wa", out))
		ctx := context.Background()
		for i, text := range []string{"hi", "erase"} {
			require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "c1", CustomerID: "ada", Channel: "wa",
				MessageID: []string{"m1", "m2"}[i], Message: parley.Text(text)}))
		}
		require.NoError(t, bot.Shutdown(ctx))
		assert.Equal(t, []string{"echo hi", "erasing"}, out.texts("c1|"), "the reply is delivered once")
		assert.Equal(t, 2, ran, "the erase ran once, after the reply was sent")
		requireGone(t, store, "customer/ada", memory.SessionKey("c1"), "inbox/c1")
	})
}

func TestAfterTurnWaitsForTheReplyToBeDelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory.NewMap()
		putRecord(t, store, "customer/ada")
		out := newOutbox()
		out.setFail(errors.New("platform down"))
		ran := -1
		bot := parley.NewBot(eraseAfter(store, func() int { return len(out.texts("c1|")) }, &ran),
			parley.WithStore(store), parley.WithSender("wa", out))
		ctx := context.Background()
		require.NoError(t, bot.Enqueue(ctx, &parley.Turn{ConversationID: "c1", CustomerID: "ada", Channel: "wa", MessageID: "m1", Message: parley.Text("erase")}))
		synctest.Wait()
		assert.Equal(t, -1, ran, "nothing is erased while the reply waits in the outbox")
		_, err := store.Get(ctx, "customer/ada")
		require.NoError(t, err)

		out.setFail(nil)
		time.Sleep(time.Second) // the Bot tries the delivery again
		synctest.Wait()
		require.NoError(t, bot.Shutdown(ctx))
		assert.Equal(t, []string{"erasing"}, out.texts("c1|"))
		assert.Equal(t, 1, ran, "the erase ran after the retried delivery")
		requireGone(t, store, "customer/ada", memory.SessionKey("c1"), "inbox/c1")
	})
}

func TestAfterTurnFailureIsReported(t *testing.T) {
	ev := &events{}
	boom := errors.New("store down")
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		parley.AfterTurn(t, func(context.Context) error { return boom })
		parley.AfterTurn(t, func(context.Context) error { panic("after-turn bug") })
		return w.Reply(ctx, parley.Text("ok"))
	})
	bot := parley.NewBot(h, parley.WithObserver(ev))
	w := &sink{}
	require.NoError(t, bot.HandleTurn(t.Context(), w, turn("c1", "m1", "hi")), "the turn itself was served")
	assert.Equal(t, []string{"ok"}, w.texts())
	errs := ev.of(parley.EventTurnError)
	require.Len(t, errs, 2)
	assert.ErrorIs(t, errs[0].Err, boom)
	assert.Equal(t, "c1", errs[0].ConversationID)
	var pe *parley.PanicError
	require.ErrorAs(t, errs[1].Err, &pe)
	assert.Equal(t, "after-turn bug", pe.Value)
}

func TestAfterTurnOfAFailedTurnDoesNotRun(t *testing.T) {
	ran := false
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		parley.AfterTurn(t, func(context.Context) error { ran = true; return nil })
		return errors.New("handler failed")
	})
	w := &sink{}
	require.NoError(t, parley.NewBot(h, parley.WithFallback(parley.Text("sorry"))).HandleTurn(t.Context(), w, turn("c1", "m1", "hi")))
	assert.Equal(t, []string{"sorry"}, w.texts())
	assert.False(t, ran, "a failed turn's after-turn work is discarded with its changes")
}

func TestAfterTurnOutsideABot(t *testing.T) {
	tn := parleytest.NewTurn("hi")
	assert.False(t, parley.AfterTurn(tn, func(context.Context) error { return nil }))
	assert.False(t, parley.AfterTurn(&parley.Turn{}, func(context.Context) error { return nil }))
}

func TestAfterTurnOnADerivedTurn(t *testing.T) {
	key := parley.NewKey[string]("k")
	var order []string
	var scheduled []bool
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, tn *parley.Turn) error {
		t2 := parley.With(tn, key, "v")
		scheduled = append(scheduled, parley.AfterTurn(t2, func(context.Context) error { order = append(order, "first"); return nil }),
			parley.AfterTurn(tn, func(context.Context) error { order = append(order, "second"); return nil }))
		return nil
	})
	require.NoError(t, parley.NewBot(h).HandleTurn(t.Context(), &sink{}, turn("c1", "m1", "hi")))
	assert.Equal(t, []bool{true, true}, scheduled)
	assert.Equal(t, []string{"first", "second"}, order)
}

// A handler that erases a customer's data does it after the turn, so
// that the Bot's save of the turn's session does not bring it back.
func ExampleAfterTurn() {
	store := memory.NewMap()
	erase := func(ctx context.Context, customerID string) error {
		fmt.Println("erasing", customerID)
		return store.Delete(ctx, "customer/"+customerID, memory.AnyVersion)
	}
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if !parley.AfterTurn(t, func(ctx context.Context) error { return erase(ctx, t.CustomerID) }) {
			return errors.New("erasure needs a Bot")
		}
		return w.Reply(ctx, parley.Text("Erasing everything we keep about you now."))
	})
	bot := parley.NewBot(h, parley.WithStore(store))
	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error {
		fmt.Println("bot:", m.Text)
		return nil
	})
	err := bot.HandleTurn(context.Background(), w, &parley.Turn{ConversationID: "c1", CustomerID: "cus_ada", Message: parley.Text("delete my data")})
	fmt.Println(err)
	// Output:
	// bot: Erasing everything we keep about you now.
	// erasing cus_ada
	// <nil>
}
