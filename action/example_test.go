package action_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/examples/shop"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/memory"
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

// A custom action: the schema of its arguments comes from the Go struct.
func ExampleRegister() {
	type stockArgs struct {
		SKU string `json:"sku" jsonschema:"the product code"`
	}
	reg := action.NewRegistry()
	err := action.Register(reg, action.Def[stockArgs, int]{
		Name:            "check_stock",
		Description:     "How many items of a product are in stock.",
		PerConversation: 5, // read-only actions have budgets too
		Run:             func(ctx context.Context, a stockArgs) (int, error) { return 12, nil },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(reg.Tools()[0].Parameters))
	res, err := reg.Call(context.Background(), action.Call{Action: "check_stock", Args: json.RawMessage(`{"sku":"K-1"}`)})
	fmt.Println(res.Status, string(res.Output), err)
	_, err = reg.Call(context.Background(), action.Call{Action: "check_stock", Args: json.RawMessage(`{"sku":1}`)})
	var ae *action.ArgsError
	fmt.Println(errors.As(err, &ae), ae.Action) // send err.Error() back to the model
	// Output:
	// {"type":"object","properties":{"sku":{"type":"string","description":"the product code"}},"required":["sku"],"additionalProperties":false}
	// done 12 <nil>
	// true check_stock
}

// A deployment starts read-only and switches writes on once they are
// tested.
func ExampleRegistry_SetWrites() {
	reg := action.NewRegistry() // writes are off by default
	if err := shop.Register(reg, shop.NewBackend()); err != nil {
		fmt.Println(err)
		return
	}
	ticket := action.Call{Action: "create_ticket", Customer: "C1", Args: json.RawMessage(`{"subject":"Lid","body":"Cracked"}`)}
	_, err := reg.Call(context.Background(), ticket)
	fmt.Println(len(reg.Tools()), errors.Is(err, action.ErrWritesDisabled))
	reg.SetWrites(true)
	res, err := reg.Call(context.Background(), ticket)
	fmt.Println(len(reg.Tools()), res.Status, err)
	// Output:
	// 1 true
	// 7 done <nil>
}

// The desk's ticket carries the approval; the agent's decision comes back
// by its ID.
func ExampleHandOffApprover() {
	var ticket dialog.HandoffRequest
	desk := dialog.HandOfferFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, r dialog.HandoffRequest) error {
		ticket = r // an escalation desk would open a ticket
		return nil
	})
	reg := action.NewRegistry(action.WithWrites(true))
	b := shop.NewBackend()
	if err := shop.Register(reg, b); err != nil {
		fmt.Println(err)
		return
	}
	turn := &parley.Turn{ConversationID: "c1", CustomerID: "C1"}
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	ctx := context.Background()
	res, err := reg.Call(ctx, action.Call{Action: "refund", Conversation: turn.ConversationID, Customer: turn.CustomerID,
		Confirmed: true, Approver: action.HandOffApprover(desk, w, turn),
		Args: json.RawMessage(`{"order_id":"A1002","amount":120,"reason":"broken"}`)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, ticket.Reason)

	// In the console: read the request, decide.
	req, err := action.ApprovalRequestFromData(ticket.Data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Action, string(req.Args), req.Amount, req.ID == res.ApprovalID)
	done, err := reg.Approve(ctx, req.ID, "agent-maria")
	fmt.Println(done.Status, err, b.Refunds())
	// Output:
	// pending_approval approval needed: refund of 120.00 is over the automatic limit of 50.00
	// refund {"order_id":"A1002","amount":120,"reason":"broken"} 120 true
	// done <nil> 1
}

// A console lists what waits for approval and decides.
func ExampleRegistry_Pending() {
	desk := action.ApproverFunc(func(context.Context, action.ApprovalRequest) error { return nil })
	reg := action.NewRegistry(action.WithWrites(true), action.WithApprover(desk))
	if err := shop.Register(reg, shop.NewBackend()); err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	big := action.Call{Action: "refund", Conversation: "c1", Customer: "C1", Confirmed: true,
		Args: json.RawMessage(`{"order_id":"A1002","amount":300,"reason":"broken"}`)}
	for range 3 { // the model asks three times: one approval
		if _, err := reg.Call(ctx, big); err != nil {
			fmt.Println(err)
			return
		}
	}
	pending, err := reg.Pending(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range pending {
		fmt.Println(a.Request.Action, a.Request.Customer, a.Request.Amount)
		fmt.Println(reg.Reject(ctx, a.Request.ID, "agent-tom"))
	}
	// Output:
	// refund C1 300
	// <nil>
}

// With a persistent memory.Store (Redis, PostgreSQL, SQLite), pending
// approvals survive a restart.
func ExampleNewStoreApprovals() {
	store := memory.NewMap() // a persistent store in production
	desk := action.ApproverFunc(func(context.Context, action.ApprovalRequest) error { return nil })
	newRegistry := func() (*action.Registry, error) {
		reg := action.NewRegistry(action.WithWrites(true), action.WithApprover(desk),
			action.WithApprovals(action.NewStoreApprovals(store)))
		return reg, shop.Register(reg, shop.NewBackend())
	}
	ctx := context.Background()
	before, err := newRegistry()
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := before.Call(ctx, action.Call{Action: "refund", Conversation: "c1", Customer: "C1", Confirmed: true,
		Args: json.RawMessage(`{"order_id":"A1002","amount":300,"reason":"broken"}`)})
	if err != nil {
		fmt.Println(err)
		return
	}
	restarted, err := newRegistry()
	if err != nil {
		fmt.Println(err)
		return
	}
	pending, err := restarted.Pending(ctx)
	fmt.Println(len(pending), pending[0].Request.ID == res.ApprovalID, err)
	// Output: 1 true <nil>
}

// Actions act for the customer the application authenticated.
func ExampleWithCustomer() {
	reg := action.NewRegistry()
	if err := shop.Register(reg, shop.NewBackend()); err != nil {
		fmt.Println(err)
		return
	}
	ctx := action.WithCustomer(context.Background(), "C1") // from the turn: t.CustomerID
	fmt.Println(action.CustomerFrom(ctx))
	res, err := reg.Call(ctx, action.Call{Action: "lookup_order", Args: json.RawMessage(`{"order_id":"A1001"}`)})
	fmt.Println(res.Status, err)
	_, err = reg.Call(ctx, action.Call{Action: "lookup_order", Args: json.RawMessage(`{"order_id":"A1003"}`)})
	fmt.Println(errors.Is(err, action.ErrForbidden), err)
	// Output:
	// C1
	// done <nil>
	// true action: not allowed for this customer: order A1003 is not one of this customer's orders
}

// Every call is audited: conversation, customer, action, arguments,
// outcome and approver.
func ExampleMemoryAudit() {
	audit := &action.MemoryAudit{}
	reg := action.NewRegistry(action.WithWrites(true), action.WithAudit(audit))
	if err := shop.Register(reg, shop.NewBackend()); err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	c := action.Call{Action: "refund", Conversation: "c1", Customer: "C1", Args: json.RawMessage(`{"order_id":"A1001","amount":5,"reason":"late"}`)}
	for _, confirmed := range []bool{false, true, true} {
		c.Confirmed = confirmed
		if _, err := reg.Call(ctx, c); err != nil {
			fmt.Println(err)
			return
		}
	}
	for _, e := range audit.Entries() {
		fmt.Println(e.Conversation, e.Customer, e.Action, e.Outcome)
	}
	// Output:
	// c1 C1 refund needs_confirmation
	// c1 C1 refund done
	// c1 C1 refund replayed
}
