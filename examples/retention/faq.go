package main

import (
	"context"
	"strconv"
	"strings"
	"unicode"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/nlu"
)

// faq is the shop's help-centre content. The bot answers questions from it
// (also in the middle of a form) and says it will check with a specialist
// when none of it fits. Spanish phrasings find the same articles, whose
// answers es.yaml translates.
func faq() []kb.Doc {
	const src, url = "ShopCo help centre", "https://shop.example/help"
	return []kb.Doc{
		{ID: "shipping-time", Question: "How long does shipping take?",
			Phrasings: []string{"When will my order be delivered?", "What are the delivery times?", "How fast is delivery?", "How long does delivery take?", "¿Cuánto tarda el envío?", "¿Cuánto tarda la entrega?", "¿Cuándo llega mi pedido?", "plazos de entrega"},
			Text:      "Standard shipping takes 2-4 business days in the US and 5-10 internationally. Express orders placed before 2pm ship the same day.",
			Source:    src, URL: url + "#shipping"},
		{ID: "shipping-cost", Question: "How much does shipping cost?",
			Phrasings: []string{"Is shipping free?", "What are the delivery fees?", "Shipping price", "When is shipping free?", "¿Cuánto cuesta el envío?", "¿Cuál es el precio del envío?", "¿El envío es gratis?", "gastos de envío", "costo de envío"},
			Text:      "Shipping is free on orders over $50; below that it's a flat $4.95. Express shipping is $12.",
			Source:    src, URL: url + "#shipping"},
		{ID: "international", Question: "Do you ship internationally?",
			Phrasings: []string{"Can you deliver abroad?", "Do you ship to Canada or Europe?", "Shipping to Canada", "¿Hacen envíos internacionales?", "¿Envían al extranjero?", "envío a Canadá"},
			Text:      "Yes, we ship to 40 countries, Canada and most of Europe included. International shipping is a flat $14.95, free on orders over $100; duties are calculated at checkout, so there are no surprises on delivery.",
			Source:    src, URL: url + "#international"},
		{ID: "return-policy", Question: "What is your return policy?",
			Phrasings: []string{"How many days do I have to return something?", "Can I return an item?", "Is return shipping free?", "Do you have a money-back guarantee?", "Return window", "¿Cuál es la política de devoluciones?", "¿Tienen garantía de devolución del dinero?", "¿Puedo devolver un artículo?", "plazo de devolución", "¿Cuántos días tengo para devolver algo?", "¿La devolución es gratis?"},
			Text:      "You can return any unused item within 30 days of delivery. Return shipping is free: start the return in chat or in your account and print the label.",
			Source:    src, URL: url + "#returns"},
		{ID: "refund-time", Question: "How long does a refund take?",
			Phrasings: []string{"When will I get my money back?", "How long until my refund arrives?", "¿Cuánto tarda un reembolso?", "¿Cuándo me devuelven el dinero?"},
			Text:      "Refunds are issued as soon as we approve them and take 5-10 business days to show on your statement.",
			Source:    src, URL: url + "#refunds"},
		{ID: "payment", Question: "Which payment methods do you accept?",
			Phrasings: []string{"Can I pay with PayPal?", "Do you take Apple Pay?", "Do you take credit cards?", "¿Qué formas de pago aceptan?", "métodos de pago", "¿Puedo pagar con PayPal?", "¿Aceptan tarjeta de crédito?"},
			Text:      "We accept Visa, Mastercard, American Express, PayPal and Apple Pay.",
			Source:    src, URL: url + "#payment"},
		{ID: "plans", Question: "What plans do you have?",
			Phrasings: []string{"Monthly or annual plan?", "What's the difference between monthly and annual?", "Is the annual plan cheaper?", "Annual plan price", "Plus plan prices",
				"How much is Plus?", "How much is the annual plan?", "Why is Plus so expensive?", "Is Plus worth the price?",
				"¿Qué planes tienen?", "¿Cuánto cuesta el plan anual?", "¿Qué diferencia hay entre el plan mensual y el anual?",
				"¿Cuánto cuesta Plus?", "¿Cuál es el precio del plan anual?", "¿Por qué es tan caro Plus?", "¿Vale la pena Plus?"},
			Text:   "Plus is $12 a month, or $115 a year on the annual plan, which saves 20%. Both include priority support and members' prices, and you can switch or cancel any time before your renewal date.",
			Source: src, URL: url + "#plans"},
		{ID: "hours", Question: "What are your opening hours?",
			Phrasings: []string{"When is customer service available?", "Are you open on weekends?", "Are you open on Sunday?", "¿Cuál es su horario?", "¿A qué hora abren?", "¿Abren los fines de semana?", "¿Abren el domingo?", "¿Están abiertos los domingos?", "horario de atención"},
			Text:      "This assistant is here 24/7. Our team answers Monday to Friday, 8am-8pm, and Saturday 10am-4pm (Eastern).",
			Source:    src, URL: url + "#contact"},
	}
}

// newHelpCentre indexes the help centre. It is asked in English and
// Spanish: Spanish "el", "del" and "muy" are stop words as "the" and
// "of" are.
func newHelpCentre() (*kb.Index, error) {
	words, err := kb.ForLanguage("en", "es")
	if err != nil {
		return nil, err
	}
	idx, err := kb.NewIndex(kb.WithAnalyzer(words), kb.WithSynonyms(synonyms()...))
	if err != nil {
		return nil, err
	}
	if err := idx.Add(faq()...); err != nil {
		return nil, err
	}
	return idx, nil
}

// synonyms are the words and phrases the shop's customers use for the
// same thing, in English and Spanish: "what is your refund policy?" is
// answered by the return policy, "¿cuál es el precio del envío?" by what
// shipping costs.
func synonyms() [][]string {
	return [][]string{
		{"refund", "return", "money back", "reembolso", "devolución", "devolver", "dinero"},
		{"cost", "price", "how much", "fee", "cuánto cuesta", "precio", "tarifa"},
		{"shipping", "delivery", "envío", "entrega"},
	}
}

// helpCentreConfident is the retrieval confidence at which a message the
// intents could not place is answered from the help centre
// (helpCentreFirst): above the answerer's own threshold (0.4), since the
// customer may not have asked the help centre anything.
const helpCentreConfident = 0.5

// faqIntent is the intent of a message that the help centre, not the
// intent model, understood; the router sends it to the answers.
const faqIntent = "faq"

// helpCentreFirst reads a message that the intent model could not place
// ("retrun polcy" at the menu, which got "Please pick one of the
// options", and "política de reembolso", which the intents find
// ambiguous) as a question for the help centre when the help centre
// answers it confidently, or two of its entries answer it about as well
// (nearTie): the router then sends it to the answers and asks an open
// menu again. Below that confidence, and at any question
// but the menu, nothing changes (helpCentreMayTake).
func helpCentreFirst(r kb.Retriever) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			u, ok := parley.Value(t, nlu.UnderstandingKey)
			if !ok || u.Status == nlu.Understood || t.Signal != nil || !helpCentreMayTake(t) {
				return next.HandleTurn(ctx, w, t)
			}
			hits, err := r.Retrieve(ctx, t.Text(), 2)
			if err != nil || len(hits) == 0 || (hits[0].Confidence < helpCentreConfident && !nearTie(hits)) {
				// A failed search is the answers' to report, if
				// the message goes there.
				return next.HandleTurn(ctx, w, t)
			}
			u.Status, u.Intent = nlu.Understood, nlu.Intent{Name: faqIntent, Confidence: hits[0].Confidence}
			return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
		})
	}
}

// nearTie reports whether two entries answer most of a question about as
// well ("shipping info": what it costs, or international shipping); the
// answers then ask which one the customer meant (kbbot's clarifying
// question), which beats asking them to say it another way.
func nearTie(hits []kb.Hit) bool {
	return len(hits) > 1 && hits[0].Confidence > 0 && hits[0].Confidence < answersConfident &&
		hits[1].Confidence >= helpCentreConfident
}

// answersConfident is the answers' threshold (kb.NewAnswerer's default):
// at or above it they answer with the best entry, and a near tie is no
// reason to send a message there ("mi reembolso del pedido" got when an
// order arrives, at 0.43).
const answersConfident = 0.4

// helpCentreMayTake reports whether the help centre may read t before
// the open question's owner: only at the menu (the main menu, or the
// router's own menu or clarifying question) or with no question open. A
// command is not a question, a form's questions and confirmations read
// their own answers ("no, make it 20 euros"), and the menu keeps the
// options it offers ("2", "Renew my plan").
func helpCentreMayTake(t *parley.Turn) bool {
	if _, cmd := parley.Value(t, dialog.CommandKey); cmd || len(strings.FieldsFunc(t.Text(), notLetter)) < 2 {
		return false // a command, or too short to be about anything: "20", "yes"
	}
	q, open := dialog.OpenQuestion(t)
	if !open {
		return true
	}
	if !isMenu(q) { // ack.go
		return false
	}
	text := strings.TrimSpace(t.Text())
	for i, o := range q.Options {
		if strings.EqualFold(text, o.Title) || strings.EqualFold(text, o.Payload) || text == strconv.Itoa(i+1) {
			return false
		}
	}
	return true
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) }
