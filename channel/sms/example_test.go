package sms_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/parleyhq/parley"

	"github.com/parleyhq/parley/channel/sms"
)

func ExampleSignature() {
	// The example from Twilio's webhook security documentation.
	params := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"},
		"From": {"+12349013030"}, "To": {"+18005551212"}}
	fmt.Println(sms.Signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params))
	// Output: 0/KCTR6DLpKmkAf8muzZqo1nDgQ=
}

func ExampleNew() {
	var mu sync.Mutex
	var sent []string
	twilio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		mu.Lock()
		sent = append(sent, r.URL.Path+" To="+form.Get("To")+" Body="+form.Get("Body"))
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"sid":"SM1","status":"queued"}`)
	}))
	defer twilio.Close()

	const public = "https://shop.example/webhooks/sms"
	text, err := sms.New(sms.Config{AccountSID: "AC1", AuthToken: "token", From: "+15005550006",
		PublicURL: public, BaseURL: twilio.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Message{Text: "Keep your plan?",
			QuickReplies: []parley.QuickReply{{Title: "Yes", Payload: "keep"}, {Title: "No", Payload: "cancel"}}})
	}), parley.WithSender("sms", text))

	// Twilio posts a form signed with the auth token over the public URL.
	params := url.Values{"MessageSid": {"SM100"}, "AccountSid": {"AC1"}, "From": {"+15551234567"},
		"To": {"+15005550006"}, "Body": {"cancel my plan"}, "NumMedia": {"0"}}
	req := httptest.NewRequest(http.MethodPost, "/webhooks/sms", strings.NewReader(params.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sms.Signature("token", public, params))
	rec := httptest.NewRecorder()
	text.Handler(bot).ServeHTTP(rec, req)
	fmt.Println("webhook:", rec.Code)
	if err := bot.Shutdown(context.Background()); err != nil { // waits for the reply
		fmt.Println(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, s := range sent {
		fmt.Printf("%q\n", s) // no buttons in SMS: numbered options, and "2" maps back
	}
	// Output:
	// webhook: 200
	// "/2010-04-01/Accounts/AC1/Messages.json To=+15551234567 Body=Keep your plan?\n\n1. Yes\n2. No"
}
