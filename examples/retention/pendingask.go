package main

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/dialog"
)

// approvalWait, refundUpdate and withdrawRefund match what a customer
// asks about a refund waiting for a teammate's OK (QA9 F38, QA12 F20,
// F30): how long it takes (the help centre's refund article answered,
// about the days to the statement), how it is going ("any update on the
// lamp refund?" was not understood), and to take it back ("actually I
// changed my mind, I don't want the refund any more" started the plan
// renewal, read as "I changed my mind about cancelling").
var (
	approvalWait = regexp.MustCompile(`(?i)\b(?:how long (?:does|will|do) (?:the |an |my )?(?:approval|ok|okay|check|teammate|it)|` +
		`when will (?:i|they|you|someone) (?:hear|know|decide|approve|confirm)|cu[aá]nto tarda(?:n)? (?:la |en )?(?:aprobaci[oó]n|aprobar)|cu[aá]ndo me (?:avisan|dicen|confirman))`)
	refundUpdate = regexp.MustCompile(`(?i)\b(?:any|an|got an?)\s+(?:update|news|word|progress)\b.{0,30}\brefund\b|` +
		`\brefund\b.{0,30}\b(?:approved|accepted|decided|update|news)\b|` +
		`\b(?:alguna novedad|novedades|noticias)\b.{0,30}\breembolso\b|\breembolso\b.{0,30}\baprobad[oa]\b`)
	withdrawRefund = regexp.MustCompile(`(?i)\b(?:cancel|withdraw|stop|take back|call off|drop|forget(?: about)?|never ?mind)\b.{0,20}\brefund(?: request)?\b|` +
		`\b(?:don'?t|do not|no longer|won'?t) (?:want|need)\b.{0,20}\brefund\b|` +
		`\b(?:cancela|anula|retira|olvida)\w*\b.{0,20}\breembolso\b|\b(?:ya )?no (?:quiero|necesito)\b.{0,15}\breembolso\b`)
)

// Answers about a waiting refund.
const (
	approvalWaitText = "Your refund of %s is with a teammate for their OK. They usually decide within one business day (our team works Monday to Friday 8am-8pm and Saturday 10am-4pm Eastern); I'll tell you here as soon as they do, and the money then takes 5-10 business days to show."
	refundUpdateText = "Your refund of %s is still waiting for a teammate's OK. I'll tell you here as soon as they decide."
	withdrawnText    = "Done: I've withdrawn your refund request of %s, so nothing will be refunded. If you change your mind, just ask for the refund again."
)

// withdrawnBy is the name the audit log records for a refund request the
// customer took back before a teammate decided.
const withdrawnBy = "the customer (withdrawn)"

// pendingRefundQuestions answers questions about the customer's refunds
// that wait for a teammate's OK, when there are any; other turns go on.
// It goes before the mood is read: taking a refund back ("I don't want
// the refund any more") is no upset customer.
func pendingRefundQuestions(a *actions) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			text := t.Text()
			if t.Signal != nil || len(text) > 200 ||
				!(approvalWait.MatchString(text) || refundUpdate.MatchString(text) || withdrawRefund.MatchString(text)) {
				return next.HandleTurn(ctx, w, t)
			}
			pending, err := a.customerRefunds(ctx, t.CustomerID)
			if err != nil || len(pending) == 0 {
				if err != nil {
					return err
				}
				return next.HandleTurn(ctx, w, t)
			}
			var waiting []string
			for _, p := range pending {
				waiting = append(waiting, p.text)
			}
			reply := approvalWaitText
			switch {
			case withdrawRefund.MatchString(text):
				// Only the refunds named, when the text names an order of
				// those waiting ("cancel the A-1002 refund"); all of them
				// otherwise.
				named := pending[:0:0]
				for _, p := range pending {
					if strings.Contains(strings.ToUpper(text), p.order) {
						named = append(named, p)
					}
				}
				if len(named) == 0 {
					named = pending
				}
				waiting = waiting[:0]
				for _, p := range named {
					if err := a.reg.Reject(ctx, p.id, withdrawnBy); err != nil && !errors.Is(err, action.ErrNoApproval) {
						return err
					} else if err == nil {
						waiting = append(waiting, p.text)
					}
				}
				if len(waiting) == 0 {
					// A teammate decided meanwhile: their answer is on its way.
					return next.HandleTurn(ctx, w, t)
				}
				reply = withdrawnText
			case refundUpdate.MatchString(text) && !approvalWait.MatchString(text):
				reply = refundUpdateText
			}
			if err := dialog.Report(t, dialog.Resolved); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text(strings.Replace(reply, "%s", strings.Join(waiting, " and "), 1)))
		})
	}
}
