package desk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
)

// The desk's agents answer through lifecycle turns, which an application
// delivers to its Bot; here they are printed.
func ExampleNewMemory() {
	ctx := context.Background()
	deliver := escalation.DeliverFunc(func(_ context.Context, t *parley.Turn) error {
		fmt.Println("turn:", strings.TrimSpace(t.Signal.Name+" "+t.Signal.Data[escalation.DataText]))
		return nil
	})
	agents := desk.NewMemory(deliver, desk.WithAgents(1))
	if err := agents.Submit(ctx, escalation.Ticket{ID: "c1-1", ConversationID: "c1", Reason: "asked for a person",
		Priority: dialog.PriorityHigh}); err != nil {
		panic(err)
	}
	if err := agents.Relay(ctx, "c1-1", parley.Text("my lamp arrived broken")); err != nil {
		panic(err)
	}
	cs := agents.Queue()[0]
	fmt.Println(cs.Ticket.Reason, cs.Status, cs.Thread[0].Text)
	if err := agents.Reply(ctx, "c1-1", "Kim", "Sorry about that! A new one ships today."); err != nil {
		panic(err)
	}
	if err := agents.Resolve(ctx, "c1-1", "", "refund sent"); err != nil {
		panic(err)
	}
	fmt.Println(len(agents.Queue()), "open")
	// Output:
	// asked for a person queued my lamp arrived broken
	// turn: handoff.assigned
	// turn: handoff.agent_message Sorry about that! A new one ships today.
	// turn: handoff.resolved
	// 0 open
}

// The workspace is an http.Handler; its JSON API is what the page uses.
func ExampleNewConsole() {
	ctx := context.Background()
	agents := desk.NewMemory(escalation.DeliverFunc(func(context.Context, *parley.Turn) error { return nil }))
	if err := agents.Submit(ctx, escalation.Ticket{ID: "c1-1", ConversationID: "c1", Reason: "legal threat",
		Priority: dialog.PriorityUrgent, Profile: map[string]string{"first_name": "Ada"}}); err != nil {
		panic(err)
	}
	console := desk.NewConsole(agents, desk.WithAgentName(func(*http.Request) string { return "Kim" }))
	rec := httptest.NewRecorder()
	console.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/tickets/c1-1", nil))
	var c struct {
		Priority   string `json:"priority"`
		ReasonText string `json:"reason_text"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil {
		panic(err)
	}
	fmt.Println(c.Priority+":", c.ReasonText)
	// Output:
	// urgent: Ada mentioned legal action: handle with care and follow the legal policy.
}
