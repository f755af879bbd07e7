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

func ExampleNew() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.URL.Path, string(body))
		fmt.Fprint(w, `{"ok":true,"channel":"C-agents","ts":"1700000000.000100"}`)
	}))
	defer api.Close()

	sl, err := slack.New(slack.Config{BotToken: "xoxb-1", SigningSecret: "s", BaseURL: api.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The adapter is the Bot's Sender for Slack: here it posts into a
	// thread of an agents' channel (Recipient is "<channel>:<thread ts>").
	to := parley.Address{Channel: "slack", ConversationID: "slack:T1:C-agents:1699999999.000100", Recipient: "C-agents:1699999999.000100"}
	if err := sl.Send(context.Background(), to, parley.Text("Ann wants a refund of $120")); err != nil {
		fmt.Println(err)
	}
	// Output:
	// /chat.postMessage {"blocks":[{"text":{"text":"Ann wants a refund of $120","type":"mrkdwn"},"type":"section"}],"channel":"C-agents","text":"Ann wants a refund of $120","thread_ts":"1699999999.000100"}
}
