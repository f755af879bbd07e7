package main

import (
	"context"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
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
