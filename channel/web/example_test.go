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
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/web"
	"github.com/parleyhq/parley/memory"
)

func ExampleNewHandler() {
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("You said: "+t.Text()))
	}))
	chat, err := web.NewHandler(bot, web.Config{Secret: []byte("use-32-or-more-random-bytes-here!!")})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/chat/", http.StripPrefix("/chat", chat))
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
			Entry *web.Entry
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
			if f.Type == "message" && f.Entry.Role == web.RoleBot {
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

func ExampleHandler_Push() {
	chat, err := web.NewHandler(parley.NewBot(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil })),
		web.Config{Secret: []byte("use-32-or-more-random-bytes-here!!")})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Nobody is connected to this conversation, so nothing is sent.
	err = chat.Push(context.Background(), "conversation-1", parley.Text("Need help with this product?"))
	fmt.Println(err)
	// Output:
	// web: visitor not connected
}

func ExampleDemoPage() {
	// Serve a demo product page that embeds the widget mounted at /chat/.
	page := httptest.NewRecorder()
	web.DemoPage("/chat/widget.js").ServeHTTP(page, httptest.NewRequest("GET", "/", nil))
	fmt.Println(page.Code, page.Header().Get("Content-Type"))
	fmt.Println(strings.Contains(page.Body.String(), `<script src="/chat/widget.js"`))
	// Output:
	// 200 text/html; charset=utf-8
	// true
}

func ExampleHandler_Link() {
	linker := channel.NewStoreLinker(memory.NewMap())
	chat, err := web.NewHandler(parley.NewBot(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil })),
		web.Config{Secret: []byte("use-32-or-more-random-bytes-here!!"), Linker: linker})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	// The application confirmed the visitor's e-mail with a code; the same
	// address confirmed on the visitor's phone is the same customer.
	laptop, err := chat.Link(ctx, "conversation-on-laptop", channel.Contact{Email: "ana@example.com"})
	if err != nil {
		fmt.Println(err)
		return
	}
	phone, err := chat.Link(ctx, "conversation-on-phone", channel.Contact{Email: "Ana@Example.com"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(laptop == phone)
	// Output:
	// true
}

func ExampleHandler_Token() {
	chat, err := web.NewHandler(parley.NewBot(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil })),
		web.Config{Secret: []byte("use-32-or-more-random-bytes-here!!")})
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
