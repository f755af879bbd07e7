package main

import (
	"slices"
	"strings"

	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/memory"
)

// lowRatingReplies open the escalator's answer to a rating of 1 or 2, in
// the languages the bot speaks (es.yaml).
var lowRatingReplies = []string{"I'm sorry we let you down.", "Siento que no hayamos estado a la altura."}

// unhappyAfterRating is the rule for a customer who rated the help 1 or
// 2 and then says something the bot does not understand ("you never even
// said anything"): a person is offered at once, with a word of empathy.
// It got "Sorry, I didn't quite get that" (QA9 F57): a detractor is the
// churn signal a retention bot exists for.
func unhappyAfterRating() escalation.Rule {
	return escalation.Rule{Name: "unhappy after a low rating", Action: escalation.Offer, Priority: dialog.PriorityHigh, Empathy: true,
		When: escalation.ConditionFunc(func(in *escalation.Input) bool {
			return in.NotUnderstood > 0 && in.Turn != nil && lastBotSaid(in.Turn.Session(), lowRatingReplies)
		})}
}

// lastBotSaid reports whether the bot's last message before the
// customer's current one starts with one of prefixes.
func lastBotSaid(s *memory.Session, prefixes []string) bool {
	text, ok := lastBotMessage(s)
	return ok && slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(text, p) })
}

// lastBotMessage returns the bot's last message before the customer's
// current one, if the customer wrote nothing else since.
func lastBotMessage(s *memory.Session) (string, bool) {
	if s == nil {
		return "", false
	}
	customer := false
	for i := len(s.History) - 1; i >= 0; i-- {
		switch e := s.History[i]; e.Role {
		case memory.RoleUser:
			if customer {
				return "", false // two customer messages: the bot's was earlier
			}
			customer = true
		case memory.RoleBot:
			return e.Text, true
		}
	}
	return "", false
}
