package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/parleytest"
)

// fakeOpenAI is an OpenAI-compatible chat completions server that answers
// with scripted replies, one per request, and records the requests.
type fakeOpenAI struct {
	mu      sync.Mutex
	replies []string // "tool:NAME:ARGS" or plain text; "500" fails
	bodies  []string
}

func (f *fakeOpenAI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, string(b))
	next := "Sorry, I have nothing more to say."
	if len(f.replies) > 0 {
		next, f.replies = f.replies[0], f.replies[1:]
	}
	n := len(f.bodies)
	f.mu.Unlock()
	if r.URL.Path != "/v1/chat/completions" {
		http.NotFound(w, r)
		return
	}
	if next == "500" {
		http.Error(w, `{"error":{"message":"overloaded","type":"server_error"}}`, http.StatusInternalServerError)
		return
	}
	msg := map[string]any{"role": "assistant", "content": next}
	finish := "stop"
	if name, args, ok := strings.Cut(strings.TrimPrefix(next, "tool:"), ":"); ok && strings.HasPrefix(next, "tool:") {
		msg = map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{map[string]any{
			"id": fmt.Sprintf("call_%d", n), "type": "function",
			"function": map[string]any{"name": name, "arguments": args},
		}}}
		finish = "tool_calls"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": fmt.Sprintf("chatcmpl-%d", n), "object": "chat.completion", "model": "test",
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60},
	})
}

func (f *fakeOpenAI) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies...)
}

// newAssistantTester wires the example with a model served by fake.
func newAssistantTester(t *testing.T, fake *fakeOpenAI) (*parleytest.Tester, *app) {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	m, err := llm.NewOpenAI(llm.OpenAIConfig{BaseURL: srv.URL + "/v1", Model: "test", HTTPClient: srv.Client()})
	require.NoError(t, err)
	a, err := newAppWith(config{writes: true, model: m})
	require.NoError(t, err)
	c := parleytest.NewTester(t, a.handler, parleytest.WithCustomer("cus_ada"))
	return c, a
}

// offTopic is a message the intent model does not understand.
const offTopic = "what is the capital of france"

func TestAssistantLooksUpAnOrder(t *testing.T) {
	fake := &fakeOpenAI{replies: []string{`tool:lookup_order:{"order_id":"A-1002"}`, "Your Walnut desk lamp was delivered."}}
	c, _ := newAssistantTester(t, fake)
	c.Send(offTopic).Expect(parleytest.Exact("Your Walnut desk lamp was delivered."))
	reqs := fake.requests()
	require.Len(t, reqs, 2)
	assert.Contains(t, reqs[0], `"name":"refund"`, "the registry's actions are offered as tools")
	assert.Contains(t, reqs[1], "Walnut desk lamp", "the tool result goes back to the model")
}

func TestAssistantCannotReadAnotherCustomersOrder(t *testing.T) {
	// A-1003 is Ben's: the registry refuses, whatever the model wants.
	fake := &fakeOpenAI{replies: []string{`tool:lookup_order:{"order_id":"A-1003"}`, "I couldn't find that order on your account."}}
	c, _ := newAssistantTester(t, fake)
	c.Send(offTopic).Expect(parleytest.Contains("couldn't find"))
	reqs := fake.requests()
	require.Len(t, reqs, 2)
	assert.NotContains(t, reqs[1], "Running socks", "nothing of Ben's order reaches the model")
	assert.NotContains(t, reqs[1], "Harbour Road")
}

func TestAssistantRefundNeedsTheCustomersYes(t *testing.T) {
	fake := &fakeOpenAI{replies: []string{`tool:refund:{"order_id":"A-1001","amount":20,"reason":"too small"}`}}
	c, a := newAssistantTester(t, fake)
	c.Send(offTopic).Expect(parleytest.Contains("To confirm: refund $20.00 on order A-1001")).ExpectQuickReplies("Yes", "No")
	assert.Zero(t, a.shop.refunded("A-1001"), "nothing runs before the customer agrees")
	c.Tap("Yes").Expect(parleytest.Exact("Done!"))
	assert.Equal(t, 20.0, a.shop.refunded("A-1001"))

	// Asked again, the customer says no: nothing runs.
	fake.replies = []string{`tool:refund:{"order_id":"A-1001","amount":5}`}
	c.Send("and a bit more off the kettle, maybe").Tap("No").Expect(parleytest.Contains("haven't changed anything"))
	assert.Equal(t, 20.0, a.shop.refunded("A-1001"))
}

func TestAssistantOverLimitGoesToAPerson(t *testing.T) {
	fake := &fakeOpenAI{replies: []string{`tool:refund:{"order_id":"A-1002","amount":100}`}}
	c, a := newAssistantTester(t, fake)
	c.Send(offTopic).Tap("Yes").Expect(parleytest.Contains("quick OK from a teammate"))
	assert.Empty(t, a.desk.Queue(), "an approval is not a hand-off")
	pending, err := a.actions.awaiting(t.Context())
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Zero(t, a.shop.refunded("A-1002"))
}

func TestAssistantInvalidArgumentsAreRetriedThenGivenUp(t *testing.T) {
	// The model keeps sending a string amount: rejected by the schema,
	// sent back at most twice, then the usual fallback answers.
	bad := `tool:refund:{"order_id":"A-1001","amount":"lots"}`
	fake := &fakeOpenAI{replies: []string{bad, bad, bad, bad}}
	c, a := newAssistantTester(t, fake)
	c.Send(offTopic).Expect(parleytest.Contains("Sorry, I didn't quite get that"))
	assert.Len(t, fake.requests(), 3)
	assert.Zero(t, a.shop.refunded("A-1001"))
}

func TestAssistantDownFallsBack(t *testing.T) {
	fake := &fakeOpenAI{replies: []string{"500", "500", "500"}}
	c, _ := newAssistantTester(t, fake)
	c.Send(offTopic).Expect(parleytest.Contains("Sorry, I didn't quite get that"))
}

func TestAssistantLeavesUnderstoodMessagesToTheFlows(t *testing.T) {
	fake := &fakeOpenAI{}
	c, _ := newAssistantTester(t, fake)
	c.Send("hi").Tap("Track my order").Send("A-1001").Expect(parleytest.Contains("has shipped"))
	assert.Empty(t, fake.requests())
}

func TestAssistantUnansweredConfirmationExpires(t *testing.T) {
	fake := &fakeOpenAI{replies: []string{`tool:refund:{"order_id":"A-1001","amount":20}`}}
	c, a := newAssistantTester(t, fake)
	c.Send(offTopic).Expect(parleytest.Contains("To confirm: refund $20.00"))
	// The customer goes elsewhere instead of answering...
	c.Send("hi").Tap("Track my order").Send("A-1002").Tap("Yes")
	// ...and a later "yes" confirms nothing.
	c.Send("yes")
	assert.Zero(t, a.shop.refunded("A-1001"))
}

func TestAssistantCannotRaiseApprovalsForOthersOrders(t *testing.T) {
	fake := &fakeOpenAI{replies: []string{`tool:refund:{"order_id":"A-1003","amount":99}`, "I couldn't find that order on your account."}}
	c, a := newAssistantTester(t, fake)
	c.Send(offTopic).Expect(parleytest.Contains("couldn't find"))
	pending, err := a.actions.awaiting(t.Context())
	require.NoError(t, err)
	assert.Empty(t, pending, "no approval request for someone else's order")
}

// TestAssistantAsksBeforeCreatingValue is issue 15's ticket (and
// discount code) created by the model without the customer confirming: a
// writing action the model chooses is asked first, in the code's words,
// and runs only on yes.
func TestAssistantAsksBeforeCreatingValue(t *testing.T) {
	fake := &fakeOpenAI{replies: []string{`tool:create_ticket:{"subject":"Lamp flickers","body":"Customer reports the lamp flickers."}`}}
	c, a := newAssistantTester(t, fake)
	c.Send(offTopic).Expect(parleytest.Contains(`Shall I create ticket (body: "Customer reports the lamp flickers.", subject: "Lamp flickers")?`))
	assert.Empty(t, a.shop.tickets, "nothing is created before the customer says yes")
	c.Tap("Yes").Expect(parleytest.Contains("Done!"))
	assert.Len(t, a.shop.tickets, 1)
}

// TestAssistantModelSeesNoCardNumber is issue 15's card number and
// security code reaching the model verbatim.
func TestAssistantModelSeesNoCardNumber(t *testing.T) {
	fake := &fakeOpenAI{replies: []string{"Paris. Please never share card details here."}}
	c, _ := newAssistantTester(t, fake)
	c.Send("what is the capital of france? my card is 4111 1111 1111 1111 and the cvv is 123").
		Expect(parleytest.Contains("Paris"))
	reqs := fake.requests()
	require.Len(t, reqs, 1)
	assert.NotContains(t, reqs[0], "4111 1111 1111 1111")
	assert.NotContains(t, reqs[0], "cvv is 123")
	assert.Contains(t, reqs[0], "capital of france", "the rest of the message reaches the model")
}

// callbacksOf returns the call-backs booked in a's shop.
func callbacksOf(a *app) []callback {
	a.shop.mu.Lock()
	defer a.shop.mu.Unlock()
	return append([]callback(nil), a.shop.callbacks...)
}

// TestAssistantCallbackTimeIsRead is QA10 F6: the model's
// schedule_callback booked its words ("tomorrow afternoon") as the time.
// The call goes through the call-back flow's reading of times: a time
// the team can call is confirmed and booked as a time, an ambiguous one
// is asked about, and words that are no time are asked for again.
func TestAssistantCallbackTimeIsRead(t *testing.T) {
	booked := regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2} \S+$`)
	t.Run("range", func(t *testing.T) {
		fake := &fakeOpenAI{replies: []string{`tool:schedule_callback:{"phone":"+1 555 0100","when":"tomorrow afternoon"}`}}
		c, a := newAssistantTester(t, fake)
		c.Send(offTopic).Expect(parleytest.Contains("Shall we call you on +1 555 0100, ")).ExpectQuickReplies("Yes", "No")
		assert.Empty(t, callbacksOf(a), "nothing is booked before the customer says yes")
		c.Tap("Yes").Expect(parleytest.Contains("Booked: we'll call +1 555 0100, "))
		cbs := callbacksOf(a)
		require.Len(t, cbs, 1)
		assert.Regexp(t, booked, cbs[0].When, "a time, not the model's words")
		at, err := time.Parse("2006-01-02 15:04", cbs[0].When[:16])
		require.NoError(t, err)
		assert.GreaterOrEqual(t, at.Hour(), 12, "in the afternoon")
		assert.Less(t, at.Hour(), 18, "in the afternoon")
	})
	t.Run("ambiguous", func(t *testing.T) {
		fake := &fakeOpenAI{replies: []string{`tool:schedule_callback:{"phone":"+1 555 0100","when":"tomorrow at 3"}`}}
		c, a := newAssistantTester(t, fake)
		c.Send(offTopic).Expect(parleytest.Contains("Is that 3 am or 3 pm?"))
		c.Send("pm").Expect(parleytest.Contains("Shall we call you on +1 555 0100, "))
		c.Tap("Yes")
		cbs := callbacksOf(a)
		require.Len(t, cbs, 1)
		assert.Regexp(t, booked, cbs[0].When)
		assert.Contains(t, cbs[0].When, " 15:00 ")
	})
	t.Run("no time", func(t *testing.T) {
		fake := &fakeOpenAI{replies: []string{`tool:schedule_callback:{"phone":"+1 555 0100","when":"whenever suits"}`}}
		c, a := newAssistantTester(t, fake)
		c.Send(offTopic).Expect(parleytest.Contains("Please tell me a day and a time"))
		assert.Empty(t, callbacksOf(a))
		assert.Len(t, fake.requests(), 1, "the flow asks, not the model")
	})
}
