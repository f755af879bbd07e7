package slack_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/slack"
)

func ExampleAdapter_Post() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.URL.Path, string(body))
		fmt.Fprint(w, `{"ok":true,"channel":"C-agents","ts":"1700000000.000100"}`)
	}))
	defer api.Close()

	sl, err := slack.New(slack.Config{BotToken: "xoxb-1", SigningSecret: "s", BaseURL: api.URL},
		parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error { return nil }))
	if err != nil {
		fmt.Println(err)
		return
	}
	ts, err := sl.Post(context.Background(), "C-agents", "", parley.Text("Ann wants a refund of $120"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("thread:", ts)
	// Output:
	// /chat.postMessage {"blocks":[{"text":{"text":"Ann wants a refund of $120","type":"mrkdwn"},"type":"section"}],"channel":"C-agents","text":"Ann wants a refund of $120"}
	// thread: 1700000000.000100
}
