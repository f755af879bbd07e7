package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/nlu"
)

// Cancelling an order. An order that has not left the warehouse can be
// cancelled in the chat, through the action registry like every change
// (confirmation first, budgets, audit), and what was paid for it goes back
// at once: a cancellation before shipping is the shop's own policy, not a
// goodwill refund, so it needs no teammate's OK whatever the amount. A
// shipped or delivered order cannot be cancelled; the customer is told
// how to send it back instead.

// actCancelOrder is the registry's name for cancelling an order.
const actCancelOrder = "cancel_order"

// errCannotCancel refuses to cancel an order that has left the warehouse.
var errCannotCancel = errors.New("shop: order has left the warehouse")

// CancelOrder cancels an order that has not shipped and refunds what is
// left to refund on it.
func (s *shop) CancelOrder(_ context.Context, id string) (order, error) {
	return s.changeUnshipped(id, errCannotCancel, func(o *order) {
		o.Status = "cancelled"
		if o.Refunded < o.PaidUSD {
			o.Refunded, o.RefundedAt = o.PaidUSD, time.Now()
		}
	})
}

// cancelOrderDef is the registry's definition of cancel_order.
func cancelOrderDef(s *shop) action.Def[orderArgs, orderView] {
	return action.Def[orderArgs, orderView]{
		Name: actCancelOrder, Description: "Cancel one of the customer's orders that has not shipped yet; what was paid for it is refunded.",
		Writes: true, PerConversation: 2, PerCustomerDay: 3,
		Check: func(ctx context.Context, a orderArgs) error {
			o, err := s.ownOrder(ctx, a.OrderID)
			if err != nil {
				return err
			}
			if o.Status != "processing" {
				return fmt.Errorf("%w: order %s is %s", errCannotCancel, o.ID, o.Status)
			}
			return nil
		},
		Describe: func(a orderArgs) string {
			return fmt.Sprintf("To confirm: cancel order %s and refund what you paid for it to your original payment method?", a.OrderID)
		},
		Run: func(ctx context.Context, a orderArgs) (orderView, error) {
			o, err := s.CancelOrder(ctx, a.OrderID)
			return orderView{ID: o.ID, Item: o.Item, Status: o.Status, Paid: o.PaidUSD, Refunded: o.Refunded}, err
		},
	}
}

// cancelOrderFlow cancels an order: it looks the order up, says what
// cancelling means (the item and the amount refunded) and asks before
// doing it. A shipped or delivered order is not cancelled: the customer
// learns how to return it.
func cancelOrderFlow(d deps) *flow.Builder {
	cancel := func(confirmed bool) func(ctx context.Context, s *flow.Scope) (string, error) {
		return func(ctx context.Context, s *flow.Scope) (string, error) {
			return d.run(ctx, s, actCancelOrder, orderArgs{OrderID: s.Slot("order")}, confirmed)
		}
	}
	failed := []string{"That didn't work on our side, and nothing was cancelled."}
	return flow.New("cancel_order").Slots("item", "paid", "prompt", "why", "retried").Add(
		&flow.Ask{ID: "order", Slot: "order", Entity: "order_id", Prompt: []string{"Which order would you like to cancel? The number starts with A-."},
			ResumeText: "Back to cancelling your order.", Validate: validOrder, OnFail: "end", Next: "lookup"},
		&flow.Action{ID: "lookup", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			o, route, err := d.lookupStep(ctx, s)
			if route != "" || err != nil {
				return route, err
			}
			s.SetSlot("item", o.itemIn(s.Turn.Locale))
			s.SetSlot("paid", fmt.Sprintf("%.2f", o.Paid-o.Refunded))
			switch o.Status {
			case "processing":
				return "", nil
			case "cancelled", "delivered":
				return o.Status, nil
			}
			return "shipped", nil
		}, Routes: map[string]string{"retry": "retry", "missing": "missing", "refused": "refused", "cancelled": "was_cancelled", "delivered": "delivered", "shipped": "shipped"},
			Next: "ask", OnError: "end", ErrorText: []string{"I can't reach our order system right now, so I can't cancel anything; please try again in a little while."}},
		retryOrder(),
		reaskOrder(),
		notFound(),
		// The registry refuses what its checks forbid before anyone is
		// asked; the question itself names the item and the amount.
		&flow.Action{ID: "ask", Do: cancel(false), Routes: map[string]string{"confirm": "confirm", "refused": "refused", "already": "already"},
			Next: "cancelled", OnError: "end", ErrorText: failed},
		&flow.Ask{ID: "confirm", Slot: "confirm", Type: flow.YesNoSlot, ResumeText: "Back to cancelling your order.",
			Prompt: []string{"To confirm: cancel order {{slots.order}} ({{slots.item}}) and refund ${{slots.paid}} to your original payment method?"}, Next: "go"},
		&flow.Branch{ID: "go", Cases: []flow.Case{{Expr: `slots.confirm == "yes"`, Next: "cancel"}}, Else: "kept"},
		&flow.Say{ID: "kept", Text: []string{"OK, I haven't cancelled anything: the order goes ahead as planned."}, Next: "done"},
		&flow.Action{ID: "cancel", Do: cancel(true), Routes: map[string]string{"refused": "refused", "already": "already"},
			Next: "cancelled", OnError: "end", ErrorText: failed},
		&flow.Say{ID: "cancelled", Text: []string{"Done: order {{slots.order}} is cancelled, and ${{slots.paid}} is on its way back to your original payment method. It takes 5-10 business days to show."}, Next: "done"},
		&flow.Say{ID: "shipped", Text: []string{`Your {{slots.item}} ({{slots.order}}) has already shipped, so it can't be cancelled any more. Once it arrives you can send it back for free within 30 days: type "return {{slots.order}}" and I'll start the return.`}, Next: "done"},
		&flow.Say{ID: "delivered", Text: []string{`Your {{slots.item}} ({{slots.order}}) has already been delivered, so there's nothing to cancel. You can send it back for free within 30 days of delivery: type "return {{slots.order}}" and I'll start the return.`}, Next: "done"},
		&flow.Say{ID: "was_cancelled", Text: []string{"Order {{slots.order}} is already cancelled; what you paid for it went back to your original payment method."}, Next: "done"},
		&flow.Say{ID: "refused", Text: []string{"{{slots.why}}"}, Next: "done"},
		&flow.Say{ID: "already", Text: []string{"{{slots.why}}"}, Next: "done"},
		&flow.Call{ID: "done", Flow: "feedback", Next: "end"},
		&flow.End{ID: "end", Status: flow.Resolved},
	)
}

// cancelOrderRequest reads a message that asks to cancel an order
// ("cancel my order A-1010", "I ordered by mistake, please cancel the
// order", "cancela mi pedido", "cancel the blanket", "cancela la manta")
// as the cancel_order intent, whatever the classifier guessed: it read
// them as order status ("is processing", the worst answer to "cancel"),
// or, for an order named by its item, as the plan's cancellation (qa13
// G36). A word rule, not training data: an intent trained beside
// track_order took "my order never came" and "you charged me twice for
// my order" from it, and "I want to cancel" from the plan. The item's
// order is the order_id entity orderRefs (followup.go) adds before.
func cancelOrderRequest(s *shop) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if t.Signal == nil && asksToCancelOrder(t.Text(), s != nil && s.orderNamed(t.CustomerID, t.Locale, t.Text()) != "") {
				u, _ := parley.Value(t, nlu.UnderstandingKey)
				u.Status, u.Intent, u.Then = nlu.Understood, nlu.Intent{Name: "cancel_order", Confidence: 1}, nil
				t = parley.With(t, nlu.UnderstandingKey, u)
			}
			return next.HandleTurn(ctx, w, t)
		})
	}
}

// Words of asksToCancelOrder, lower case without accents.
var (
	cancelVerbs = map[string]bool{"cancel": true, "cancellation": true, "cancelar": true, "cancela": true, "cancelalo": true,
		"cancelarlo": true, "cancelame": true, "cancelen": true, "anula": true, "anular": true, "anulalo": true, "anularlo": true}
	orderWords = map[string]bool{"order": true, "orders": true, "pedido": true, "pedidos": true, "compra": true}
	// planWords make it another request: "cancel my plan".
	planWords = map[string]bool{"plan": true, "subscription": true, "membership": true, "renewal": true, "suscripcion": true}
	// negations before the verb too: "don't cancel my order".
	negations = map[string]bool{"dont": true, "not": true, "no": true, "never": true, "nunca": true}
)

// asksToCancelOrder reports whether text asks to cancel an order: a
// cancel verb (not "cancelled": "my order was cancelled" is news, not a
// request) with an order number, the word order or, when named is true,
// the item of one of the customer's orders ("cancel the blanket"), no
// plan, and no negation just before the verb.
func asksToCancelOrder(text string, named bool) bool {
	verb, order := false, named || orderPattern.MatchString(text)
	// Words, and "," for any punctuation between them: "no, cancel it"
	// is no negation of "cancel".
	words := strings.Fields(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == 'ñ':
			return r
		case r == ',' || r == '.' || r == ';' || r == ':' || r == '!' || r == '?':
			return ','
		}
		return ' '
	}, strings.NewReplacer(",", " , ", ".", " . ", ";", " ; ", ":", " : ", "!", " ! ", "?", " ? ").Replace(
		foldAccents.Replace(strings.ToLower(text)))))
	for i, w := range words {
		switch {
		case planWords[w]:
			return false
		case slipOf(w, cancelVerbs, false):
			if i > 0 && negations[words[i-1]] {
				return false
			}
			verb = true
		case slipOf(w, orderWords, true):
			order = true
		}
	}
	return verb && order
}

// slipOf reports whether w is one of words, or a misspelling of one the
// Spanish speller corrects ("pedidio", "canselar"; see spelling.go), or,
// with slips, one slip from a word of five letters or more ("oder").
// Verbs take no slips: "cancelado" is one from "cancelalo".
func slipOf(w string, words map[string]bool, slips bool) bool {
	if words[w] || words[foldWord(spanishSpeller().word(w))] {
		return true
	}
	if !slips || len(w) < 5 {
		return false
	}
	for k := range words {
		if len(k) >= 5 && slipAway(w, k) {
			return true
		}
	}
	return false
}
