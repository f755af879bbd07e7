package escalation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// deskBot is a bot, which the test builds around esc, whose hand-offs go
// to an in-memory desk that delivers the agents' turns back to it; it
// keeps the text of every reply.
type deskBot struct {
	replies []string
	w       parley.ReplyWriter
	bot     *parley.Bot
	agents  *desk.Memory
	esc     *escalation.Escalator
}

func newDeskBot(t *testing.T) *deskBot {
	t.Helper()
	h := &deskBot{}
	h.w = parley.ReplyFunc(func(_ context.Context, m parley.Message) error { h.replies = append(h.replies, m.Text); return nil })
	h.agents = desk.NewMemory(escalation.DeliverFunc(func(ctx context.Context, t *parley.Turn) error { return h.bot.HandleTurn(ctx, h.w, t) }))
	esc, err := escalation.New(h.agents)
	require.NoError(t, err)
	h.esc = esc
	return h
}

// say sends each text as the customer's next turn in conversation conv.
func (h *deskBot) say(t *testing.T, conv string, texts ...string) {
	t.Helper()
	for i, text := range texts {
		require.NoError(t, h.bot.HandleTurn(t.Context(), h.w, &parley.Turn{ConversationID: conv, MessageID: string(rune('a' + i)), Message: parley.Text(text)}))
	}
}

// ticket is the one case in the desk's queue.
func (h *deskBot) ticket(t *testing.T) escalation.Ticket {
	t.Helper()
	q := h.agents.Queue()
	require.Len(t, q, 1)
	return q[0].Ticket
}

// ticketIntents names the intents of the one case in the queue.
func (h *deskBot) ticketIntents(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, in := range h.ticket(t).Intents {
		names = append(names, in.Name)
	}
	return names
}

// refundForm asks for the order and a confirmation; anything else is
// handed back to the router, and the form resumes after it.
type refundForm struct{}

func (refundForm) ask(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, id, text string) error {
	if err := dialog.Ask(t, dialog.Question{ID: id, Owner: "refund_form", Text: text, Intent: "refund", Policy: dialog.Resume}); err != nil {
		return err
	}
	return w.Reply(ctx, parley.Text(text))
}

func (f refundForm) HandleTurn(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	q, _ := dialog.OpenQuestion(t)
	switch {
	case q.ID == "order" && strings.HasPrefix(t.Text(), "A-"):
		return f.ask(ctx, w, t, "confirm", "Refund all of it?")
	case q.ID == "confirm" && t.Text() == "yes":
		dialog.CloseQuestion(t)
		return w.Reply(ctx, parley.Text("That needs a teammate's OK."))
	}
	return dialog.ErrNotAnswer
}

func (f refundForm) Resume(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, q dialog.Question) error {
	return w.Reply(ctx, parley.Text(q.Text))
}

// classify stands in for the classifier, which guesses an intent for
// every message, answers included.
func classify(next parley.Handler) parley.Handler {
	guesses := []struct{ word, intent, order string }{
		{"refund", "refund", ""}, {"status", "order_status", "A-1001"}, {"A-1002", "track_order", "A-1002"},
		{"yes", "greeting", ""}, {"person", "human", ""},
	}
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u := nlu.Understanding{Status: nlu.Unsure}
		for _, g := range guesses {
			if strings.Contains(t.Text(), g.word) {
				u = nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: g.intent, Confidence: 0.8}}
				if g.order != "" {
					u.Entities = []nlu.Entity{{Type: "order_id", Value: g.order}}
				}
				break
			}
		}
		return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
	})
}

// TestTicketIntentsAreRequests: the ticket's intents, and so its facts
// and suggested reply, are the requests the customer made: "A-1002" to
// "Which order?" is no order-tracking request and "yes" no greeting,
// while a question asked in passing is one.
func TestTicketIntentsAreRequests(t *testing.T) {
	h := newDeskBot(t)
	router := intent.NewRouter()
	form := refundForm{}
	router.HandleFunc("refund", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return form.ask(ctx, w, t, "order", "Which order is it?")
	})
	router.Handle("refund_form", form)
	router.HandleFunc("order_status", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("A-1001 has shipped."))
	})
	router.Handle("human", h.esc)
	h.bot = parley.NewBot(parley.Chain(router, classify, escalation.Middleware(h.esc)), parley.WithStore(memory.NewMap()))

	h.say(t, "c1", "I want a refund", "what is the status of A-1001?", "A-1002", "yes", "I want a person")
	assert.Contains(t, h.replies, "A-1001 has shipped.", "the question in passing was served")
	assert.Contains(t, h.replies, "Refund all of it?", "A-1002 answered the form")
	assert.Equal(t, []string{"human", "order_status", "refund"}, h.ticketIntents(t))
}

// TestTicketIntentsFromTheMenu: "2" typed at the router's menu (or its
// title, or the tapped option) is the request for that option's intent,
// which the classifier cannot see in "2".
func TestTicketIntentsFromTheMenu(t *testing.T) {
	for _, pick := range []string{"2", "Order status", "order_status"} {
		t.Run(pick, func(t *testing.T) {
			h := newDeskBot(t)
			router := intent.NewRouter(intent.WithMenu("I can help with:", "refund", "order_status"),
				intent.WithTitles(map[string]string{"order_status": "Order status", "refund": "Refunds"}))
			router.HandleFunc("order_status", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
				return w.Reply(ctx, parley.Text("Which order?"))
			})
			router.HandleFunc("refund", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
				return w.Reply(ctx, parley.Text("Refunds take a week."))
			})
			router.Handle("human", h.esc)
			h.bot = parley.NewBot(parley.Chain(router, classify, escalation.Middleware(h.esc)), parley.WithStore(memory.NewMap()))
			h.say(t, "c1", "blah", "blah blah", pick, "I want a person")
			assert.Equal(t, []string{"human", "order_status"}, h.ticketIntents(t))
		})
	}
}
