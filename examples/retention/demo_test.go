package main

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/parleytest"
)

// The demo customer can try the address change, asked the way people
// ask it, on an order that has not shipped yet.
func TestDemoAddressChangeFromNaturalPhrasing(t *testing.T) {
	c, a := newTester(t)
	c.Send("hi").Send("I moved, can you send it to my new address?").Expect(parleytest.Contains("Which order should go to a new address"))
	c.Send("A-1010").Send("7 Ocean Drive, Leith EH6 6JJ").Expect(parleytest.Contains(`Shall I change the delivery address of A-1010`))
	c.Tap("Yes").Expect(parleytest.Contains("Done: A-1010 will go to 7 Ocean Drive"))
	o, err := a.shop.Order(t.Context(), "A-1010")
	require.NoError(t, err)
	assert.Equal(t, "7 Ocean Drive, Leith EH6 6JJ", o.Address)
}

// The demo's dates follow the day it runs: the renewal reminder never
// names a date in the past. (In a synctest bubble, whose clock is in
// 2000: a date within a week of the real day would be written with its
// weekday, i18n.WithDates.)
func TestDemoRenewalDatesAreAhead(t *testing.T) { synctest.Test(t, demoRenewalDatesAreAhead) }

func demoRenewalDatesAreAhead(t *testing.T) {
	for _, today := range []time.Time{goldenToday, time.Date(2031, 2, 27, 23, 30, 0, 0, time.UTC)} {
		a, err := newAppWith(config{customer: "cus_ada", writes: true, today: today})
		require.NoError(t, err)
		c := parleytest.NewTester(t, a.handler, parleytest.WithCustomer("cus_ada"))
		in7 := today.AddDate(0, 0, 7).Format("January 2, 2006") // written out by i18n.WithDates
		c.Send("hi").Tap("Renew my plan").Expect(parleytest.Exact("Your Monthly Plus plan renews on " + in7 + "."))
		p, err := a.shop.Profile(t.Context(), "cus_ben")
		require.NoError(t, err)
		assert.Equal(t, today.AddDate(0, 0, 21).Format(time.DateOnly), p["renewal_date"])
	}
}

// A call-back is offered at times in the customer's own time zone, and
// a number on file is not asked for again: Ben is in New York with his
// phone on file (Ada, in London, is asked for hers: esc-callback-no-phone).
func TestCallbackInTheCustomersTimeZone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, a := newTester(t, parleytest.WithCustomer("cus_ben"))
		a.desk.SetAgents(0)
		c.Send("human").Expect(parleytest.Contains("Would you like a call back instead?")).
			// In Ben's day (8am-9pm New York), not at 9pm and 10pm (QA9 F51).
			ExpectQuickReplies("Fri, Dec 31, 8:00 pm New York time", "Sat, Jan 1, 8:00 am New York time", "Sat, Jan 1, 9:00 am New York time", "Email me instead")
		c.Tap("Fri, Dec 31, 8:00 pm New York time").Expect(parleytest.Exact(
			"Done: we'll call you on +1 212 555 0147, Friday, December 31, 8:00 pm New York time. Our team will have this conversation at hand."))
	})
}
