package parleytest_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/internal/testutil"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
)

// Keys of the state the test handlers keep in sessions.
var (
	seenKey = memory.NewStateKey[time.Time]("test.seen")
	stepKey = memory.NewStateKey[string]("test.step")
)

var _ = flag.Bool("update", false, "rewrite golden files")

// shop is a small bot: a menu, a question with quick replies, a reminder
// that needs time to pass, a hand-off, and a memory of the last visit.
func shop(handOffer dialog.HandOffer) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		s := t.Session()
		if t.Signal != nil {
			return w.Reply(ctx, parley.Text("signal "+t.Signal.Name))
		}
		text := strings.ToLower(t.Text())
		switch {
		case text == "hi":
			seen, _, err := seenKey.Get(s)
			if err != nil {
				return err
			}
			if err := seenKey.Set(s, time.Now()); err != nil {
				return err
			}
			greeting := "Hi! Pick one"
			if !seen.IsZero() {
				greeting = fmt.Sprintf("Welcome back after %v. Pick one", time.Since(seen).Round(time.Hour))
			}
			return w.Reply(ctx, parley.Message{Text: greeting, QuickReplies: []parley.QuickReply{{Title: "Orders", Payload: "orders"}, {Title: "Human"}}})
		case text == "orders":
			return w.Reply(ctx, parley.Text("Order number?"))
		case text == "human":
			return handOffer.HandOff(ctx, w, t, dialog.HandoffRequest{Reason: "customer asked for a person"})
		case text == "quiet":
			return nil
		}
		t.Emit(ctx, parley.Event{Kind: "shop.echo", Attrs: map[string]string{"text": t.Text()}})
		return w.Reply(ctx, parley.Text("You said: "+t.Text()+"\nAnything else?"))
	})
}

func TestRecorder(t *testing.T) {
	ctx := context.Background()
	rec := parleytest.NewRecorder()
	require.NoError(t, rec.Reply(ctx, parley.Text("one")))
	require.NoError(t, parley.Typing(ctx, rec))
	require.NoError(t, parley.MarkRead(ctx, rec, "wamid.1"))
	require.NoError(t, parley.Stream(ctx, rec, chunks("tw", "o")))
	assert.Equal(t, []string{"one", "two"}, rec.Texts())
	assert.Equal(t, 1, rec.Typed())
	assert.Equal(t, []string{"wamid.1"}, rec.Read())
	assert.Equal(t, 1, rec.Streamed())
	assert.Len(t, rec.Messages(), 2)

	broken := errors.New("model died")
	require.ErrorIs(t, parley.Stream(ctx, rec, func(yield func(string, error) bool) {
		if yield("half", nil) {
			yield("", broken)
		}
	}), broken)
	assert.Len(t, rec.Texts(), 2, "a broken stream records nothing")

	rec.Reset()
	assert.Empty(t, rec.Texts())
	assert.Zero(t, rec.Typed())

	// Behind a plain ReplyFunc the capabilities are gone, as on a channel
	// without them.
	plain := parley.ReplyFunc(rec.Reply)
	require.ErrorIs(t, parley.Typing(ctx, plain), parley.ErrNotSupported)
	require.ErrorIs(t, parley.MarkRead(ctx, plain, "x"), parley.ErrNotSupported)
}

func chunks(cs ...string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for _, c := range cs {
			if !yield(c, nil) {
				return
			}
		}
	}
}

func TestRecorderConcurrent(t *testing.T) {
	rec := parleytest.NewRecorder()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { assert.NoError(t, rec.Reply(context.Background(), parley.Text(fmt.Sprint(i)))) })
	}
	wg.Wait()
	assert.Len(t, rec.Texts(), 8)
}

func TestNewTurn(t *testing.T) {
	turn := parleytest.NewTurn("hello")
	assert.Equal(t, parleytest.DefaultConversation, turn.ConversationID)
	assert.Equal(t, "test", turn.Channel)
	assert.Equal(t, "hello", turn.Text())
	require.NotNil(t, turn.Session())
	assert.Equal(t, parleytest.DefaultConversation, turn.Session().ID)

	turn = parleytest.NewTurn("hola", parleytest.WithConversation("c9"), parleytest.WithCustomer("cus_1"),
		parleytest.WithChannel("whatsapp"), parleytest.WithLocale("es-MX"))
	assert.Equal(t, "c9", turn.ConversationID)
	assert.Equal(t, "cus_1", turn.CustomerID)
	assert.Equal(t, "cus_1", turn.Session().CustomerID)
	assert.Equal(t, "whatsapp", turn.Channel)
	assert.Equal(t, "es-MX", turn.Locale)

	// Two turns share a session when given one.
	first := parleytest.NewTurn("hi")
	require.NoError(t, stepKey.Set(first.Session(), "asked"))
	second := parleytest.NewTurn("A-1", parleytest.WithSession(first.Session()))
	step, ok, err := stepKey.Get(second.Session())
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "asked", step)
}

func TestHandlerWithRecorderAndTurn(t *testing.T) {
	rec := parleytest.NewRecorder()
	require.NoError(t, shop(nil).HandleTurn(context.Background(), rec, parleytest.NewTurn("hi")))
	assert.Equal(t, []string{"Hi! Pick one"}, rec.Texts())
}

func TestTester(t *testing.T) { synctest.Test(t, testTester) }

func testTester(t *testing.T) {
	var c *parleytest.Tester
	c = parleytest.NewTester(t, parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return shop(c.HandOffer()).HandleTurn(ctx, w, t)
	}), parleytest.WithCustomer("cus_1"))
	c.Send("hi").Expect(parleytest.Exact("Hi! Pick one")).ExpectQuickReplies("Orders", "Human")
	c.Tap("Orders").Expect(parleytest.Contains("ORDER")).ExpectQuickReplies()
	assert.Equal(t, []string{"Order number?"}, c.Texts())
	c.Send("A-1").Expect(parleytest.Matches(`^You said: A-\d`)).Expect(parleytest.Contains("anything else"))
	c.ExpectEvent("shop.echo", map[string]string{"text": "A-1"})
	c.Resend().ExpectNoReply() // the Bot drops a redelivered message
	c.Send("quiet").ExpectNoReply()
	c.Signal("page.idle", nil).Expect(parleytest.Exact("signal page.idle"))
	c.Deliver(&parley.Turn{Message: parley.Text("from elsewhere")}).Expect(parleytest.Contains("from elsewhere"))
	c.Send("hi").Tap("Human").ExpectHandoff("asked for a person")
	c.Check(func(c *parleytest.Tester) error {
		if c.Session().CustomerID != "cus_1" {
			return fmt.Errorf("session customer %q", c.Session().CustomerID)
		}
		return nil
	})
	assert.Equal(t, strings.Join([]string{
		"> hi",
		"< Hi! Pick one",
		"< [Orders | Human]",
		"> [Orders]",
		"< Order number?",
		"> A-1",
		"< You said: A-1",
		"< Anything else?",
		"> A-1  (redelivered)",
		"> quiet",
		"! page.idle",
		"< signal page.idle",
		"> from elsewhere",
		"< You said: from elsewhere",
		"< Anything else?",
		"> hi",
		"< Welcome back after 0s. Pick one",
		"< [Orders | Human]",
		"> [Human]",
		"< Connecting you with a person now. They'll see our conversation so far.",
	}, "\n"), c.Transcript())
	assert.NotEmpty(t, c.Events())
	assert.NotNil(t, c.Bot())
	assert.NotNil(t, c.Store())
}

func TestTesterSharedStore(t *testing.T) { synctest.Test(t, testTesterSharedStore) }

func testTesterSharedStore(t *testing.T) {
	store := memory.NewMap()
	a := parleytest.NewTester(t, shop(nil), parleytest.WithStore(store))
	a.Send("hi")
	b := parleytest.NewTester(t, shop(nil), parleytest.WithStore(store)) // a restarted process
	b.Send("hi").Expect(parleytest.Contains("Welcome back"))
}

func TestAdvanceInBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		c := parleytest.NewTester(t, shop(nil))
		c.Send("hi").Advance(49 * time.Hour).Send("hi").Expect(parleytest.Exact("Welcome back after 49h0m0s. Pick one"))
		assert.Equal(t, 49*time.Hour, time.Since(start))
		assert.Contains(t, c.Transcript(), "~ 49h0m0s")
	})
}

func TestTesterFailures(t *testing.T) {
	tests := []struct {
		name string
		run  func(c *parleytest.Tester)
		want string
	}{
		{"exact", func(c *parleytest.Tester) { c.Send("hi").Expect(parleytest.Exact("Hello")) }, `expected a reply with text "Hello"`},
		{"order", func(c *parleytest.Tester) {
			c.Send("x").Expect(parleytest.Contains("anything"), parleytest.Contains("you said"))
		}, `expected a reply with text containing "you said"`},
		{"no reply", func(c *parleytest.Tester) { c.Send("hi").ExpectNoReply() }, "expected no reply, got 1"},
		{"tap", func(c *parleytest.Tester) { c.Send("hi").Tap("Refunds") }, `no quick reply "Refunds"`},
		{"quick replies", func(c *parleytest.Tester) { c.Send("hi").ExpectQuickReplies("Orders") }, `quick replies: got ["Orders" "Human"]`},
		{"none", func(c *parleytest.Tester) { c.Send("x").ExpectQuickReplies("Orders") }, "the last replies have none"},
		{"resend", func(c *parleytest.Tester) { c.Resend() }, "Resend before any Send"},
		{"event", func(c *parleytest.Tester) { c.Send("x").ExpectEvent("shop.echo", map[string]string{"text": "y"}) }, `expected event "shop.echo"`},
		{"handoff", func(c *parleytest.Tester) { c.Send("x").ExpectHandoff("angry") }, "expected a hand-off"},
		{"check", func(c *parleytest.Tester) {
			c.Send("x").Check(func(*parleytest.Tester) error { return errors.New("slot order is empty") })
		}, "slot order is empty"},
		{"advance outside a bubble", func(c *parleytest.Tester) { c.Advance(time.Hour) }, "outside a synctest bubble"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := testutil.Failure(t, func(tb testing.TB) {
				tt.run(parleytest.NewTester(tb, shop(nil)))
			})
			assert.Contains(t, msg, tt.want)
			assert.Contains(t, msg, "--- transcript ---", "the transcript is printed")
		})
	}
}

func TestRunGolden(t *testing.T) {
	parleytest.RunGolden(t, "testdata/*.txtar", func(t *testing.T) parley.Handler { return shop(nil) })
}

func TestRunGoldenReportsAndUpdates(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "wrong.txtar")
	const wrong = "A golden file whose bot lines are out of date.\n-- web --\n> hi\n< Hello there\n> orders\n< Order number?\n"
	require.NoError(t, os.WriteFile(file, []byte(wrong), 0o644))

	require.NoError(t, flag.Set("update", "true"))
	t.Cleanup(func() { require.NoError(t, flag.Set("update", "false")) })
	parleytest.RunGolden(t, file, func(t *testing.T) parley.Handler { return shop(nil) })
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "A golden file whose bot lines are out of date.\n-- web --\n> hi\n< Hi! Pick one\n< [Orders | Human]\n> orders\n< Order number?\n", string(got))
}

// TestExampleTester runs the test that ExampleNewTester shows.
func TestExampleTester(t *testing.T) { testOrderStatus(t) }
