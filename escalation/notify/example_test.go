package notify_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/escalation/notify"
)

// printer is a Notifier that prints; a real one is a Slack or Email.
type printer struct{}

func (printer) Notify(_ context.Context, t escalation.Ticket) error {
	fmt.Println("new ticket:", t.Priority, t.Reason)
	return nil
}

type down struct{}

func (down) Notify(context.Context, escalation.Ticket) error {
	return errors.New("smtp: connection refused")
}

func ExampleNotifying() {
	agents := desk.NewMemory(escalation.DeliverFunc(func(context.Context, *parley.Turn) error { return nil }))
	d := notify.Notifying(agents, func(err error) { fmt.Println("reported:", err) }, printer{}, down{})
	err := d.Submit(context.Background(), escalation.Ticket{ID: "c1-1", ConversationID: "c1", Reason: "legal threat", Priority: dialog.PriorityUrgent})
	fmt.Println("submitted:", err == nil, len(agents.Queue()))
	// Output:
	// new ticket: urgent legal threat
	// reported: notify: ticket "c1-1" submitted, notification failed: smtp: connection refused
	// submitted: true 1
}

func ExampleNewWebhook() {
	hd, err := notify.NewWebhook(notify.WebhookConfig{URL: "https://helpdesk.example/parley", Secret: []byte("a-secret-of-16-bytes-or-more")})
	fmt.Println(hd != nil, err)
	_, err = notify.NewWebhook(notify.WebhookConfig{URL: "https://helpdesk.example/parley", Secret: []byte("short")})
	fmt.Println(err)
	// Output:
	// true <nil>
	// notify: webhook: secret must be at least 16 bytes
}
