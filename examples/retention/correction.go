package main

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/nlu"
)

// correctionWords mark a message that corrects which order a form is
// about ("wait no, not the shirt, I meant the lamp", "actually it's for
// the shirt, not the blanket", "no, quería decir la lámpara", "no, mejor
// la lámpara", "sorry, the lamp").
var correctionWords = regexp.MustCompile(`(?i)\b(?:i meant|meant|i mean|actually|instead|not the|wrong (?:order|item|one)|quer[ií]a decir|me equivoqu[eé]|en realidad|no es (?:la|el)|mejor|prefiero|quiero decir|perd[oó]n|rather|sorry|oops)\b`)

// notItem is a negated item ("not the shirt", "no la camisa"): the order
// the customer is moving away from.
var notItem = regexp.MustCompile(`(?i)\b(?:not|no)\s+(?:the\s+|my\s+|for the\s+|la\s+|el\s+|mi\s+)?\p{L}+`)

// correctedFlows are the forms about one order, by flow, with the intent
// that starts each (what the understanding says the corrected turn is).
var correctedFlows = map[string]string{"refund": "refund", "address": "change_address"}

// orderCorrection hands a correction of the order, said while a form
// about another order asks its question, to the form's own request with
// the order named (QA12 F4: "wait no, not the shirt, I meant the lamp"
// at the shirt's refund amount got empathy and the amount question
// again; F42 likewise at the new address).
func orderCorrection(s *shop, e *flow.Engine) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			text := t.Text()
			q, open := dialog.OpenQuestion(t)
			if !open || q.Owner != flow.DefaultOwner || len(text) > 200 {
				return next.HandleTurn(ctx, w, t)
			}
			name, _, _ := strings.Cut(q.ID, "/")
			in, ok := correctedFlows[name]
			u, uok := parley.Value(t, nlu.UnderstandingKey)
			if !ok || !uok || s == nil {
				return next.HandleTurn(ctx, w, t)
			}
			// The form's own request about another order ("refund for
			// the shirt please" at the lamp's amount) corrects it too.
			// So does a short answer that only names another order ("the
			// blanket one", "la manta").
			again := u.Status == nlu.Understood && u.Intent.Name == in
			short := len(strings.Fields(text)) <= 4 && !strings.ContainsFunc(text, unicode.IsDigit)
			if !again && !short && !correctionWords.MatchString(text) {
				return next.HandleTurn(ctx, w, t)
			}
			if u.Status == nlu.Understood && u.Intent.Name != in && orderIntents[u.Intent.Name] || asksWhereInstead(t) {
				return next.HandleTurn(ctx, w, t) // "actually, where is my blanket?": another request (orderRefs)
			}
			if _, named := u.Entity("order_id"); named {
				return next.HandleTurn(ctx, w, t) // a number: the flows know what to do with it
			}
			id := s.orderNamed(t.CustomerID, t.Locale, notItem.ReplaceAllString(text, " "))
			last, _, _ := lastOrderKey.Get(t.Session())
			if id == "" || id == last {
				return next.HandleTurn(ctx, w, t)
			}
			u.Status, u.Intent = nlu.Understood, nlu.Intent{Name: in, Confidence: 0.9}
			u.Entities = append(slices.Clone(u.Entities), nlu.Entity{Type: "order_id", Value: id, Confidence: 0.9})
			// The form about the other order ends without a word, and
			// starts again about this one.
			if err := e.Cancel("").HandleTurn(ctx, w, t); err != nil {
				return err
			}
			return e.Starter(name).HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
		})
	}
}
