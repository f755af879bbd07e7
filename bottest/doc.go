// Package bottest tests whole bots offline: a scripted [Tester] that plays
// the user and checks replies, quick replies, the flow node reached, slots,
// hand-offs and the resolution; and golden transcripts in txtar files
// ([RunGolden]) rewritten with -update.
//
// # Overview
//
//	func TestRefund(t *testing.T) {
//		c := bottest.New(t, newShopBot(), bottest.WithCustomer("cus_1"))
//		c.Send("I want a refund").Expect(bottest.Contains("order number"))
//		c.Send("A-1001").ExpectSlot("order", "A-1001")
//		c.Tap("Yes").Expect(bottest.Matches(`refund of \$\d+`))
//		c.ExpectStatus(flow.Resolved)
//	}
//
// A failed expectation stops the test and prints the transcript so far.
//
// # Time
//
// A Tester has its own clock, starting at [Epoch] and moving one second per
// message; [Tester.Advance] moves it further, so hours of flow time (wait
// nodes, TTLs, reminders) run in microseconds. Tests that need real timers
// in the code under test can also run inside testing/synctest.
//
// # Concurrency
//
// A Tester is for one goroutine, like testing.T's assertion helpers.
package bottest
