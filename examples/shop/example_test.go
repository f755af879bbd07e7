package shop_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/examples/shop"
)

func ExampleRegister() {
	desk := action.ApproverFunc(func(ctx context.Context, r action.ApprovalRequest) error {
		fmt.Printf("desk: approve %s of %.2f? (%s)\n", r.Action, r.Amount, r.ID[:5])
		return nil
	})
	b := shop.NewBackend()
	reg := action.NewRegistry(action.WithWrites(true), action.WithApprover(desk))
	if err := shop.Register(reg, b); err != nil {
		fmt.Println(err)
		return
	}
	// The customer the application authenticated for this conversation.
	ctx := action.WithCustomer(context.Background(), "C1")
	call := func(name, args string, confirmed bool) {
		res, err := reg.Call(ctx, action.Call{Action: name, Conversation: "c1", Confirmed: confirmed, Args: json.RawMessage(args)})
		switch {
		case err != nil:
			fmt.Println(name, "->", err)
		case res.Status == action.Done:
			fmt.Println(name, "->", string(res.Output))
		case res.Status == action.NeedsConfirmation:
			fmt.Println(name, "->", res.Status, res.Prompt)
		default:
			fmt.Println(name, "->", res.Status)
		}
	}
	call("lookup_order", `{"order_id":"A1001"}`, false)
	call("refund", `{"order_id":"A1001","amount":10,"reason":"late"}`, false)
	call("refund", `{"order_id":"A1001","amount":10,"reason":"late"}`, true)
	call("refund", `{"order_id":"A1002","amount":200,"reason":"broken"}`, true)
	call("lookup_order", `{"order_id":"A1003"}`, false) // another customer's order
	call("generate_discount_code", `{"percent":50}`, true)
	fmt.Println("refunds paid:", b.Refunds())
	// Output:
	// lookup_order -> {"id":"A1001","customer":"C1","status":"processing","address":"1 Main St, Springfield","total":42.5,"refunded":0,"items":["kettle"]}
	// refund -> needs_confirmation Shall I refund $10.00 for order A1001?
	// refund -> {"id":"A1001","customer":"C1","status":"processing","address":"1 Main St, Springfield","total":42.5,"refunded":10,"items":["kettle"]}
	// desk: approve refund of 200.00? (appr-)
	// refund -> pending_approval
	// lookup_order -> action: not allowed for this customer: order A1003 is not one of this customer's orders
	// generate_discount_code -> shop: discounts go from 1 to 20 percent
	// refunds paid: 1
}

func ExampleNewBackend() {
	b := shop.NewBackend()
	o, err := b.Order("A1003")
	fmt.Println(o.Customer, o.Status, o.Items, err)
	fmt.Println(b.Plan("C1"), b.Plan("C2"))
	_, err = b.Order("Z9")
	fmt.Println(errors.Is(err, shop.ErrNoOrder))
	// Output:
	// C2 shipped [filters] <nil>
	// plus basic
	// true
}
