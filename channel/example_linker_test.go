package channel_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
)

func ExampleNewStoreLinker() {
	ctx := context.Background()
	links := channel.NewStoreLinker(memory.NewMap())

	web := channel.Identity{Channel: "web", UserID: "visitor-81"}
	if _, err := links.Resolve(ctx, web); errors.Is(err, channel.ErrNotLinked) {
		fmt.Println("web visitor: not linked yet")
	}
	// The same phone, verified on the web and on WhatsApp, is one customer.
	a, err := links.Link(ctx, web, channel.Contact{Phone: "+1 (555) 010-2030"})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := links.Link(ctx, channel.Identity{Channel: "whatsapp", UserID: "15550102030"}, channel.Contact{Phone: "+15550102030"})
	if err != nil {
		fmt.Println(err)
		return
	}
	again, err := links.Resolve(ctx, web)
	fmt.Println("one customer:", a == b, again == a, err)
	// Output:
	// web visitor: not linked yet
	// one customer: true true <nil>
}

func ExampleNewPlatformError() {
	// In a Platform's Send, after a non-2xx answer:
	h := http.Header{"Retry-After": {"30"}}
	err := channel.NewPlatformError(http.StatusTooManyRequests, h, "130429", "rate limit hit")
	fmt.Println(err.Temporary, err.RetryAfter)
	err = channel.NewPlatformError(http.StatusBadRequest, nil, "131047", "re-engagement message")
	err.Channel = "whatsapp" // the Adapter fills this in
	fmt.Println(err.Temporary, err)
	// Output:
	// true 30s
	// false whatsapp: platform error 400 (131047): re-engagement message
}
