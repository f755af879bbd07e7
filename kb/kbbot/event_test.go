package kbbot_test

import (
	"testing"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbbot"
	"github.com/parleyhq/parley/parleytest"
)

// TestEvents pins what analytics reads: an answer with its sources, and
// an unsure answer with the question it could not answer.
func TestEvents(t *testing.T) {
	c := parleytest.NewTester(t, kbbot.New(kb.NewAnswerer(index(t))))
	c.Send("how do I get a refund")
	c.ExpectEvent(kbbot.EventAnswered, map[string]string{"kind": "extractive", "sources": "refund"})
	c.Send("can I pay with bitcoin")
	c.ExpectEvent(kbbot.EventUnsure, map[string]string{"question": "can I pay with bitcoin"})
}
