package telegram_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/telegram"
)

func ExampleNew() {
	var mu sync.Mutex
	var calls []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls = append(calls, strings.TrimPrefix(r.URL.Path, "/bot123:abc")+" "+string(body))
		mu.Unlock()
		fmt.Fprint(w, `{"ok":true,"result":{}}`)
	}))
	defer api.Close()

	tg, err := telegram.New(telegram.Config{Token: "123:abc", SecretToken: "s3cret", BaseURL: api.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Message{Text: "Keep your plan?",
			QuickReplies: []parley.QuickReply{{Title: "Yes", Payload: "keep"}}})
	}), parley.WithSender("telegram", tg))
	req := httptest.NewRequest(http.MethodPost, "/webhooks/telegram", strings.NewReader(
		`{"update_id":1,"message":{"message_id":5,"from":{"id":42,"first_name":"Ann"},"chat":{"id":42,"type":"private"},"date":1700000000,"text":"cancel"}}`))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
	rec := httptest.NewRecorder()
	tg.Handler(bot).ServeHTTP(rec, req)
	fmt.Println("webhook:", rec.Code)
	if err := bot.Shutdown(context.Background()); err != nil { // waits for the reply
		fmt.Println(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, c := range calls {
		fmt.Println(c)
	}
	// Output:
	// webhook: 200
	// /sendMessage {"chat_id":42,"reply_markup":{"inline_keyboard":[[{"callback_data":"keep","text":"Yes"}]]},"text":"Keep your plan?"}
}
