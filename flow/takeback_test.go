package flow_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/flow/flowtest"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/parleytest"
)

// undoTester drives holdFlows through a router with the cancel and its
// take-back mounted, as an application does.
func undoTester(t *testing.T) *parleytest.Tester {
	t.Helper()
	e, err := flow.NewEngine(holdFlows())
	require.NoError(t, err)
	r := intent.NewRouter()
	r.Handle(flow.DefaultOwner, e)
	r.Handle("refund", e.Starter("refund"))
	r.Handle("track_order", e.Starter("track"))
	r.Handle("plans", e.Starter("plans"))
	r.HandleCommand(dialog.CommandCancel, e.Cancel("OK, cancelled."))
	r.HandleCommand(dialog.CommandUndo, e)
	us := map[string]nlu.Understanding{
		"refund":              {Status: nlu.Understood, Intent: nlu.Intent{Name: "refund"}},
		"plans":               {Status: nlu.Understood, Intent: nlu.Intent{Name: "plans"}},
		"i want to track a-7": {Status: nlu.Understood, Intent: nlu.Intent{Name: "track_order"}, Entities: []nlu.Entity{{Type: "order_id", Value: "A-7"}}},
	}
	return parleytest.NewTester(t, parley.Chain(r, intent.Commands(), e.UndoCommand(), understands(us)), parleytest.WithCustomer("cus_1"))
}

// cancelled checks which form a cancel stopped and keeps for a take-back.
func cancelled(name string) parleytest.Check {
	return snapshotForm("cancelled", func(s flow.Snapshot) string { return s.Cancelled }, name)
}

// The message right after a cancel takes it back: the form is asked
// again at its question, with the answers given before, introduced; it
// then goes on as if never stopped.
func TestUndoRestoresTheCancelledForm(t *testing.T) {
	for _, say := range []string{"no wait", "what? no I do want to change it", "go back", "continue", "undo", "yes I want to",
		"no espera", "sí quiero", "seguir", "volver"} {
		t.Run(say, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := undoTester(t)
				c.Send("refund").Send("A-1").Expect(parleytest.Exact("How much of $39 on A-1?"))
				says(t, c, "cancel", "OK, cancelled.")
				c.Check(flowtest.Flow(""), cancelled("refund"))
				time.Sleep(time.Minute)
				says(t, c, say, "OK, back to your refund. How much of $39 on A-1?")
				c.Check(flowtest.Flow("refund"), flowtest.Node("amount"), flowtest.Slot("order", "A-1"), cancelled(""))
				c.ExpectEvent(flow.EventNode, map[string]string{"flow": "refund", "node": "amount", "resumed": "true"})
				says(t, c, "$10", "Refund 10 USD on A-1?")
			})
		})
	}
}

// "no" alone, a new request, or anything else right after a cancel is
// no take-back: the kept form goes, the request starts afresh, and
// take-back words afterwards mean what they meant before.
func TestUndoOnlyRightAfterTheCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := undoTester(t)
		c.Send("refund").Send("A-1").Send("cancel").Check(cancelled("refund"))
		c.Send("no").Expect(parleytest.Contains("get that"))
		c.Check(flowtest.Flow(""))
		c.Send("continue").Expect(parleytest.Contains("get that"))
		c.Check(flowtest.Flow(""))

		c = undoTester(t)
		c.Send("refund").Send("A-1").Send("cancel")
		says(t, c, "refund", "Which order?")
		c.Check(flowtest.Flow("refund"), flowtest.Slot("order", ""), cancelled(""))
		says(t, c, "cancel", "OK, cancelled.")
		c.Send("I want to track A-7").Expect(parleytest.Exact("Order A-7 has shipped."))
		c.Check(flowtest.Flow("track"), cancelled(""))
		assert.Equal(t, 2, abandoned(c, "refund"))

		// A cancel with no form at a question keeps nothing.
		c = undoTester(t)
		c.Send("plans").Send("cancel").Check(cancelled(""))
		c.Send("go back").Expect(parleytest.Contains("get that"))
	})
}

// A cancel at a feedback question ("Was this helpful?", dropped as the
// router closes it) can be taken back too: the question is asked again,
// with a plain "OK." before it, and its answer ends the flow as usual.
// Anything else right after lets it go.
func TestUndoAsksTheFeedbackQuestionAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := undoTester(t)
		c.Send("I want to track A-7").Expect(parleytest.Exact("Order A-7 has shipped."), parleytest.Exact("Was this helpful?"))
		says(t, c, "cancel", "OK, cancelled.")
		c.Check(flowtest.Flow(""), cancelled("track"))
		says(t, c, "no wait", "OK. Was this helpful?")
		c.Check(flowtest.Flow("track"), flowtest.Node("fb"), cancelled(""))
		says(t, c, "yes", "Thanks!")
		c.Check(flowtest.Flow(""))

		c = undoTester(t)
		c.Send("I want to track A-7").Send("cancel")
		c.Send("no").Expect(parleytest.Contains("get that"))
		c.Check(flowtest.Flow(""))
		c.Send("no wait").Expect(parleytest.Contains("get that"))
	})
}
