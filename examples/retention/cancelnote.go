package main

import (
	"context"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/flow"
)

// planKeptKey marks a "cancel" (or "never mind") said while the renewal
// flow asked something: it stops the flow, and the plan is left as it
// was, which the customer is told: "I've stopped that" alone, said to a
// customer who came to cancel their plan, reads as if the plan stopped.
var planKeptKey = parley.NewKey[bool]("retention.plan_kept")

// planKeptText follows the stop of the renewal flow.
const planKeptText = "Your plan hasn't changed: it's still active and renews as before."

// notePlanKept notes, before the router drops the open question, that a
// cancel stops the renewal flow. It goes after intent.Commands.
//
// An answer that keeps the plan as it is ("no thanks, I'll just keep my
// plan as it is", "me lo quedo como está") at the win-back offer or the
// question why they leave is such a cancel: it got "No, cancel" from its
// "no" and the plan was cancelled (QA13 G1).
func notePlanKept(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		q, open := dialog.OpenQuestion(t)
		renewal := open && q.Owner == flow.DefaultOwner && strings.HasPrefix(q.ID, "renewal/")
		c, ok := parley.Value(t, dialog.CommandKey)
		if !ok && renewal && t.Signal == nil && (q.ID == "renewal/offer" || q.ID == "renewal/reason") && keepsPlan(t.Text()) {
			c, ok = dialog.CommandCancel, true
			t = parley.With(t, dialog.CommandKey, c)
		}
		if ok && c == dialog.CommandCancel && renewal {
			t = parley.With(t, planKeptKey, true)
		}
		return next.HandleTurn(ctx, w, t)
	})
}

// planKeptPhrases keep the plan as it is, lower case without accents
// (saysAny); takePhrases take the offer all the same ("yes, I'll keep
// it at half price").
var (
	planKeptPhrases = []string{"keep my plan", "keep the plan", "keep my subscription", "keep it as it is", "keep it as is", "ill keep it",
		"i will keep it", "ill just keep", "leave it as it is", "leave my plan", "leave it as is", "stay as i am", "stay as is",
		"dont cancel", "do not cancel", "not cancel", "changed my mind", "me lo quedo", "lo mantengo", "mantener mi plan",
		"mantengo mi plan", "dejalo como esta", "dejalo asi", "no lo canceles", "no canceles", "no cancelar", "he cambiado de opinion"}
	takePhrases = []string{"half", "mitad", "discount", "descuento", "offer", "oferta", "deal", "basic", "basico", "annual", "anual"}
)

// keepsPlan reports whether text keeps the plan as it is and takes
// nothing else.
func keepsPlan(text string) bool {
	text = strings.NewReplacer("?", " ", "¿", " ", "!", " ", ",", " ").Replace(text)
	return saysAny(text, planKeptPhrases) && !saysAny(text, takePhrases)
}

// bareStop reports whether text is the word stop alone in conversation
// ("stop", "Stop!", "para"), not the keyword as carriers print it
// ("Reply STOP to opt out": all capitals) nor an opt-out that says what
// it is about ("stop sending me offers"). Said while a form asks
// something, it opts out all the same (STOP must always work) and stops
// the form too: asking "Which order is it?" again after "stop" ignores
// the customer. The capitalised keyword is an aside, after which the
// form goes on (turn-stop.txtar).
func bareStop(text string) bool {
	text = strings.Trim(strings.TrimSpace(text), ".!¡ ")
	if text == strings.ToUpper(text) {
		return false
	}
	switch strings.ToLower(text) {
	case "stop", "stop all", "stopall", "para", "alto", "parad", "paren":
		return true
	}
	return false
}

// stoppedTooText follows the opt-out when a bare STOP also stopped the
// form in progress.
const stoppedTooText = `I've stopped what we were doing too. Type "menu" whenever you need me.`
