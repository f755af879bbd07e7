package main

import (
	"context"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/flow"
)

// waitPhrases say "wait, not that" (lower case without accents, for
// saysAny): at the plan's cancellation questions they are no reason for
// leaving and no answer to the win-back offer.
var waitPhrases = []string{"wait", "no wait", "hold on", "hang on", "one moment", "not that", "thats not what i", "i didnt ask",
	"i never asked", "espera", "un momento", "eso no", "no quiero eso", "no era eso", "no he pedido", "no pedi", "yo no he dicho"}

// waitAtPlanCancel reads "no, espera" or "no, que no quiero eso" at the
// question why the customer leaves, or at the win-back offer, as a
// cancel of the plan's cancellation: the plan is left as it is, and the
// customer is told so (notePlanKept, cancelnote.go, which goes after
// it). "no, espera" was read as a reason and "no, que no quiero eso" as
// "No, cancel", and the plan was cancelled (qa13 G36). It goes after
// intent.Commands.
func waitAtPlanCancel(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if _, cmd := parley.Value(t, dialog.CommandKey); !cmd && t.Signal == nil {
			q, open := dialog.OpenQuestion(t)
			if open && q.Owner == flow.DefaultOwner && (q.ID == "renewal/reason" || q.ID == "renewal/offer" || q.ID == "renewal/offer_basic") &&
				saysAny(strings.NewReplacer("?", " ", "¿", " ", "!", " ", ",", " ", "'", "", "’", "").Replace(t.Text()), waitPhrases) {
				t = parley.With(t, dialog.CommandKey, dialog.CommandCancel)
			}
		}
		return next.HandleTurn(ctx, w, t)
	})
}
