package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/escalation"
)

// Approvals: refunds over the automatic limit wait until a person
// approves or rejects them in the workspace (workspace.go), while the customer goes on chatting
// with the bot. The decision runs through the action registry, which
// executes the call once, within its budgets, and audits who approved it;
// the customer is told in a turn of its own, delivered through the Bot so
// that it is ordered with their messages. Deciding never touches the
// agents' desk: an agent talking with the same customer keeps the
// conversation.

// decide approves or rejects approval id and tells the customer. Only
// the request that this decision took is answered: of an approve and a
// reject racing, the loser changes nothing and says nothing.
func (a *app) decide(ctx context.Context, id, agent string, approve bool) error {
	req, _, err := a.actions.decide(ctx, id, agent, approve)
	if req.ID == "" || errors.Is(err, action.ErrNoApproval) {
		return err // unknown, already decided or refused: nothing changed, nobody to tell
	}
	if nerr := a.tell(ctx, req, agent, approvalText(req, approve, err)); nerr != nil {
		return fmt.Errorf("%w (decided, but the customer was not told: %v)", errNotTold, nerr)
	}
	return err
}

var (
	errSelfApproval = errors.New("retention: self-approval")
	errNotTold      = errors.New("retention: customer not told")
)

// signalApproval is the turn that brings a decision to the customer:
// Data["text"] is what to tell them, Data["agent"] who decided.
const signalApproval = "approval.decided"

// outboxChannel is the channel name under which the Bot sends the replies
// of turns that do not come from a channel, such as approval decisions:
// through the channel's push to the conversation (setOutbox).
const outboxChannel = "outbox"

// sendOutbox is the Bot's sender for outboxChannel.
func (a *app) sendOutbox(ctx context.Context, to parley.Address, m parley.Message) error {
	a.mu.Lock()
	out := a.outbox
	a.mu.Unlock()
	if out == nil {
		return errNoOutbox
	}
	return out(to.ConversationID).Reply(ctx, m)
}

// tell sends the decision to the customer as its own turn, enqueued on
// the Bot so that it is ordered with their messages; approvalDecisions
// answers it. The approval ID is the turn's message ID: a decision is
// told once.
func (a *app) tell(ctx context.Context, req action.ApprovalRequest, agent, text string) error {
	t := &parley.Turn{ConversationID: req.Conversation, CustomerID: req.Customer, Channel: outboxChannel,
		MessageID: "approval:" + req.ID, Signal: &parley.Signal{Name: signalApproval,
			Data: map[string]string{"text": text, "agent": agent, "approval": req.ID}}}
	a.mu.Lock()
	divert := a.divert
	a.mu.Unlock()
	if divert != nil {
		divert(t)
		return nil
	}
	if err := a.bot.Enqueue(ctx, t); err != nil && !errors.Is(err, parley.ErrDuplicate) {
		return err
	}
	return nil
}

// approvalDecisions tells the customer a decision in a message of its
// own, whatever they are doing: chatting with the bot, in the middle of a
// form, waiting for a person or talking with an agent. It changes nothing
// else: no question is closed, no hand-off ended. While the conversation
// is with the agents, the message goes into the workspace's transcript
// too, where the customer saw it: the agent reads what the customer read,
// in order.
func (a *app) approvalDecisions(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal == nil || t.Signal.Name != signalApproval {
			return next.HandleTurn(ctx, w, t)
		}
		m := parley.Message{Text: t.Signal.Data["text"], Agent: t.Signal.Data["agent"]}
		if err := w.Reply(ctx, m); err != nil {
			return err
		}
		a.toWorkspace(ctx, t.ConversationID, m)
		return nil
	})
}

// toWorkspace adds m, which the customer of conversation was just sent,
// to the thread of the conversation's open ticket, if any.
func (a *app) toWorkspace(ctx context.Context, conversation string, m parley.Message) {
	for _, c := range a.desk.Queue() {
		if c.Ticket.ConversationID != conversation {
			continue
		}
		// Sent: an error here must not make the Bot tell it again.
		if err := a.desk.Sent(ctx, c.Ticket.ID, m); err != nil && !errors.Is(err, escalation.ErrClosedTicket) {
			fmt.Fprintln(os.Stderr, "retention: workspace transcript:", err)
		}
	}
}

// toldWorkspace runs h and, while the conversation is with the agents
// (in the queue or with a person), copies what h told the customer into
// the ticket's thread: a STOP's confirmation, so that the agent knows the
// customer opted out (qa13 G48).
func (a *app) toldWorkspace(h parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if !escalation.HumanOwns(t) {
			return h.HandleTurn(ctx, w, t)
		}
		return h.HandleTurn(ctx, parley.ReplyFunc(func(ctx context.Context, m parley.Message) error {
			if err := w.Reply(ctx, m); err != nil {
				return err
			}
			a.toWorkspace(ctx, t.ConversationID, m)
			return nil
		}), t)
	})
}

// approvalText tells the customer what was decided.
func approvalText(p action.ApprovalRequest, approved bool, err error) string {
	what := p.Action
	if p.Action == actRefund {
		var args refundArgs
		if json.Unmarshal(p.Args, &args) == nil {
			what = fmt.Sprintf("refund of $%.2f on order %s", args.Amount, args.OrderID)
		}
	}
	switch {
	case !approved:
		return fmt.Sprintf("I'm sorry: we can't approve the %s. I'm here to talk through other options.", what)
	case err != nil:
		return fmt.Sprintf("Your %s was approved, but it didn't go through on our side. I'll sort it out and get back to you here.", what)
	}
	return fmt.Sprintf("Good news: your %s is approved and on its way. It takes 5-10 business days to show.", what)
}
