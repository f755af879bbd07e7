package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/web"
)

func ExampleNew() {
	chat, err := web.New(web.Config{Secret: []byte("use-32-or-more-random-bytes-here!!")})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The Chat is the Bot's Sender for "web": its Handler passes the
	// visitor's turns to the Bot's Enqueue, and the Bot sends the replies
	// (and agents' and proactive messages) back through the Chat.
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("You said: "+t.Text()))
	}), parley.WithSender("web", chat.Sender()))
	mux := http.NewServeMux()
	mux.Handle("/chat/", http.StripPrefix("/chat", chat.Handler(bot)))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer chat.Close(context.Background())

	// What the widget does: get a visitor token, open the WebSocket, say
	// hello, send a message.
	resp, err := http.Post(srv.URL+"/chat/session", "", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	var s struct{ Token string }
	err = json.NewDecoder(resp.Body).Decode(&s)
	resp.Body.Close()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/chat/ws", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.CloseNow()
	for _, f := range []string{
		`{"type":"hello","token":"` + s.Token + `"}`,
		`{"type":"message","id":"m1","text":"hello"}`,
	} {
		if err := c.Write(ctx, websocket.MessageText, []byte(f)); err != nil {
			fmt.Println(err)
			return
		}
	}
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		// One WebSocket message holds a frame, or an array of frames
		// that were queued together.
		type frame struct {
			Type  string
			Entry *struct {
				Role    string
				Message parley.Message
			}
		}
		var fs []frame
		if b[0] == '[' {
			err = json.Unmarshal(b, &fs)
		} else {
			fs = make([]frame, 1)
			err = json.Unmarshal(b, &fs[0])
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, f := range fs {
			fmt.Println(f.Type)
			if f.Type == "message" && f.Entry.Role == "bot" {
				fmt.Println(f.Entry.Message.Text)
				return
			}
		}
	}
	// Output:
	// ready
	// message
	// ack
	// read
	// message
	// You said: hello
}

func ExampleChat_Sender() {
	chat, err := web.New(web.Config{Secret: []byte("use-32-or-more-random-bytes-here!!")})
	if err != nil {
		fmt.Println(err)
		return
	}
	// An agent's message to a visitor who is not connected right now: it
	// waits for their next connection.
	to := parley.Address{Channel: "web", ConversationID: "conversation-1"}
	err = chat.Sender().Send(context.Background(), to, parley.Text("An agent replied: your parcel ships today."))
	fmt.Println(err)
	// Output:
	// <nil>
}

func ExampleChat_Token() {
	chat, err := web.New(web.Config{Secret: []byte("use-32-or-more-random-bytes-here!!")})
	if err != nil {
		fmt.Println(err)
		return
	}
	// A signed-in customer keeps one conversation on every device: mint
	// the token from the customer ID and pass it to the widget.
	tok, err := chat.Token("customer-42")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("<script src=\"/chat/widget.js\" data-token=%q async></script>\n", tok[:8]+"...")
	// Output:
	// <script src="/chat/widget.js" data-token="eyJjIjoi..." async></script>
}
