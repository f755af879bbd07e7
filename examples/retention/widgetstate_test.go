package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/parleytest"
)

// The widget hears who answers with the last reply of each web turn: the
// bot, a queue the customer waits in, or a person.
func TestWidgetHearsWhoAnswers(t *testing.T) {
	c, a := newTesterWith(t, config{writes: true, today: goldenToday}, parleytest.WithChannel("web"))
	who := func() []string {
		var out []string
		for _, m := range c.Replies() {
			w, _ := m.Extras["web"].(map[string]any)
			h, _ := w["human"].(string)
			out = append(out, h)
		}
		return out
	}
	c.Send("where is my order A-1001?")
	assert.Equal(t, []string{"", "bot"}, who(), c.Transcript())
	c.Send("human")
	assert.Equal(t, []string{"waiting"}, who(), c.Transcript())
	id := openTicket(t, a)
	c.Signal(escalation.SignalAssigned, map[string]string{escalation.DataTicket: id, escalation.DataAgent: "Maria"})
	assert.Equal(t, []string{"agent"}, who(), c.Transcript())
	c.Signal(dialog.SignalAgentMessage, map[string]string{escalation.DataTicket: id, escalation.DataAgent: "Maria", escalation.DataText: "Hi, I'm Maria."})
	assert.Equal(t, []string{"agent"}, who(), c.Transcript())
	c.Signal(dialog.SignalHandoffResolved, map[string]string{escalation.DataTicket: id})
	assert.Equal(t, "bot", who()[len(who())-1], c.Transcript())
	c.Send("human")
	assert.Equal(t, []string{"waiting"}, who(), "a second hand-off waits again: "+c.Transcript())
}
