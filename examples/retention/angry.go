package main

import (
	"context"
	"slices"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/sentiment"
)

// Upset customers who also ask for something. "wtf is going on with my
// shirt, useless service" is a request said in anger: the intent model,
// thrown by the swearing, cannot place it, and it got "Tell me what went
// wrong" and an offer of a person, but not the shirt's status (QA12 F5).
// The escalation policy says one word of empathy; the request is served.

// requestIntents are the requests an upset message that names one of
// the customer's orders is read as, when the intent model ranks one of
// them among its first three guesses: where the order is, or its refund.
var requestIntents = map[string]bool{"track_order": true, "refund": true, "refund_status": true, "return_item": true}

// servedInAnger reads an upset message that the intent model could not
// place (unsure, out of scope), outside a form's question, and that names
// one of the customer's orders (by number, or by its item: orderRefs
// found it) as the request about that order the model ranked highest
// among its first three guesses. The escalation middleware after it then
// says sorry once, and the request is answered (where the shirt is);
// the offer of a person waits for that answer's question ("Was this
// helpful?"). It goes after the sentiment middleware, whose mood it
// reads, and before escalation.
//
// It also notes the turn's text for the turn the escalator passes on
// after an offer of a person was declined, which carries no message
// (plainNo).
func servedInAnger(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal == nil {
			t = parley.With(t, saidKey, t.Text())
		}
		u, ok := parley.Value(t, nlu.UnderstandingKey)
		if !ok || t.Signal != nil || u.Status != nlu.Unsure && u.Status != nlu.OutOfScope || !hasEntity(u, "order_id") || !upset(t) {
			return next.HandleTurn(ctx, w, t)
		}
		if billingDispute != nil && billingDispute.Match(&escalation.Input{Turn: t, Text: t.Text(), Understanding: u, HasUnderstanding: true}) {
			// "I was charged twice for order A-1010" is a billing
			// dispute, not a question about where the order is: the
			// escalation policy offers a person for it.
			return next.HandleTurn(ctx, w, t)
		}
		if _, cmd := parley.Value(t, dialog.CommandKey); cmd {
			return next.HandleTurn(ctx, w, t)
		}
		if q, open := dialog.OpenQuestion(t); open && q.Policy == dialog.Resume {
			return next.HandleTurn(ctx, w, t) // a form's answer
		}
		i := slices.IndexFunc(u.Ranked[:min(len(u.Ranked), 3)], func(in nlu.Intent) bool { return requestIntents[in.Name] })
		if i < 0 {
			return next.HandleTurn(ctx, w, t)
		}
		u.Status, u.Intent = nlu.Understood, nlu.Intent{Name: u.Ranked[i].Name, Confidence: u.Ranked[i].Confidence}
		return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
	})
}

// billingDispute is the condition of the default escalation rule
// "billing dispute" (charged twice, a chargeback, ...).
var billingDispute = func() escalation.Condition {
	for _, r := range escalation.DefaultRules() {
		if r.Name == "billing dispute" {
			return r.When
		}
	}
	return nil
}()

// saidKey holds the text of the customer's message, for the signal turn
// that follows it in the same turn (a declined offer of a person).
var saidKey = parley.NewKey[string]("example.said")

// plainNo reports whether the message of t's turn (saidKey) was a plain
// no ("no", "No, thanks"), rather than a "never mind" that drops the
// matter: only a plain no to a person is followed by asking what went
// wrong (askAfterDecline, plans.go).
func plainNo(t *parley.Turn) bool {
	text, ok := parley.Value(t, saidKey)
	return ok && (text == "handoff:no" || noWords[foldAck(text)]) // ack.go
}

// upset reports whether t reads as an unhappy customer's: its mood is
// negative, or it has words of a complaint the mood may miss.
func upset(t *parley.Turn) bool {
	if complaintPattern.MatchString(t.Text()) { // plans.go
		return true
	}
	m, ok := parley.Value(t, nlu.MoodKey)
	return ok && m.Label == string(sentiment.Negative)
}

// damagedSorry is the word of empathy for an item that arrived damaged.
const damagedSorry = "I'm sorry it arrived damaged: that shouldn't happen."

// damagedAtForm is the escalation rule for a damaged item mentioned
// while a form asks for a value ("it arrived broken" at "How much should
// I refund for the Walnut desk lamp?"): the escalator says sorry for the
// damage, not the general "I'm sorry this has been frustrating", and the
// form asks its question again (the escalator gives the offer of a
// person way to it, as a line on how to ask for one). Outside a form,
// the damaged-item flow says sorry for it itself (care.go).
func damagedAtForm() escalation.Rule {
	return escalation.Rule{Name: "damaged item", Action: escalation.Offer, Priority: dialog.PriorityHigh, Empathy: true, Sorry: damagedSorry,
		When: escalation.ConditionFunc(func(in *escalation.Input) bool {
			if in.Turn == nil || in.Command != "" {
				return false
			}
			q, open := dialog.OpenQuestion(in.Turn)
			if !open || q.Owner != flow.DefaultOwner || q.Policy != dialog.Resume || len(q.Options) > 0 {
				return false
			}
			text := unpunctuated(in.Text)
			return saysAny(text, damageWords) && saysAny(text, arrivalWords) // care.go
		})}
}

// escalationRules are the example's escalation rules: the default ones,
// with a damaged item at a form's question read before the general
// frustration, then the example's own.
func escalationRules(extra ...escalation.Rule) []escalation.Rule {
	var rules []escalation.Rule
	for _, r := range escalation.DefaultRules() {
		if r.Name == "frustrated" {
			rules = append(rules, damagedAtForm())
		}
		rules = append(rules, r)
	}
	return append(rules, extra...)
}
