package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/channeltest"
)

// TestChannelConformance runs the shared channel conformance suite against
// the web handler. The "webhook" is POST /send with the visitor's token as
// the signature; the "platform" is the visitors themselves: one event
// stream per user collects the bot messages delivered to them.
//
// Three checks do not apply and are skipped: Retry429, Retry5xx and
// PlatformRejects script failures of a platform's send API, and web chat
// has none (replies go straight to the visitor's open connections).
func TestChannelConformance(t *testing.T) {
	channeltest.Run(t, channeltest.Harness{
		Channel: Channel,
		New: func(t *testing.T, bot parley.Handler) *channeltest.Env {
			for _, name := range []string{"/Retry429", "/Retry5xx", "/PlatformRejects"} {
				if strings.HasSuffix(t.Name(), name) {
					t.Skip("web chat has no platform send API to fail: replies go straight to the visitor's connection")
				}
			}
			h, err := NewHandler(bot, Config{Secret: testSecret, MaxFrameBytes: 8 << 10, MaxMessageBytes: 4 << 10})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			p := &visitors{t: t, h: h, url: srv.URL, tokens: map[string]string{}}
			t.Cleanup(p.stop)
			return &channeltest.Env{
				Webhook:  h,
				Platform: p,
				Encode:   p.encode,
				Request:  p.request,
				MaxBody:  8 << 10,
				Close:    h.Close,
			}
		},
	})
}

// visitors plays the platform for the suite: it maps the suite's users to
// visitor tokens and reads each visitor's event stream.
type visitors struct {
	t   *testing.T
	h   *Handler
	url string

	mu      sync.Mutex
	tokens  map[string]string
	sent    []channeltest.Outbound
	cancels []context.CancelFunc
	wg      sync.WaitGroup
}

// envelope carries the suite's user next to the frame, so that request
// can pick the user's token.
type envelope struct {
	From  string          `json:"from"`
	Frame json.RawMessage `json:"frame"`
}

func (p *visitors) encode(in channeltest.Inbound) []byte {
	frame, err := json.Marshal(map[string]string{"type": "message", "id": in.ID, "text": in.Text})
	if err != nil {
		p.t.Fatal(err)
	}
	b, err := json.Marshal(envelope{From: in.From, Frame: frame})
	if err != nil {
		p.t.Fatal(err)
	}
	return b
}

// request turns an envelope into POST /send carrying the frame and the
// user's token (valid, forged or missing). A body that is not an
// envelope (the suite's malformed bodies) is sent as is, for "user-1".
func (p *visitors) request(body []byte, s channeltest.Signing) *http.Request {
	from, frame := "user-1", body
	var env envelope
	if json.Unmarshal(body, &env) == nil && env.From != "" {
		from, frame = env.From, env.Frame
	}
	r := httptest.NewRequest("POST", "/send", bytes.NewReader(frame))
	switch s {
	case channeltest.Signed:
		r.Header.Set("Authorization", "Bearer "+p.token(from))
	case channeltest.Forged:
		forged, err := signToken([]byte("not-the-secret-not-the-secret-xx"), from, time.Now())
		if err != nil {
			p.t.Fatal(err)
		}
		r.Header.Set("Authorization", "Bearer "+forged)
	}
	return r
}

// token returns the user's visitor token, opening the user's event stream
// the first time so that nothing the bot sends is missed.
func (p *visitors) token(from string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if tok, ok := p.tokens[from]; ok {
		return tok
	}
	tok, err := p.h.Token("conv-" + from)
	if err != nil {
		p.t.Fatal(err)
	}
	p.tokens[from] = tok
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", p.url+"/events", nil)
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		// Closed already (the AfterClose check): nobody is listening.
		resp.Body.Close()
		cancel()
		return tok
	}
	p.cancels = append(p.cancels, cancel)
	ready := make(chan struct{})
	p.wg.Go(func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		first := true
		for sc.Scan() {
			line, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var f outFrame
			if json.Unmarshal([]byte(line), &f) != nil {
				continue
			}
			if first {
				first = false
				close(ready)
			}
			if f.Type == "message" && f.Entry.Role == RoleBot {
				o := channeltest.Outbound{To: from, Text: f.Entry.Message.Text}
				for _, q := range f.Entry.Message.QuickReplies {
					o.Choices = append(o.Choices, q.Title)
				}
				p.mu.Lock()
				p.sent = append(p.sent, o)
				p.mu.Unlock()
			}
		}
		if first {
			close(ready)
		}
	})
	<-ready
	return tok
}

// Sent returns what visitors received. The suite calls it after Close,
// which ends every stream, so it waits for the readers to finish.
func (p *visitors) Sent() []channeltest.Outbound {
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.t.Error("event streams still open 5s after Close")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]channeltest.Outbound(nil), p.sent...)
}

// Attempts counts deliveries: there is no send API that could fail.
func (p *visitors) Attempts() int { return len(p.Sent()) }

// FailNext is never called: the checks that script failures are skipped.
func (p *visitors) FailNext(...channeltest.Failure) {
	p.t.Error("FailNext: web chat has no platform send API")
}

func (p *visitors) stop() {
	p.mu.Lock()
	for _, c := range p.cancels {
		c()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
