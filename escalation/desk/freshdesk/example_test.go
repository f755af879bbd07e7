package freshdesk_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk/freshdesk"
)

func Example() {
	deliver := escalation.DeliverFunc(func(ctx context.Context, t *parley.Turn) error { return nil })
	desk, err := freshdesk.New(freshdesk.Config{
		BaseURL: "https://acme.freshdesk.com",
		APIKey:  "api-key",
		Secret:  "a long random string also set in the automation's header",
	}, deliver)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The automation's "Trigger webhook" action (see freshdesk.Event)
	// posts to the desk; erasing a customer through a privacy.Eraser that
	// has the desk among its sources deletes their tickets and contact.
	var hooks http.ServeMux
	hooks.Handle("POST /hooks/freshdesk", desk)
	fmt.Println(desk.Name())
	// Output: freshdesk
}
