package channel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
)

// pager is a made-up platform: webhooks are JSON {"from","id","text"}
// carrying a shared secret header, and sending prints the message.
type pager struct {
	mu  sync.Mutex
	out []string
}

func (p *pager) Verify(r *http.Request, _ []byte) error {
	if !channel.EqualSecret([]byte(r.Header.Get("X-Pager-Secret")), []byte("s3cret")) {
		return channel.ErrSignature
	}
	return nil
}

func (p *pager) Parse(_ *http.Request, body []byte) (*channel.Batch, error) {
	var in struct{ From, ID, Text string }
	if err := json.Unmarshal(body, &in); err != nil || in.From == "" || in.ID == "" {
		return nil, fmt.Errorf("%w: %v", channel.ErrMalformed, err)
	}
	t := &parley.Turn{ConversationID: "pager:" + in.From, MessageID: in.ID, Recipient: in.From, Message: parley.Text(in.Text)}
	return &channel.Batch{Inbound: []channel.Inbound{{Turn: t, UserID: in.From}}}, nil
}

func (p *pager) Send(_ context.Context, o *channel.Outgoing) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.out = append(p.out, "to "+o.To.Recipient+": "+o.Part.Text)
	return nil
}

func ExampleNew() {
	p := &pager{}
	a, err := channel.New(p, channel.Config{Channel: "pager", Capabilities: channel.Capabilities{MaxText: 160}})
	if err != nil {
		fmt.Println(err)
		return
	}
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Message{Text: "Keep your plan?",
			QuickReplies: []parley.QuickReply{{Title: "Yes", Payload: "keep"}, {Title: "No", Payload: "cancel"}}})
	}), parley.WithSender("pager", a))
	webhook := a.Handler(bot)

	for _, body := range []string{`{"from":"555-0100","id":"p1","text":"cancel my plan"}`, `{"from":"555-0100","id":"p1","text":"cancel my plan"}`} {
		req := httptest.NewRequest(http.MethodPost, "/pager", strings.NewReader(body))
		req.Header.Set("X-Pager-Secret", "s3cret")
		rec := httptest.NewRecorder()
		webhook.ServeHTTP(rec, req) // the second is a redelivery: acknowledged, dropped
		fmt.Println("webhook:", rec.Code)
	}
	if err := bot.Shutdown(context.Background()); err != nil {
		fmt.Println(err)
	}
	for _, line := range p.out {
		fmt.Println(line)
	}
	// Output:
	// webhook: 200
	// webhook: 200
	// to 555-0100: Keep your plan?
	//
	// 1. Yes
	// 2. No
}
