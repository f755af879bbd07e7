// Package flowtest checks where a conversation is in its flows, for
// tests that drive a bot with a [parleytest.Tester]:
//
//	c := parleytest.NewTester(t, engine)
//	c.Send("where is my order").Check(flowtest.Flow("order_status"), flowtest.Node("ask_order"))
//	c.Send("A-1001").Check(flowtest.Slot("order", "A-1001"))
//	c.Tap("Yes").Check(flowtest.Status(flow.Resolved))
//
// Each function returns a [parleytest.Check] that reads the stored
// session with [flow.SnapshotOf]; a failed check stops the test and
// prints the transcript.
package flowtest

import (
	"errors"
	"fmt"

	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/parleytest"
)

// check returns a Check of the stored flow state: bad returns why s is
// not as wanted, or "" if it is.
func check(bad func(s flow.Snapshot) string) parleytest.Check {
	return func(c *parleytest.Tester) error {
		s, err := flow.SnapshotOf(c.Session())
		if err != nil {
			return fmt.Errorf("flowtest: read flow state: %w", err)
		}
		if why := bad(s); why != "" {
			return errors.New(why)
		}
		return nil
	}
}

// Node checks that the conversation's flow is at node id.
func Node(id string) parleytest.Check {
	return check(func(s flow.Snapshot) string {
		if s.Node != id {
			return fmt.Sprintf("flow at node %q (flow %q), want %q", s.Node, s.Flow, id)
		}
		return ""
	})
}

// Flow checks that the conversation is in the named flow ("" for none).
func Flow(name string) parleytest.Check {
	return check(func(s flow.Snapshot) string {
		if s.Flow != name {
			return fmt.Sprintf("in flow %q, want %q", s.Flow, name)
		}
		return ""
	})
}

// Slot checks a slot of the current flow.
func Slot(name, value string) parleytest.Check {
	return check(func(s flow.Snapshot) string {
		if got := s.Slots[name]; got != value {
			return fmt.Sprintf("slot %q = %q, want %q", name, got, value)
		}
		return ""
	})
}

// Status checks the resolution of the most recently ended flow.
func Status(r flow.Resolution) parleytest.Check {
	return check(func(s flow.Snapshot) string {
		if s.Last != r {
			return fmt.Sprintf("last flow %q ended %q, want %q", s.LastFlow, s.Last, r)
		}
		return ""
	})
}
