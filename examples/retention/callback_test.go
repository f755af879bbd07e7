package main

import (
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/parleytest"
)

func TestPhoneIn(t *testing.T) {
	for give, want := range map[string]string{
		"can you call me back on 07700 900123":             "07700 900123",
		"call me back tomorrow at 3pm on +44 20 7946 0000": "+44 20 7946 0000",
		"ring me on (212) 555-0147 please":                 "(212) 555-0147",
		"call me back tomorrow at 3pm":                     "",
		"call me about order A-1002":                       "",
		"call me on 2026-12-11":                            "",
	} {
		assert.Equal(t, want, phoneIn(give), give)
	}
}

// TestCallbackTurns drives the typed call-back as a customer: the number
// in the request (qa12 F6), a refusal to give one (F22), a thanks at the
// confirmation (F26) and "what happens next?" once booked (F36).
func TestCallbackTurns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newTesterWith(t, config{writes: true, today: goldenToday, hours: teamHours()})
		c.Send("can you call me back on 07700 900123").Expect(parleytest.Contains("When suits you"))
		c.Send("Monday at 3pm").Expect(parleytest.Contains("Shall we call you on 07700 900123, "))
		c.Send("thanks").Expect(parleytest.Exact("You're welcome! Shall I book it? Yes or no.")).ExpectQuickReplies("Yes", "No")
		c.Send("yes").Expect(parleytest.Contains("Booked: we'll call 07700 900123"))
		c.Send("what happens next?").Expect(parleytest.Matches(`^A teammate will call 07700 900123, .+\. You can keep chatting with me here meanwhile\.$`))
	})
	synctest.Test(t, func(t *testing.T) {
		c, _ := newTesterWith(t, config{writes: true, today: goldenToday, hours: teamHours()})
		c.Send("what happens next?")
		assert.NotContains(t, strings.Join(c.Texts(), "\n"), "A teammate will call", "nothing was booked")
		c.Send("call me back please").Expect(parleytest.Exact("Sure. What number should we call?"))
		c.Send("I'd rather not give my number").Expect(parleytest.Exact(noNumberText))
		c.Send("what happens next?")
		assert.NotContains(t, strings.Join(c.Texts(), "\n"), "A teammate will call", "nothing was booked")
	})
}
