package main

import (
	"context"
	"strings"
	"unicode"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// ackText answers a lone acknowledgement.
const ackText = "Glad that helped! Anything else?"

// ackWords are what a customer types to acknowledge an answer, folded
// (lower case, no punctuation, emoji without skin tone). "thanks" is
// not one: the "thanks" intent answers it ("You're welcome!").
var ackWords = map[string]bool{
	"👍": true, "👌": true, "✅": true, "✔": true, "🙂": true, "😊": true, "🙌": true, "👏": true,
	"ok": true, "okay": true, "k": true, "kk": true, "ok cool": true, "okay cool": true, "ok great": true, "ok perfect": true,
	"great": true, "perfect": true, "cool": true, "nice": true, "awesome": true, "excellent": true, "got it": true, "good": true,
	"vale": true, "genial": true, "perfecto": true, "estupendo": true, "entendido": true, "de acuerdo": true, "bien": true, "muy bien": true,
	"vale genial": true, "vale perfecto": true,
}

// foldAck folds s the way ackWords are written.
func foldAck(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\uFE0F' || r >= 0x1F3FB && r <= 0x1F3FF { // presentation selector, skin tones
			return -1
		}
		return r
	}, strings.ToLower(s))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) }), " ")
}

// acknowledge answers a lone "👍", "ok" or "great" that answers no
// question: after an answer, with nothing asked, or at the menu (whose
// options it picks none of). It got "Sorry, I didn't quite get that"
// and, twice, an offer of a person; at the menu "Please pick one of the
// options". A question that takes a yes (Was this helpful?, an offer of
// a person, a confirmation) or a form's question still gets the turn:
// there "👍" is a yes, or a form's answer to check.
//
// Before anything was answered ("hi", then "ok" at the menu; "ok" as a
// first message) there is nothing to be glad about: the customer gets
// the menu. A lone "no" with no question open gets "No problem." and
// the menu before anything was answered (it got "Sorry, I didn't quite
// get that"), and the router's "No problem. I'm here whenever you need
// me." after an answer.
//
// asking reports whether something outside the dialog's questions waits
// for the customer's answer (the assistant's confirmation): "no" and "ok"
// are then its answer.
func acknowledge(asking func(t *parley.Turn) bool) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return acknowledged(next, asking)
	}
}

func acknowledged(next parley.Handler, asking func(t *parley.Turn) bool) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal != nil || len(t.Message.Attachments) > 0 || asking(t) {
			return next.HandleTurn(ctx, w, t)
		}
		if _, cmd := parley.Value(t, dialog.CommandKey); cmd {
			return next.HandleTurn(ctx, w, t)
		}
		word := foldAck(t.Text())
		q, open := dialog.OpenQuestion(t)
		switch {
		case noWords[word] && !open:
			if answeredBefore(t) {
				if err := dialog.Report(t, dialog.Served); err != nil {
					return err
				}
				return w.Reply(ctx, parley.Text(declinedText))
			}
			if err := w.Reply(ctx, parley.Text(noProblemText)); err != nil {
				return err
			}
			return next.HandleTurn(ctx, w, parley.With(t, dialog.CommandKey, dialog.CommandMenu))
		case yesWords[word] && !open:
			// A "yes" to no question: to the bot's pointer to a person
			// ('type "human" whenever you'd like one') it asks for one;
			// otherwise ("Anything else?") it wants the menu. It got
			// "Sorry, I didn't quite get that".
			c := dialog.CommandMenu
			if text, ok := lastBotMessage(t.Session()); ok && pointsToPerson(text) { // detractor.go
				c = dialog.CommandHuman
			}
			return next.HandleTurn(ctx, w, parley.With(t, dialog.CommandKey, c))
		case !ackWords[word] || open && !isMenu(q):
			return next.HandleTurn(ctx, w, t)
		case !answeredBefore(t):
			// Nothing to acknowledge yet: what the bot can do.
			return next.HandleTurn(ctx, w, parley.With(t, dialog.CommandKey, dialog.CommandMenu))
		}
		if err := dialog.Report(t, dialog.Resolved); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text(ackText))
	})
}

// Replies to a lone "no" with no question open: before anything was
// answered (the menu follows), and after an answer.
const (
	noProblemText = "No problem."
	declinedText  = "No problem. I'm here whenever you need me."
)

// noWords are a lone "no", folded as ackWords are.
var noWords = map[string]bool{
	"no": true, "nope": true, "nah": true, "no thanks": true, "no thank you": true, "not really": true, "no gracias": true, "no no": true,
}

// yesWords are a lone "yes", folded as ackWords are.
var yesWords = map[string]bool{
	"yes": true, "yeah": true, "yep": true, "yes please": true, "sure": true, "ok yes": true, "yes i would": true, "please": true,
	"sí": true, "si": true, "sí por favor": true, "si por favor": true, "claro": true, "vale sí": true,
}

// pointsToPerson reports whether a message of the bot tells the customer
// how to get a person ('type "human"', 'escribe "humano"').
func pointsToPerson(text string) bool {
	return strings.Contains(text, `"human"`) || strings.Contains(text, `"humano"`) || strings.Contains(text, `"agente"`)
}

// answeredKey notes in the conversation that the bot has answered
// something (a question, a lookup, a request done): a lone "ok" after it
// acknowledges the answer.
var answeredKey = memory.NewStateKey[bool]("example.answered")

// noteAnswered notes, after each turn, whether the bot answered
// something in it: the turn was resolved or answered (the menu may
// follow), or served without asking the menu (a greeting, "menu") or a
// form's question (a request just begun). A global command, a lone
// "no" (declining the menu), a greeting, thanks or goodbye answer
// nothing.
func noteAnswered(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if err := next.HandleTurn(ctx, w, t); err != nil {
			return err
		}
		s := t.Session()
		if s == nil || t.Signal != nil {
			return nil
		}
		if done, _, _ := answeredKey.Get(s); done {
			return nil
		}
		if _, cmd := parley.Value(t, dialog.CommandKey); cmd || noWords[foldAck(t.Text())] {
			return nil
		}
		if u, ok := parley.Value(t, nlu.UnderstandingKey); ok && u.Status == nlu.Understood && len(u.Then) == 0 &&
			(u.Intent.Name == "greeting" || u.Intent.Name == "thanks" || u.Intent.Name == "goodbye") {
			return nil
		}
		switch o, _ := dialog.TurnOutcome(t); o {
		case dialog.Answered, dialog.Resolved:
		case dialog.Served:
			if q, open := dialog.OpenQuestion(t); open && dialog.AskedThisTurn(t) && (isMenu(q) || q.Policy == dialog.Resume) {
				return nil
			}
		default:
			return nil
		}
		return answeredKey.Set(s, true)
	})
}

// answeredBefore reports whether the bot answered something earlier in
// this conversation (noteAnswered): a lone "ok" that opens a
// conversation, or follows only the greeting, acknowledges nothing, and
// "Glad that helped!" there reads as a bot that did not listen.
func answeredBefore(t *parley.Turn) bool {
	s := t.Session()
	if s == nil {
		return false
	}
	done, _, _ := answeredKey.Get(s)
	return done
}

// isMenu reports whether q is the main menu: the menu flow's choice or
// the router's own.
func isMenu(q dialog.Question) bool {
	return q.Owner == intent.DefaultOwner || q.Owner == flow.DefaultOwner && strings.HasPrefix(q.ID, "menu/")
}

// thanksWords are a lone "thanks" in the languages the bot speaks,
// folded as ackWords are.
var thanksWords = map[string]bool{
	"thanks": true, "thank you": true, "thanks a lot": true, "thank you so much": true, "thx": true, "ty": true, "cheers": true, "many thanks": true,
	"gracias": true, "muchas gracias": true, "mil gracias": true, "gracias de nuevo": true, "ok gracias": true, "vale gracias": true,
}

// thanksAnyLanguage reads a lone thanks the understander did not place as
// thanks: "gracias" at the English menu, whose language the one word does
// not change, got "Please pick one of the options"; after an answer,
// "Sorry, I didn't quite get that". It is thanked in the conversation's
// language.
func thanksAnyLanguage(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u, ok := parley.Value(t, nlu.UnderstandingKey)
		if t.Signal != nil || !ok || u.Status == nlu.Understood || !thanksWords[foldAck(t.Text())] {
			return next.HandleTurn(ctx, w, t)
		}
		u.Status, u.Intent, u.Then, u.Ranked = nlu.Understood, nlu.Intent{Name: "thanks", Confidence: 1}, nil, nil
		return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
	})
}
