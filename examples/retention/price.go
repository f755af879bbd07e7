package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/nlu"
)

// priceWords are a lone word asking what something costs, in the
// languages the bot speaks, folded as ackWords are.
var priceWords = map[string]bool{
	"price": true, "prices": true, "pricing": true, "cost": true, "costs": true, "price please": true,
	"precio": true, "precios": true, "coste": true, "costo": true, "costes": true, "tarifa": true, "tarifas": true,
}

// The clarifying question for a lone "price", and its options' payloads
// per language: the help centre's questions, in the customer's language
// (a payload is what a tap sends, and words in another language would
// switch the conversation's language).
const (
	priceQuestion = "Do you mean the price of shipping, or of our plans?"
	priceShipping = "Shipping costs"
	pricePlan     = "Plan prices"
)

var pricePayloads = map[string][2]string{
	"en": {"How much does shipping cost?", "How much is the plan?"},
	"es": {"¿Cuánto cuesta el envío?", "¿Cuánto cuesta el plan?"},
}

// askWhichPrice answers a message that is only "price" or "precio", with
// nothing asked or at the menu, with a question: the price of shipping,
// or of the plans? It got "Sorry, I didn't quite get that" (in English,
// to "precio"), and at the menu "Please pick one of the options". A
// form's question reads the word itself.
func askWhichPrice(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal != nil || !priceWords[foldAck(t.Text())] {
			return next.HandleTurn(ctx, w, t)
		}
		if _, cmd := parley.Value(t, dialog.CommandKey); cmd {
			return next.HandleTurn(ctx, w, t)
		}
		if q, open := dialog.OpenQuestion(t); open {
			if !isMenu(q) {
				return next.HandleTurn(ctx, w, t)
			}
			dialog.CloseQuestion(t) // the menu's options are not the answer
		}
		p, ok := pricePayloads[baseLanguage(t.Locale)]
		if !ok {
			p = pricePayloads["en"]
		}
		if err := dialog.Report(t, dialog.NotUnderstood); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Message{Text: priceQuestion, QuickReplies: []parley.QuickReply{
			{Title: priceShipping, Payload: p[0]}, {Title: pricePlan, Payload: p[1]},
		}})
	})
}

// baseLanguage returns the language of a locale: "es" for "es-MX".
func baseLanguage(locale string) string {
	if len(locale) > 2 {
		return locale[:2]
	}
	return locale
}

// paidWords ask what an order cost the customer ("how much was the
// lamp?", "what did I pay for it?", "¿cuánto costó la camisa?"), lower
// case without accents (saysAny).
var paidWords = []string{
	"how much was", "how much were", "how much did", "how much is the", "what did i pay", "what i paid", "how much i paid",
	"what was the price", "whats the price of", "what did it cost", "what was it",
	"cuanto costo", "cuanto me costo", "cuanto pague", "cuanto pago", "cuanto valio", "que precio tenia", "cuanto fue", "cuanto era",
}

// notPaidWords make a price question about something else: a refund's
// amount, shipping, the plans.
var notPaidWords = []string{
	"refund", "refunded", "refunds", "shipping", "delivery", "plan", "plus", "annual", "monthly", "basic", "subscription", "fee", "fees",
	"reembolso", "reembolsado", "reembolsaste", "envio", "entrega", "plan", "suscripcion",
}

// questionMarks blank out question marks, which saysAny would read as
// part of a word.
var questionMarks = strings.NewReplacer("?", " ", "¿", " ")

// orderPriceIntent is the intent of a question about what an order cost,
// which orderPrices finds and the router sends to priceOfOrder.
const orderPriceIntent = "order_price"

// orderPrices reads a question about what one of the customer's orders
// cost ("how much was the lamp?"; at the refund's amount question, "how
// much was it?") as that, with the order it is about: named, listed,
// or the one the conversation is about. It got the plans' prices, or
// "I'm not sure I have the right answer to that". A form's question is
// asked again after the answer, as after any question asked in passing.
func orderPrices(s *shop) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			u, ok := parley.Value(t, nlu.UnderstandingKey)
			text := t.Text()
			asked := questionMarks.Replace(text)
			if !ok || s == nil || t.CustomerID == "" || t.Signal != nil || len(strings.Fields(text)) > 12 ||
				!saysAny(asked, paidWords) || saysAny(asked, notPaidWords) {
				return next.HandleTurn(ctx, w, t)
			}
			id := ""
			if e, named := u.Entity("order_id"); named {
				id = e.Value
			} else if id = s.orderNamed(t.CustomerID, t.Locale, text); id == "" && pointsBack(text, true) {
				id, _, _ = lastOrderKey.Get(t.Session())
			}
			if id == "" {
				return next.HandleTurn(ctx, w, t)
			}
			u.Status, u.Intent = nlu.Understood, nlu.Intent{Name: orderPriceIntent, Confidence: 0.9}
			u.Entities = append(slices.DeleteFunc(slices.Clone(u.Entities), func(e nlu.Entity) bool { return e.Type == "order_id" }),
				nlu.Entity{Type: "order_id", Value: id, Confidence: 0.9})
			return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
		})
	}
}

// priceOfOrder answers what the order of the turn's understanding cost,
// and how much of it was refunded.
func priceOfOrder(s *shop) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u, _ := parley.Value(t, nlu.UnderstandingKey)
		e, _ := u.Entity("order_id")
		o, err := s.Order(ctx, e.Value)
		if err != nil || o.Customer != t.CustomerID {
			return w.Reply(ctx, parley.Text("I couldn't look that order up just now. Type \"human\" if you'd like a person to check."))
		}
		if q, open := dialog.OpenQuestion(t); !open || q.Policy != dialog.Resume || isMenu(q) {
			rememberOrder(t, o.ID) // "when will it arrive?" next is about it; a form keeps its own order
		}
		item := o.itemIn(t.Locale)
		var text string
		switch {
		case o.Refunded >= o.PaidUSD:
			text = fmt.Sprintf("Your %s (%s) was $%.2f, refunded in full.", item, o.ID, o.PaidUSD)
		case o.Refunded > 0:
			text = fmt.Sprintf("Your %s (%s) was $%.2f; $%.2f of it has been refunded.", item, o.ID, o.PaidUSD, o.Refunded)
		default:
			text = fmt.Sprintf("Your %s (%s) was $%.2f.", item, o.ID, o.PaidUSD)
		}
		return w.Reply(ctx, parley.Text(text))
	})
}
