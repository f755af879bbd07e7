package main

import (
	"context"
	"sync"

	"github.com/parleyhq/parley"
)

// queue is the example's stand-in agent desk: it records hand-offs in
// memory and tells the customer what happens next.
type queue struct {
	mu      sync.Mutex
	tickets []ticket
}

type ticket struct {
	Conversation, Customer string
	Request                parley.HandoffRequest
}

// HandOff implements parley.HandOffer.
func (q *queue) HandOff(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, r parley.HandoffRequest) error {
	q.mu.Lock()
	q.tickets = append(q.tickets, ticket{Conversation: t.ConversationID, Customer: t.CustomerID, Request: r})
	q.mu.Unlock()
	return w.Reply(ctx, parley.Text("I'm connecting you with a person now. They'll see our whole conversation, so you won't need to repeat yourself."))
}

func (q *queue) list() []ticket {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]ticket(nil), q.tickets...)
}
