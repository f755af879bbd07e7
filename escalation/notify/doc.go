// Package notify connects hand-offs to the tools a support team already
// uses: [Slack] and [Email] notifications about new tickets, wrapped
// around any desk with [Notifying], and [Webhook], a desk that posts
// signed events to a help-desk, with [WebhookHandler] for the agents'
// side coming back.
//
// # Overview
//
//	slack, err := notify.NewSlack(notify.SlackConfig{WebhookURL: os.Getenv("SLACK_WEBHOOK")})
//	if err != nil {
//		return err
//	}
//	d := notify.Notifying(desk.NewMemory(deliver), logErr, slack)
//	esc, err := escalation.New(d)
//
// To use an external help-desk instead, give the escalator a [Webhook]
// desk and mount [WebhookHandler] where the help-desk posts its agents'
// messages:
//
//	hd, err := notify.NewWebhook(notify.WebhookConfig{URL: helpdeskURL, Secret: secret})
//	h, err := notify.WebhookHandler(notify.WebhookHandlerConfig{Secret: secret, Deliver: deliver, Seen: store})
//	mux.Handle("/helpdesk/events", h)
//
// Both directions are signed with HMAC-SHA256 over the timestamp and body
// ([Sign], [Verify]) and carry an idempotency key.
//
// # Concurrency
//
// Notifiers, desks and handlers are safe for concurrent use and start no
// goroutines.
//
// # Errors
//
// Configurations are checked by the constructors. A notification that
// fails does not undo a hand-off: [Notifying] reports it to its error
// function. The [Webhook] desk retries network errors, 408, 429 and 5xx,
// then returns an error wrapping [escalation.ErrDeskUnavailable]; 404
// maps to [escalation.ErrUnknownTicket], 409 and 410 to
// [escalation.ErrClosedTicket]. Requests that do not verify give
// [ErrBadSignature].
package notify
