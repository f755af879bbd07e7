package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/notify"
)

func ExampleNewSlack() {
	// A stand-in for Slack's incoming webhook.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ Text string }
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Println(m.Text)
		fmt.Fprint(w, "ok")
	}))
	defer hook.Close()

	slack, err := notify.NewSlack(notify.SlackConfig{WebhookURL: hook.URL, ConsoleURL: "https://shop.example/console/#"})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = slack.Notify(context.Background(), escalation.Ticket{ID: "t-7", ConversationID: "web:ada", Channel: "web",
		Reason: "refund over $100", Priority: dialog.PriorityHigh, Summary: "Wants a refund of $140 for order A-1002."})
	fmt.Println(err)

	_, err = notify.NewSlack(notify.SlackConfig{WebhookURL: "hooks.slack.com/services/x"})
	fmt.Println(err)
	// Output:
	// :red_circle: *high priority* hand-off: refund over $100
	// Conversation web:ada on web
	// >Wants a refund of $140 for order A-1002.
	// <https://shop.example/console/#t-7|Open in console>
	// <nil>
	// notify: slack: webhook URL "hooks.slack.com/services/x" is not an http(s) URL
}

func ExampleNewEmail() {
	// NewEmail checks the configuration without connecting; Notify sends
	// one message per ticket through Addr.
	mail, err := notify.NewEmail(notify.EmailConfig{Addr: "smtp.shop.example:587",
		From: "parley@shop.example", To: []string{"support@shop.example"}})
	fmt.Println(mail != nil, err)

	_, err = notify.NewEmail(notify.EmailConfig{Addr: "smtp.shop.example",
		From: "parley@shop.example", To: []string{"support@shop.example"}})
	fmt.Println(err)
	_, err = notify.NewEmail(notify.EmailConfig{Addr: "smtp.shop.example:587",
		From: "parley@shop.example", To: []string{"support@shop.example\r\nBcc: x@evil.example"}})
	fmt.Println(err)
	// Output:
	// true <nil>
	// notify: email: addr "smtp.shop.example": address smtp.shop.example: missing port in address
	// notify: email: bad address "support@shop.example\r\nBcc: x@evil.example"
}
