// Package parleytest tests handlers and whole bots without a channel, as
// net/http/httptest tests HTTP handlers without a network.
//
// A [Recorder] is a ReplyWriter that records replies; [NewTurn] builds a
// turn with an in-memory session. Together they test one handler call:
//
//	rec := parleytest.NewRecorder()
//	if err := h.HandleTurn(ctx, rec, parleytest.NewTurn("I want a refund")); err != nil {
//		t.Fatal(err)
//	}
//	assert.Equal(t, []string{"Which order is it?"}, rec.Texts())
//
// A [Tester] plays the customer in a conversation with any
// [parley.Handler] (a flow engine, an intent router, a hand-written
// handler) run inside a [parley.Bot], and checks the replies; a failed
// check prints the transcript so far:
//
//	func TestRefund(t *testing.T) {
//		c := parleytest.NewTester(t, newShopBot(), parleytest.WithCustomer("cus_1"))
//		c.Send("I want a refund").Expect(parleytest.Contains("order number"))
//		c.Send("A-1001").Tap("Yes").Expect(parleytest.Matches(`refund of \$\d+`))
//	}
//
// Packages with state of their own add [Check] values (flow/flowtest
// checks the node a flow is at and its slots).
//
// [RunGolden] replays golden transcripts kept in txtar files ("> " the
// customer, "< " the bot) and rewrites them with -update.
//
// # Time
//
// There is no clock to inject: run the test inside [synctest.Test] and
// time is the bubble's; [Tester.Advance] lets hours pass in no real time,
// and every golden file runs in its own bubble.
//
// # Concurrency
//
// A Recorder is safe for concurrent use. A Tester is for one goroutine,
// like testing.T's assertion helpers.
package parleytest
