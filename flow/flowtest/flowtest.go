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
	"fmt"

	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/parleytest"
)

func snapshot(c *parleytest.Tester) (flow.Snapshot, error) {
	s, err := flow.SnapshotOf(c.Session())
	if err != nil {
		return flow.Snapshot{}, fmt.Errorf("flowtest: read flow state: %w", err)
	}
	return s, nil
}

// Node checks that the conversation's flow is at node id.
func Node(id string) parleytest.Check {
	return func(c *parleytest.Tester) error {
		s, err := snapshot(c)
		if err != nil {
			return err
		}
		if s.Node != id {
			return fmt.Errorf("flow at node %q (flow %q), want %q", s.Node, s.Flow, id)
		}
		return nil
	}
}

// Flow checks that the conversation is in the named flow ("" for none).
func Flow(name string) parleytest.Check {
	return func(c *parleytest.Tester) error {
		s, err := snapshot(c)
		if err != nil {
			return err
		}
		if s.Flow != name {
			return fmt.Errorf("in flow %q, want %q", s.Flow, name)
		}
		return nil
	}
}

// Slot checks a slot of the current flow.
func Slot(name, value string) parleytest.Check {
	return func(c *parleytest.Tester) error {
		s, err := snapshot(c)
		if err != nil {
			return err
		}
		if got := s.Slots[name]; got != value {
			return fmt.Errorf("slot %q = %q, want %q", name, got, value)
		}
		return nil
	}
}

// Status checks the resolution of the most recently ended flow.
func Status(r flow.Resolution) parleytest.Check {
	return func(c *parleytest.Tester) error {
		s, err := snapshot(c)
		if err != nil {
			return err
		}
		if s.Last != r {
			return fmt.Errorf("last flow %q ended %q, want %q", s.LastFlow, s.Last, r)
		}
		return nil
	}
}
