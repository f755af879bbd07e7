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
func notePlanKept(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if c, ok := parley.Value(t, dialog.CommandKey); ok && c == dialog.CommandCancel {
			if q, open := dialog.OpenQuestion(t); open && q.Owner == flow.DefaultOwner && strings.HasPrefix(q.ID, "renewal/") {
				t = parley.With(t, planKeptKey, true)
			}
		}
		return next.HandleTurn(ctx, w, t)
	})
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
