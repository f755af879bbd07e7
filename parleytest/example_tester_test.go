package parleytest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/parleytest"
)

// orderStatus asks for an order number and answers with its status.
var orderStatus = parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	if id, ok := strings.CutPrefix(strings.ToUpper(t.Message.Text), "A-"); ok {
		return w.Reply(ctx, parley.Text("Order A-"+id+" has shipped."))
	}
	return w.Reply(ctx, parley.Message{Text: "Which order is it?",
		QuickReplies: []parley.QuickReply{{Title: "A-1001", Payload: "A-1001"}}})
})

// testOrderStatus is how a bot's own test drives a conversation: a Tester
// needs the test's testing.TB, so it runs inside a Test function,
//
//	func TestOrderStatus(t *testing.T) { testOrderStatus(t) }
//
// A failed check stops the test and prints the transcript so far.
func testOrderStatus(t *testing.T) {
	c := parleytest.NewTester(t, orderStatus)
	c.Send("where is my order?").
		Expect(parleytest.Exact("Which order is it?")).
		ExpectQuickReplies("A-1001")
	c.Tap("A-1001").Expect(parleytest.Contains("shipped"))
	t.Log("\n" + c.Transcript())
}

// The matchers describe themselves in a failed check's message.
func ExampleNewTester() {
	fmt.Println(parleytest.Exact("Which order is it?"))
	fmt.Println(parleytest.Contains("shipped"))
	fmt.Println(parleytest.Matches(`A-\d{4}`))
	// Output:
	// text "Which order is it?"
	// text containing "shipped"
	// text matching /A-\d{4}/
}
