package main

import (
	"context"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// helpText answers "help" in any state; the form's question follows.
const helpText = `I can track orders, start a return or refund, change a delivery address, book a call-back, renew your plan, or get you a person. Type "menu" to start over or "human" at any time.`

// helpAgainText answers "help" right after "help" when no form is open:
// the same paragraph again would read as a bot that did not listen, so
// the things it does come as buttons after a short lead.
const helpAgainText = "In short, tap one of these or tell me in your own words:"

// helpStuckText answers "help" right after "help" in the middle of a
// form: the customer is likely stuck on its question, which follows.
const helpStuckText = `Stuck on the question below? Answer it, type "cancel" to stop it, or "human" to talk to a person.`

// helpOptions are what the bot does, as buttons: tapping one sends its
// (English) title, which helpTaps reads as the request it names in any
// language.
var helpOptions = []parley.QuickReply{
	{Title: "Track my order"}, {Title: "Return or refund"}, {Title: "Change a delivery address"},
	{Title: "Book a call-back"}, {Title: "Renew my plan"}, {Title: "Talk to a human"},
}

// helpIntents are the requests helpOptions name.
var helpIntents = map[string]string{
	"Track my order": "track_order", "Return or refund": "refund", "Change a delivery address": "change_address",
	"Book a call-back": "callback", "Renew my plan": "renew_plan", "Talk to a human": "human",
}

// helpTaps reads a tap on one of the options "help" said again offered
// as the request it names: a Spanish conversation's tap sends the
// English title (the i18n middleware keeps the language), which the
// Spanish intents would not understand. It goes after the understander.
func helpTaps(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		name, ok := helpIntents[t.Text()]
		u, understood := parley.Value(t, nlu.UnderstandingKey)
		if s := t.Session(); ok && understood && s != nil && t.Signal == nil && u.Intent.Name != name {
			if at, helped, _ := helpedKey.Get(s); helped && s.Turns-at == 1 {
				u.Status, u.Intent, u.Then, u.Ranked = nlu.Understood, nlu.Intent{Name: name, Confidence: 1}, nil, nil
				t = parley.With(t, nlu.UnderstandingKey, u)
			}
		}
		return next.HandleTurn(ctx, w, t)
	})
}

// helpedKey holds the turn at which "help" was last answered.
var helpedKey = memory.NewStateKey[int]("example.helped")

// helpHandler answers "help": what the bot does, and the second time in
// a row something shorter. No question is opened (the options are
// suggestions, not the menu), so the question a form had open is asked
// again after it, and escalation's offer of a person after many turns
// without resolution, which waits for no question to be open, still
// comes (esc-unresolved).
func helpHandler() parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		s := t.Session()
		if s == nil {
			return w.Reply(ctx, parley.Text(helpText))
		}
		at, helped, err := helpedKey.Get(s)
		if err != nil {
			return err
		}
		if err := helpedKey.Set(s, s.Turns); err != nil {
			return err
		}
		if !helped || s.Turns-at != 1 {
			return w.Reply(ctx, parley.Text(helpText))
		}
		if q, open := dialog.OpenQuestion(t); open && isMenu(q) {
			// The menu would follow with fewer of the options: these
			// take its place.
			dialog.CloseQuestion(t)
		} else if open && q.Policy == dialog.Resume {
			return w.Reply(ctx, parley.Text(helpStuckText))
		}
		return w.Reply(ctx, parley.Message{Text: helpAgainText, QuickReplies: helpOptions})
	})
}
