package whatsapp_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/whatsapp"
)

func ExampleNew() {
	// A stand-in for graph.facebook.com that records what it receives.
	var mu sync.Mutex
	var calls []string
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls = append(calls, r.URL.Path+" "+string(body))
		mu.Unlock()
		fmt.Fprint(w, `{"messages":[{"id":"wamid.out1"}]}`)
	}))
	defer graph.Close()

	wa, err := whatsapp.New(whatsapp.Config{
		PhoneNumberID: "1065",
		AccessToken:   "token",
		AppSecret:     "secret",
		VerifyToken:   "verify",
		BaseURL:       graph.URL,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The adapter is the Bot's Sender for WhatsApp; its Handler is the
	// webhook, which hands each message to the Bot and acknowledges it.
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("You said: "+t.Text()))
	}), parley.WithSender("whatsapp", wa))
	webhook := wa.Handler(bot)

	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{` +
		`"messaging_product":"whatsapp","metadata":{"phone_number_id":"1065"},` +
		`"messages":[{"from":"15551234567","id":"wamid.in1","timestamp":"1700000000","type":"text","text":{"body":"hello"}}]}}]}]}`)
	req := httptest.NewRequest(http.MethodPost, "/webhooks/whatsapp", bytes.NewReader(body))
	req.Header.Set("X-Hub-Signature-256", "sha256="+channel.HMACHex(sha256.New, []byte("secret"), body))
	rec := httptest.NewRecorder()
	webhook.ServeHTTP(rec, req) // answered once the Bot has the message
	fmt.Println("webhook:", rec.Code)

	_ = bot.Shutdown(context.Background()) // waits for the reply
	mu.Lock()
	defer mu.Unlock()
	for _, c := range calls {
		fmt.Println(c)
	}
	// Output:
	// webhook: 200
	// /1065/messages {"messaging_product":"whatsapp","recipient_type":"individual","text":{"body":"You said: hello","preview_url":false},"to":"15551234567","type":"text"}
}
