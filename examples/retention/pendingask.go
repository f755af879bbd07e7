package main

import (
	"context"
	"regexp"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
)

// approvalWait and withdrawRefund match what a customer asks about a
// refund waiting for a teammate's OK (QA9 F38): how long it takes (the
// help centre's refund article answered, about the days to the
// statement), and to take it back ("That's not something I can help with
// here").
var (
	approvalWait = regexp.MustCompile(`(?i)\b(?:how long (?:does|will|do) (?:the |an |my )?(?:approval|ok|okay|check|teammate|it)|` +
		`when will (?:i|they|you|someone) (?:hear|know|decide|approve|confirm)|cu[aá]nto tarda(?:n)? (?:la |en )?(?:aprobaci[oó]n|aprobar)|cu[aá]ndo me (?:avisan|dicen|confirman))`)
	withdrawRefund = regexp.MustCompile(`(?i)\b(?:cancel|withdraw|stop|take back|call off)\b.{0,20}\brefund(?: request)?\b|` +
		`\b(?:cancela|anula|retira)\w*\b.{0,20}\breembolso\b`)
)

// Answers about a waiting refund.
const (
	approvalWaitText = "Your refund of %s is with a teammate for their OK. They usually decide within one business day (our team works Monday to Friday 8am-8pm and Saturday 10am-4pm Eastern); I'll tell you here as soon as they do, and the money then takes 5-10 business days to show."
	withdrawText     = `Your refund of %s is still waiting for a teammate's OK, and I can't withdraw it myself. Type "human" and a teammate will withdraw it for you; if they reject it meanwhile, nothing is refunded.`
)

// pendingRefundQuestions answers questions about the customer's refunds
// that wait for a teammate's OK, when there are any; other turns go on.
// It goes after the escalator, as the refund status does.
func pendingRefundQuestions(a *actions) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			text := t.Text()
			if t.Signal != nil || len(text) > 200 || !(approvalWait.MatchString(text) || withdrawRefund.MatchString(text)) {
				return next.HandleTurn(ctx, w, t)
			}
			waiting, err := waitingRefunds(ctx, a, t.CustomerID) // bot.go
			if err != nil || len(waiting) == 0 {
				if err != nil {
					return err
				}
				return next.HandleTurn(ctx, w, t)
			}
			reply := approvalWaitText
			if withdrawRefund.MatchString(text) {
				reply = withdrawText
			}
			if err := dialog.Report(t, dialog.Served); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text(strings.Replace(reply, "%s", strings.Join(waiting, " and "), 1)))
		})
	}
}
