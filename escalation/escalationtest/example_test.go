package escalationtest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/escalation/escalationtest"
)

// testDesk is how a desk's package runs the conformance suite (this
// package's tests run it, and run the suite over a webhook desk with a
// help-desk stand-in):
//
//	func TestDesk(t *testing.T) { testDesk(t) }
func testDesk(t *testing.T) {
	escalationtest.Run(t, func(t *testing.T) escalationtest.Fixture { return memoryFixture() })
}

// memoryFixture is a desk under test and the views of it the suite needs:
// a fresh, empty desk.Memory each time.
func memoryFixture() escalationtest.Fixture {
	d := desk.NewMemory(escalation.DeliverFunc(func(context.Context, *parley.Turn) error { return nil }))
	return escalationtest.Fixture{
		Desk: d,
		Tickets: func(id string) (int, int) {
			tk, ok := d.Get(id)
			if !ok {
				return 0, 0
			}
			return 1, len(tk.Thread)
		},
		Open: func(id string) bool {
			tk, ok := d.Get(id)
			return ok && tk.Status != escalation.StatusCancelled && tk.Status != escalation.StatusResolved
		},
	}
}

// One of the suite's checks: submitting a ticket again (a retried
// hand-off) keeps one ticket.
func ExampleRun() {
	f := memoryFixture()
	tk := escalation.Ticket{ID: "t-1", ConversationID: "web:ada", Reason: "asked for a person"}
	for range 2 {
		if err := f.Desk.Submit(context.Background(), tk); err != nil {
			fmt.Println(err)
			return
		}
	}
	tickets, _ := f.Tickets("t-1")
	fmt.Println(tickets, "ticket, open:", f.Open("t-1"))
	// Output: 1 ticket, open: true
}
