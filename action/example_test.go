package action_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/action/shop"
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
	small := action.Call{Action: "refund", Conversation: "c1", Args: json.RawMessage(`{"order_id":"A1001","amount":12.5,"reason":"late"}`)}
	res, _ := reg.Call(ctx, small)
	fmt.Println(res.Status, res.Prompt)
	small.Confirmed = true
	res, _ = reg.Call(ctx, small)
	fmt.Println(res.Status)

	big := action.Call{Action: "refund", Conversation: "c1", Confirmed: true, Args: json.RawMessage(`{"order_id":"A1002","amount":200,"reason":"broken"}`)}
	res, _ = reg.Call(ctx, big)
	fmt.Println(res.Status)
	// Output:
	// needs_confirmation Shall I refund $12.50 for order A1001?
	// done
	// approval requested: refund 200.00 (limit 50.00)
	// pending_approval
}
