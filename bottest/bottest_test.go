package bottest_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bottest"
	"github.com/parleyhq/parley/flow"
)

// fakeTB records failures instead of failing the real test.
type fakeTB struct {
	testing.TB
	failed   bool
	msg      string
	cleanups []func()
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = true
	f.msg = fmt.Sprintf(format, args...)
	panic(f) // stop like FailNow, caught by expectFailure
}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
}
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

func expectFailure(t *testing.T, fn func(tb testing.TB)) string {
	t.Helper()
	ftb := &fakeTB{TB: t}
	func() {
		defer func() {
			if r := recover(); r != nil && r != ftb {
				panic(r)
			}
		}()
		fn(ftb)
	}()
	for _, c := range ftb.cleanups {
		c()
	}
	require.True(t, ftb.failed, "expected the tester to fail")
	return ftb.msg
}

func shop(t testing.TB) parley.Handler {
	f := flow.New("menu").Add(
		&flow.Choice{ID: "menu", Prompt: []string{"Hi! Pick one"}, Options: []flow.Option{
			{Title: "Orders", Next: "orders"}, {Title: "Human", Next: "human"}}},
		&flow.Ask{ID: "orders", Slot: "order", Prompt: []string{"Order number?"}, Next: "wait"},
		&flow.Wait{ID: "wait", Signal: "order.shipped", Timeout: 48 * time.Hour, Next: "shipped", OnTimeout: "late"},
		&flow.End{ID: "shipped", Status: flow.Resolved, Text: []string{"{{slots.order}} shipped!"}},
		&flow.End{ID: "late", Status: flow.Unresolved, Text: []string{"Sorry, {{slots.order}} is late."}},
		&flow.End{ID: "human", Status: flow.Escalated, Text: []string{"A person will help."}},
	).MustCompile()
	e := flow.NewEngine(flow.WithStart("menu"))
	if err := e.Register(f); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestTesterHappyPath(t *testing.T) {
	c := bottest.New(t, shop(t), bottest.WithCustomer("cus_1"), bottest.WithChannel("web"))
	c.Send("hi").Expect(bottest.Exact("Hi! Pick one")).ExpectQuickReplies("Orders", "Human").ExpectNode("menu")
	c.Tap("Orders").Expect(bottest.Matches(`^Order number\?$`)).ExpectFlow("menu").ExpectNode("orders")
	c.Send("A-1").ExpectSlot("order", "A-1").ExpectNoReply().ExpectNode("wait")
	c.Advance(47*time.Hour).Signal(flow.SignalTimer, nil).ExpectNoReply()
	c.Signal("order.shipped", nil).Expect(bottest.Contains("a-1 SHIPPED")).ExpectStatus(flow.Resolved)
	assert.Equal(t, bottest.Epoch().Add(47*time.Hour+5*time.Second), c.Now())
	assert.Equal(t, "cus_1", c.Session().CustomerID)
	assert.Equal(t, `> hi
< Hi! Pick one
< [Orders | Human]
> [Orders]
< Order number?
> A-1
~ 47h0m0s
! flow.timer
! order.shipped
< A-1 shipped!`, c.Transcript())
}

func TestTesterTimeout(t *testing.T) {
	c := bottest.New(t, shop(t))
	c.Send("hi").Tap("Orders").Send("A-2")
	c.Advance(49*time.Hour).Signal(flow.SignalTimer, nil).Expect(bottest.Exact("Sorry, A-2 is late.")).
		ExpectStatus(flow.Unresolved)
}

func TestResendIsDropped(t *testing.T) {
	c := bottest.New(t, shop(t))
	c.Send("hi").Resend().ExpectNoReply()
	assert.Equal(t, 1, c.Session().Turns)
}

func TestFailuresPrintTheTranscript(t *testing.T) {
	tests := []struct {
		name string
		give func(c *bottest.Tester)
		want string
	}{
		{"expect", func(c *bottest.Tester) { c.Send("hi").Expect(bottest.Exact("Bye")) }, `expected a reply with text "Bye"`},
		{"quick replies", func(c *bottest.Tester) { c.Send("hi").ExpectQuickReplies("Orders") }, `quick replies: got ["Orders" "Human"], want ["Orders"]`},
		{"tap", func(c *bottest.Tester) { c.Send("hi").Tap("Refunds") }, `no quick reply "Refunds"`},
		{"node", func(c *bottest.Tester) { c.Send("hi").ExpectNode("orders") }, `flow at node "menu" (flow "menu"), want "orders"`},
		{"slot", func(c *bottest.Tester) { c.Send("hi").ExpectSlot("order", "x") }, `slot "order" = "", want "x"`},
		{"status", func(c *bottest.Tester) { c.Send("hi").Tap("Human").ExpectStatus(flow.Resolved) }, `ended "escalated", want "resolved"`},
		{"no reply", func(c *bottest.Tester) { c.Send("hi").ExpectNoReply() }, "expected no reply, got 1"},
		{"handoff", func(c *bottest.Tester) { c.Send("hi").ExpectHandoff("x") }, "expected a hand-off"},
		{"event", func(c *bottest.Tester) { c.Send("hi").ExpectEvent("nope", nil) }, `expected event "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := expectFailure(t, func(tb testing.TB) { tt.give(bottest.New(tb, shop(t))) })
			assert.Contains(t, msg, tt.want)
			assert.Contains(t, msg, "--- transcript ---\n> hi\n< Hi! Pick one")
		})
	}
}

func TestTranscriptShowsRejectedInputReply(t *testing.T) {
	silent := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return nil
	})
	msg := expectFailure(t, func(tb testing.TB) {
		c := bottest.New(tb, silent, bottest.WithBotOptions(parley.WithMaxInput(1, parley.Text("too long"))))
		c.Send("hello").Expect(bottest.Exact("nope"))
	})
	assert.Contains(t, msg, "< too long")
}

func TestRunGolden(t *testing.T) {
	bottest.RunGolden(t, "testdata/*.txtar", func(t *testing.T, c *bottest.Tester) parley.Handler { return shop(t) })
}

var update = flag.Bool("update", false, "rewrite golden files")

func TestGoldenUpdateRewritesFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "case.txtar")
	require.NoError(t, os.WriteFile(file, []byte("Comment kept.\n-- transcript --\n> hi\n< stale\n-- other --\nkept\n"), 0o644))
	old := *update
	require.NoError(t, flag.Set("update", "true"))
	defer func() { require.NoError(t, flag.Set("update", fmt.Sprint(old))) }()
	bottest.RunGolden(t, file, func(t *testing.T, c *bottest.Tester) parley.Handler { return shop(t) })
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "Comment kept.\n-- transcript --\n> hi\n< Hi! Pick one\n< [Orders | Human]\n-- other --\nkept\n", string(got))
}
