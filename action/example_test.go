package action_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/action/shop"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

func ExampleRegistry_Call() {
	desk := action.ApproverFunc(func(ctx context.Context, r action.ApprovalRequest) error {
		fmt.Printf("approval requested: %s %.2f (limit %.2f)\n", r.Action, r.Amount, r.Limit)
		return nil
	})
	reg := action.NewRegistry(action.WithWrites(true), action.WithApprover(desk))
	if err := shop.Register(reg, shop.NewBackend()); err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	small := action.Call{Action: "refund", Conversation: "c1", Customer: "C1", Args: json.RawMessage(`{"order_id":"A1001","amount":12.5,"reason":"late"}`)}
	res, _ := reg.Call(ctx, small)
	fmt.Println(res.Status, res.Prompt)
	small.Confirmed = true
	res, _ = reg.Call(ctx, small)
	fmt.Println(res.Status)

	big := action.Call{Action: "refund", Conversation: "c1", Customer: "C1", Confirmed: true, Args: json.RawMessage(`{"order_id":"A1002","amount":200,"reason":"broken"}`)}
	res, _ = reg.Call(ctx, big)
	fmt.Println(res.Status)
	// Output:
	// needs_confirmation Shall I refund $12.50 for order A1001?
	// done
	// approval requested: refund 200.00 (limit 50.00)
	// pending_approval
}

func ExampleLoop() {
	reg := action.NewRegistry() // read-only: writes are off by default
	if err := shop.Register(reg, shop.NewBackend()); err != nil {
		fmt.Println(err)
		return
	}
	model := llmtest.New(
		llmtest.Call("lookup_order", `{"order_id":"A1003"}`),
		llmtest.Reply("Your filters have shipped."),
	)
	// The customer is the one the application authenticated for this
	// conversation; the model only picks the action and its arguments.
	ctx := action.WithCustomer(context.Background(), "C2")
	out, err := (&action.Loop{Model: model, Registry: reg}).Run(ctx, &llm.Request{
		Conversation: "c1",
		Messages:     []llm.Message{{Role: llm.RoleUser, Content: "Where is order A1003?"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Calls[0].Result.Status, out.Reply.Message.Content)
	// Output: done Your filters have shipped.
}
