package escalationtest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
)

// Fixture is a desk under test plus a way to look at what it stored.
type Fixture struct {
	Desk escalation.Desk
	// Tickets returns how many distinct tickets the desk (or the system
	// behind it) holds for id and how many customer messages were relayed
	// to it. The suite uses it to check idempotency.
	Tickets func(id string) (tickets, messages int)
	// Open reports whether ticket id is still open (not cancelled). Nil
	// skips the cancel checks that need it.
	Open func(id string) bool
}

// Run runs the conformance suite. newFixture must return a fresh, empty
// desk for each call.
func Run(t *testing.T, newFixture func(t *testing.T) Fixture) {
	t.Helper()
	ctx := context.Background()
	ticket := func(id string) escalation.Ticket {
		return escalation.Ticket{ID: id, ConversationID: "conv-" + id, Reason: "asked for a human",
			Priority: dialog.PriorityHigh, Summary: "Customer wants: refund.", Created: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
	}
	t.Run("SubmitIsIdempotent", func(t *testing.T) {
		f := newFixture(t)
		for range 3 {
			if err := f.Desk.Submit(ctx, ticket("t1")); err != nil {
				t.Fatalf("Submit: %v", err)
			}
		}
		if n, _ := f.Tickets("t1"); n != 1 {
			t.Fatalf("three submissions of one ticket made %d tickets, want 1", n)
		}
	})
	t.Run("SubmitWithoutID", func(t *testing.T) {
		f := newFixture(t)
		if err := f.Desk.Submit(ctx, escalation.Ticket{ConversationID: "c"}); err == nil {
			t.Fatal("Submit of a ticket without ID: no error")
		}
	})
	t.Run("Relay", func(t *testing.T) {
		f := newFixture(t)
		if err := f.Desk.Submit(ctx, ticket("t2")); err != nil {
			t.Fatalf("Submit: %v", err)
		}
		for i := range 2 {
			if err := f.Desk.Relay(ctx, "t2", parley.Message{ID: fmt.Sprint("m", i), Text: fmt.Sprint("message ", i)}); err != nil {
				t.Fatalf("Relay: %v", err)
			}
		}
		if _, m := f.Tickets("t2"); m != 2 {
			t.Fatalf("relayed 2 messages, desk has %d", m)
		}
	})
	t.Run("RelayUnknownTicket", func(t *testing.T) {
		f := newFixture(t)
		err := f.Desk.Relay(ctx, "nope", parley.Text("hello"))
		if !errors.Is(err, escalation.ErrUnknownTicket) {
			t.Fatalf("Relay to an unknown ticket: %v, want ErrUnknownTicket", err)
		}
	})
	t.Run("Cancel", func(t *testing.T) {
		f := newFixture(t)
		if err := f.Desk.Submit(ctx, ticket("t3")); err != nil {
			t.Fatalf("Submit: %v", err)
		}
		if err := f.Desk.Cancel(ctx, "t3", "customer left"); err != nil {
			t.Fatalf("Cancel: %v", err)
		}
		if err := f.Desk.Cancel(ctx, "t3", "again"); err != nil {
			t.Fatalf("second Cancel: %v, want nil", err)
		}
		if f.Open != nil && f.Open("t3") {
			t.Fatal("ticket still open after Cancel")
		}
		if f.Open != nil {
			err := f.Desk.Relay(ctx, "t3", parley.Text("late"))
			if !errors.Is(err, escalation.ErrClosedTicket) {
				t.Fatalf("Relay to a cancelled ticket: %v, want ErrClosedTicket", err)
			}
		}
	})
	t.Run("CancelledContext", func(t *testing.T) {
		f := newFixture(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := f.Desk.Submit(cctx, ticket("t4")); !errors.Is(err, context.Canceled) {
			t.Fatalf("Submit with a cancelled context: %v, want context.Canceled", err)
		}
	})
	t.Run("AgentCounter", func(t *testing.T) {
		f := newFixture(t)
		ac, ok := f.Desk.(escalation.AgentCounter)
		if !ok {
			t.Skip("desk does not count agents")
		}
		n, err := ac.AgentsAvailable(ctx)
		if err != nil || n < 0 {
			t.Fatalf("AgentsAvailable: %d, %v", n, err)
		}
	})
}
