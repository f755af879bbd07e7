package messenger_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/messenger"
)

func ExampleSetPersistentMenu() {
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.URL.Path, string(body))
		fmt.Fprint(w, `{"result":"success"}`)
	}))
	defer graph.Close()

	cfg := messenger.Config{PageAccessToken: "t", AppSecret: "s", VerifyToken: "v", BaseURL: graph.URL}
	err := messenger.SetPersistentMenu(context.Background(), cfg, []parley.Button{{Title: "Talk to a human", Payload: "human"}})
	fmt.Println(err)
	// Output:
	// /me/messenger_profile {"persistent_menu":[{"call_to_actions":[{"payload":"human","title":"Talk to a human","type":"postback"}],"composer_input_disabled":false,"locale":"default"}]}
	// <nil>
}

func ExampleNew() {
	var mu sync.Mutex
	var sent []string
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		sent = append(sent, r.URL.Path+" "+string(body))
		mu.Unlock()
		fmt.Fprint(w, `{"recipient_id":"42","message_id":"m_out1"}`)
	}))
	defer graph.Close()

	fb, err := messenger.New(messenger.Config{PageAccessToken: "page-token", AppSecret: "app-secret", VerifyToken: "vt", BaseURL: graph.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Your order ships tomorrow."))
	}), parley.WithSender("messenger", fb))

	// Meta signs each webhook with the app secret.
	body := `{"object":"page","entry":[{"id":"PAGE1","time":1700000000000,"messaging":[` +
		`{"sender":{"id":"42"},"recipient":{"id":"PAGE1"},"timestamp":1700000000000,"message":{"mid":"m_1","text":"where is my order?"}}]}]}`
	mac := hmac.New(sha256.New, []byte("app-secret"))
	mac.Write([]byte(body))
	req := httptest.NewRequest(http.MethodPost, "/webhooks/messenger", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	rec := httptest.NewRecorder()
	fb.Handler(bot).ServeHTTP(rec, req)
	fmt.Println("webhook:", rec.Code)
	if err := bot.Shutdown(context.Background()); err != nil { // waits for the reply
		fmt.Println(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, s := range sent {
		fmt.Println(s)
	}
	// Output:
	// webhook: 200
	// /me/messages {"message":{"text":"Your order ships tomorrow."},"messaging_type":"RESPONSE","recipient":{"id":"42"}}
}
