package zendesk_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk/zendesk"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/privacy"
)

func Example() {
	// The Deliverer runs the agents' turns through the application's Bot.
	deliver := escalation.DeliverFunc(func(ctx context.Context, t *parley.Turn) error { return nil })
	desk, err := zendesk.New(zendesk.Config{
		BaseURL: "https://acme.zendesk.com",
		Email:   "bot@acme.example",
		Token:   "api-token",
		Secret:  []byte("webhook signing secret"),
	}, deliver)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Zendesk's webhook (see zendesk.Event) posts here.
	mux := http.NewServeMux()
	mux.Handle("POST /hooks/zendesk", desk)
	// desk is the escalation.Desk given to the escalator, and a source of
	// the privacy.Eraser beside the stores': erasing a customer deletes
	// their tickets and end user in Zendesk for good.
	var _ escalation.Desk = desk
	eraser := privacy.NewEraser(append(privacy.StoreSources(memory.NewMap()), desk)...)
	fmt.Println("ready", eraser != nil)
	// Output: ready true
}
