package main

import (
	"context"
	"regexp"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
)

// sarcasticThanks matches thanks and praise that mean the opposite:
// "thanks for nothing", "great, just great", "wow, very helpful".
var sarcasticThanks = regexp.MustCompile(`(?i)^\W*(?:wow\W+|oh\W+|well\W+)?(?:` +
	`(?:thanks|thank you|cheers|ty)(?: (?:so much|a lot|very much))? for nothing|` +
	`(?:great|perfect|brilliant|wonderful|fantastic)\W+(?:just|really|simply)\W+(?:great|perfect|brilliant|wonderful|fantastic)|` +
	`(?:very|really|so|super) helpful(?: not)?\W*(?:not|/s|lol)|gracias por nada|muchas gracias por nada|` +
	`genial\W+(?:simplemente|justo|de verdad)\W+genial|` +
	// "oh great, very helpful, thanks a lot" (QA13 G9): praise of the
	// help after an "oh" or a "wow"; without one it may be meant.
	`(?:oh|wow|ah)\W+(?:great|brilliant|perfect|genial)\W+(?:very|really|so|super|muy)\W+(?:helpful|[uú]til)(?:\W+(?:thanks|thank you|gracias)(?: (?:so much|a lot|very much))?)?` +
	`)\W*$`)

// sarcasmText answers sarcastic thanks with nothing open to answer.
const sarcasmText = `Sorry I haven't been much help. Tell me what you still need, or type "human" and a person from our team will take over.`

// sarcasm keeps a sarcastic "thanks for nothing" from being thanked
// cheerfully ("Thanks for chatting. Have a great day!", QA9 F12): at a
// yes or no question ("Was this helpful?") it is the answer no; with
// nothing asked it gets an apology, and the turn counts as unresolved.
// It goes after the escalator, which sees the turn (its mood) all the
// same.
func sarcasm(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal != nil || !sarcasticThanks.MatchString(strings.TrimSpace(t.Text())) {
			return next.HandleTurn(ctx, w, t)
		}
		if q, open := dialog.OpenQuestion(t); open {
			for _, o := range q.Options {
				if strings.EqualFold(o.Title, "No") {
					t2 := *t
					t2.Message.Text = o.Value()
					return next.HandleTurn(ctx, w, &t2)
				}
			}
		}
		if err := dialog.Report(t, dialog.Unresolved); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text(sarcasmText))
	})
}
