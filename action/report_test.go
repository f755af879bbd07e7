package action_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/parleytest"
)

// TestOutcomeReport pins the events analytics reads from a loop: one per
// model call and one per action call with its outcome.
func TestOutcomeReport(t *testing.T) {
	reg, _, _, _ := setup(t)
	model := llmtest.New(
		llmtest.Call("lookup_order", `{"order": "A1001"}`),
		llmtest.Call("lookup_order", `{"order_id": "A1001"}`),
		llmtest.Reply("Your kettle is being prepared."),
	)
	loop := &action.Loop{Model: model, Registry: reg}
	var calls int
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		out, err := loop.Run(action.WithCustomer(ctx, "C1"), &llm.Request{Conversation: t.ConversationID})
		if err != nil {
			return err
		}
		calls = len(out.ModelCalls)
		out.Report(ctx, t)
		return w.Reply(ctx, parley.Text(out.Reply.Message.Content))
	})
	c := parleytest.NewTester(t, h)
	c.Send("where is A1001").Expect(parleytest.Exact("Your kettle is being prepared."))
	c.ExpectEvent(action.EventModelCall, map[string]string{"input_tokens": "10", "output_tokens": "5"})
	require.Equal(t, 3, calls)
	var kinds []parley.EventKind
	var outcomes []string
	for _, e := range c.Events() {
		switch e.Kind {
		case action.EventModelCall, action.EventCall:
			kinds = append(kinds, e.Kind)
		}
		if e.Kind == action.EventCall {
			outcomes = append(outcomes, e.Attrs["outcome"])
		}
	}
	assert.Equal(t, []parley.EventKind{action.EventModelCall, action.EventModelCall, action.EventModelCall, action.EventCall, action.EventCall}, kinds)
	assert.Equal(t, []string{"invalid", "done"}, outcomes)
}
