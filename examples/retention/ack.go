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
func acknowledge(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal != nil || len(t.Message.Attachments) > 0 || !ackWords[foldAck(t.Text())] {
			return next.HandleTurn(ctx, w, t)
		}
		if q, open := dialog.OpenQuestion(t); open && !isMenu(q) || !answeredBefore(t) {
			return next.HandleTurn(ctx, w, t)
		}
		if err := dialog.Report(t, dialog.Resolved); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text(ackText))
	})
}

// answeredBefore reports whether the bot or a person said anything in
// this conversation before t: a lone "ok" that opens a conversation
// acknowledges nothing, and "Glad that helped!" there reads as a bot
// that did not listen.
func answeredBefore(t *parley.Turn) bool {
	s := t.Session()
	if s == nil {
		return false
	}
	for _, e := range s.History {
		if e.Role == memory.RoleBot || e.Role == memory.RoleAgent {
			return true
		}
	}
	return false
}

// isMenu reports whether q is the main menu: the menu flow's choice or
// the router's own.
func isMenu(q dialog.Question) bool {
	return q.Owner == intent.DefaultOwner || q.Owner == flow.DefaultOwner && strings.HasPrefix(q.ID, "menu/")
}
