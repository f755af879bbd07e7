package email_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email"
)

// printTurns is an Enqueuer that prints the turns it is given.
type printTurns struct{}

func (printTurns) Enqueue(_ context.Context, t *parley.Turn) error {
	fmt.Printf("%s from %s (reply to %s): %q\n", t.MessageID, t.ConversationID, t.Recipient, t.Text())
	return nil
}

// Postmark posts its inbound JSON to a URL that carries the webhook secret
// as the basic-auth password (https://inbound:<secret>@bot.example.com/inbound/email).
func ExampleNew_postmark() {
	em, err := email.New(email.Config{
		From:          "Shop Support <help@shop.example>",
		SMTPAddr:      "smtp.example.com:587",
		Service:       "postmark",
		WebhookSecret: "s3cret",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	body := `{"FromFull":{"Email":"ann@example.com","Name":"Ann"},"ReplyTo":"ann@home.example","Subject":"Re: Your order",
	"MessageID":"73e6d360-66eb-11e1-8e72-a8904824019b","TextBody":"Please cancel it.\n\nOn Mon, Shop wrote:\n> Shipped!",
	"Headers":[{"Name":"Message-ID","Value":"<a1@mail.example.com>"},{"Name":"In-Reply-To","Value":"<order-7@shop.example>"}]}`
	r := httptest.NewRequest(http.MethodPost, "/inbound/email", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.SetBasicAuth("inbound", "s3cret")
	w := httptest.NewRecorder()
	em.Handler(printTurns{}).ServeHTTP(w, r)
	fmt.Println(w.Code)
	// Output:
	// a1@mail.example.com from email:order-7@shop.example (reply to ann@home.example): "Please cancel it."
	// 200
}
