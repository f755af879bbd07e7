package flowtest_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/flow/flowtest"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/internal/testutil"
	"github.com/parleyhq/parley/parleytest"
)

func shop(t testing.TB) parley.Handler {
	f := flow.New("menu").Add(
		&flow.Choice{ID: "menu", Prompt: []string{"Hi! Pick one"}, Options: []flow.Option{
			{Title: "Orders", Next: "orders"}, {Title: "Human", Next: "human"}}},
		&flow.Ask{ID: "orders", Slot: "order", Prompt: []string{"Order number?"}, Next: "wait"},
		&flow.Wait{ID: "wait", Signal: "order.shipped", Timeout: 48 * time.Hour, Next: "shipped", OnTimeout: "late"},
		&flow.End{ID: "shipped", Status: flow.Resolved, Text: []string{"{{slots.order}} shipped!"}},
		&flow.End{ID: "late", Status: flow.Unresolved, Text: []string{"Sorry, {{slots.order}} is late."}},
		&flow.End{ID: "human", Status: flow.Escalated, Text: []string{"A person will help."}},
	)
	e, err := flow.NewEngine([]*flow.Builder{f})
	if err != nil {
		t.Fatal(err)
	}
	r := intent.NewRouter(intent.WithNotUnderstood(e.Starter("menu")))
	r.Handle(flow.DefaultOwner, e)
	r.HandleSignal("order.shipped", e)
	r.HandleSignal(flow.SignalTimer, e)
	return r
}

func TestChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := parleytest.NewTester(t, shop(t), parleytest.WithCustomer("cus_1"))
		c.Send("hi").Check(flowtest.Flow("menu"), flowtest.Node("menu"))
		c.Tap("Orders").Check(flowtest.Node("orders"))
		c.Send("A-1").ExpectNoReply().Check(flowtest.Slot("order", "A-1"), flowtest.Node("wait"))
		c.Advance(47*time.Hour).Signal(flow.SignalTimer, nil).ExpectNoReply()
		c.Signal("order.shipped", nil).Expect(parleytest.Exact("A-1 shipped!")).
			Check(flowtest.Status(flow.Resolved), flowtest.Flow(""))
	})
}

func TestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := parleytest.NewTester(t, shop(t))
		c.Send("hi").Tap("Orders").Send("A-2")
		c.Advance(49*time.Hour).Signal(flow.SignalTimer, nil).Expect(parleytest.Exact("Sorry, A-2 is late.")).
			Check(flowtest.Status(flow.Unresolved))
	})
}

func TestGolden(t *testing.T) {
	parleytest.RunGolden(t, "testdata/*.txtar", func(t *testing.T) parley.Handler { return shop(t) })
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name string
		give func(c *parleytest.Tester)
		want string
	}{
		{"node", func(c *parleytest.Tester) { c.Send("hi").Check(flowtest.Node("orders")) }, `flow at node "menu" (flow "menu"), want "orders"`},
		{"flow", func(c *parleytest.Tester) { c.Send("hi").Check(flowtest.Flow("refund")) }, `in flow "menu", want "refund"`},
		{"slot", func(c *parleytest.Tester) { c.Send("hi").Check(flowtest.Slot("order", "x")) }, `slot "order" = "", want "x"`},
		{"status", func(c *parleytest.Tester) { c.Send("hi").Tap("Human").Check(flowtest.Status(flow.Resolved)) }, `ended "escalated", want "resolved"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := testutil.Failure(t, func(tb testing.TB) { tt.give(parleytest.NewTester(tb, shop(t))) })
			assert.Contains(t, msg, tt.want)
			assert.Contains(t, msg, "--- transcript ---\n> hi\n< Hi! Pick one")
		})
	}
}
