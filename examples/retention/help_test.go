package main

import (
	"testing"

	"github.com/parleyhq/parley/parleytest"
)

// "help" twice in a row does not say the same paragraph twice: the
// second time the things the bot does come as buttons (the menu they
// replace is closed), and in a form a word on how to get out of its
// question, which is asked again. A "help" later on is the whole
// paragraph again.
func TestHelpTwiceInARowIsShorter(t *testing.T) {
	c, _ := newTester(t)
	c.Send("help").Expect(parleytest.Exact(helpText))
	c.Send("help").Expect(parleytest.Exact(helpAgainText)).
		ExpectQuickReplies("Track my order", "Return or refund", "Change a delivery address", "Book a call-back", "Renew my plan", "Talk to a human")
	c.Send("Change a delivery address").Expect(parleytest.Contains("Which order should go to a new address?"))
	c.Send("help").Expect(parleytest.Exact(helpText), parleytest.Contains("Which order should go to a new address?"))
	c.Send("help").Expect(parleytest.Exact(helpStuckText), parleytest.Contains("Which order should go to a new address?"))
	c.Send("cancel")
	c.Send("help").Expect(parleytest.Exact(helpText))

	menu, _ := newTester(t)
	menu.Send("hi").Expect(parleytest.Contains("ShopCo assistant"), parleytest.Contains("What can I help you with?"))
	menu.Send("help").Expect(parleytest.Exact(helpText), parleytest.Contains("What would you like to do?"))
	menu.Send("help").Expect(parleytest.Exact(helpAgainText)).
		ExpectQuickReplies("Track my order", "Return or refund", "Change a delivery address", "Book a call-back", "Renew my plan", "Talk to a human")
	menu.Send("Book a call-back").Expect(parleytest.Contains("What number should we call?"))
}

// "cancel" twice in a row says there is nothing left to stop, not "I've
// stopped that" again; a third shows the menu; a new request in between
// starts the count afresh.
func TestCancelTwiceInARow(t *testing.T) {
	c, _ := newTester(t)
	c.Send("I want a refund").Expect(parleytest.Contains("Which order is it?"))
	c.Send("cancel").Expect(parleytest.Contains("I've stopped that"))
	c.Send("cancel").Expect(parleytest.Exact(nothingToStopText))
	c.Send("cancel").Expect(parleytest.Exact("What can I help you with?"))
	c.Send("I want a refund").Expect(parleytest.Contains("Which order is it?"))
	c.Send("cancel").Expect(parleytest.Contains("I've stopped that"))
}
