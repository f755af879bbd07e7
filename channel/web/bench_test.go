package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"github.com/parleyhq/parley"
)

// benchPipeline is a simple built-in pipeline with no LLM: a parley.Bot
// (in-memory sessions, history, de-duplication, per-conversation ordering)
// running a keyword handler that shows the typing indicator, marks the
// message read and answers with quick replies.
func benchPipeline(chat *Chat) *parley.Bot {
	answers := []struct{ kw, reply string }{
		{"order", "Your order A-1234 ships tomorrow."},
		{"refund", "I can start a refund. Which order is it?"},
		{"cancel", "Sorry to see you go! Would 20% off for 3 months change your mind?"},
	}
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if err := parley.Typing(ctx, w); err != nil {
			return err
		}
		if rm, ok := w.(parley.ReadMarker); ok {
			if err := rm.MarkRead(ctx, t.MessageID); err != nil {
				return err
			}
		}
		text := strings.ToLower(t.Text())
		for _, a := range answers {
			if strings.Contains(text, a.kw) {
				return w.Reply(ctx, parley.Message{Text: a.reply, QuickReplies: []parley.QuickReply{{Title: "Thanks"}, {Title: "Talk to a human", Payload: "human"}}})
			}
		}
		return w.Reply(ctx, parley.Text("I can help with orders, refunds and your plan."))
	})
	return parley.NewBot(h, parley.WithSender("web", chat.Sender()))
}

var benchTexts = []string{"where is my order?", "I want a refund", "please cancel my plan", "hello"}

type benchConn struct {
	c   *websocket.Conn
	seq int
}

// dialBench opens n WebSocket conversations that have consented to
// keeping history, 64 dials at a time.
func dialBench(b *testing.B, h *Chat, url string, n int) []*benchConn {
	b.Helper()
	conns := make([]*benchConn, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs <- func() error {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				tok, err := h.Token(fmt.Sprintf("bench-%d", i))
				if err != nil {
					return err
				}
				c, _, err := websocket.Dial(ctx, url, nil)
				if err != nil {
					return err
				}
				conns[i] = &benchConn{c: c}
				for _, f := range []string{`{"type":"hello","token":"` + tok + `"}`, `{"type":"consent","granted":true}`} {
					if err := c.Write(ctx, websocket.MessageText, []byte(f)); err != nil {
						return err
					}
				}
				// The ready frame always precedes the consent frame, maybe
				// in the same batch.
				return readUntil(ctx, c, "consent")
			}()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	return conns
}

// readUntil reads frames until one of the given type, or a bot message
// when typ is "reply".
func readUntil(ctx context.Context, c *websocket.Conn, typ string) error {
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return err
		}
		fs, err := decodeOut(b)
		if err != nil {
			return err
		}
		for _, f := range fs {
			if f.Type == "error" {
				return fmt.Errorf("error frame: %s", b)
			}
			if f.Type == typ || typ == "reply" && f.Type == "message" && f.Entry != nil && f.Entry.Role == roleBot {
				return nil
			}
		}
	}
}

// exchange sends one message and returns the time until the bot's first
// reply arrived.
func (bc *benchConn) exchange(ctx context.Context, id int) (time.Duration, error) {
	bc.seq++
	frame := fmt.Sprintf(`{"type":"message","id":"m%d-%d","text":%q}`, id, bc.seq, benchTexts[(id+bc.seq)%len(benchTexts)])
	start := time.Now()
	if err := bc.c.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		return 0, err
	}
	if err := readUntil(ctx, bc.c, "reply"); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// BenchmarkWebSocket1000 runs 1,000 concurrent WebSocket conversations on
// loopback against benchPipeline and reports the first-response time (from
// the client writing a message to it reading the bot's reply) and
// throughput. Client and server share the machine.
//
//   - paced: every conversation sends one message per second, at its own
//     random phase (1,000 messages/s offered), and waits for the reply:
//     people typing. Each iteration is one second of this.
//   - closed-loop: every conversation sends its next message as soon as it
//     has the reply to the previous one: the saturation throughput. Each
//     iteration is one message per conversation.
//   - paced-direct and direct: the peers, paced and closed-loop with the
//     same Bot called in process by 1,000 goroutines, with no WebSocket and
//     no web.Handler: what the pipeline alone costs on this machine at
//     this moment.
//
// go test -run '^$' -bench WebSocket1000 -benchtime 5x -count 5 ./channel/web/
func BenchmarkWebSocket1000(b *testing.B) {
	for _, mode := range []string{"paced", "paced-direct", "closed-loop", "direct"} {
		b.Run(mode, func(b *testing.B) {
			paced := strings.HasPrefix(mode, "paced")
			if strings.HasSuffix(mode, "direct") {
				benchDirect(b, 1000, paced)
				return
			}
			benchWebSocket(b, 1000, paced)
		})
	}
}

func benchWebSocket(b *testing.B, n int, paced bool) {
	h, err := New(Config{Secret: testSecret, RateLimit: rate.Inf, RateBurst: 1})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h.Handler(benchPipeline(h)))
	defer srv.Close()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := h.Close(ctx); err != nil {
			b.Error(err)
		}
	}()
	conns := dialBench(b, h, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", n)
	defer func() {
		for _, c := range conns {
			if err := c.c.CloseNow(); err != nil {
				b.Error(err)
			}
		}
	}()

	runClients(b, n, paced, func(ctx context.Context, i, _ int) (time.Duration, error) {
		return conns[i].exchange(ctx, i)
	})
}

// benchDirect is the peer: the same pipeline without the web layer.
func benchDirect(b *testing.B, n int, paced bool) {
	bot := benchPipeline(nil)
	runClients(b, n, paced, func(ctx context.Context, i, k int) (time.Duration, error) {
		var first time.Duration
		t0 := time.Now()
		w := parley.ReplyFunc(func(context.Context, parley.Message) error {
			if first == 0 {
				first = time.Since(t0)
			}
			return nil
		})
		err := bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: fmt.Sprintf("bench-%d", i), Channel: webChannel,
			MessageID: fmt.Sprintf("m%d-%d", i, k), Message: parley.Text(benchTexts[(i+k)%len(benchTexts)])})
		return first, err
	})
}

// runClients runs b.N exchanges (exchange(ctx, i, k) is client i's k-th
// and returns the time to its first reply) on each of n clients at once,
// one a second from a random phase when paced, and reports the latencies
// and the throughput.
func runClients(b *testing.B, n int, paced bool, exchange func(ctx context.Context, i, k int) (time.Duration, error)) {
	lat := make([][]time.Duration, n)
	errs := make(chan error, n)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// A context per client: coder/websocket registers an
			// AfterFunc on the read context, and 1,000 readers sharing one
			// context contend on its lock.
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			phase := time.Duration(rand.Int64N(int64(time.Second)))
			for k := range b.N {
				if paced {
					time.Sleep(time.Until(start.Add(time.Duration(k)*time.Second + phase)))
				}
				d, err := exchange(ctx, i, k)
				if err != nil {
					errs <- err
					return
				}
				lat[i] = append(lat[i], d)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	report(b, slices.Concat(lat...), elapsed)
}

func report(b *testing.B, all []time.Duration, elapsed time.Duration) {
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "frt-p50-ms")
	b.ReportMetric(pct(0.99), "frt-p99-ms")
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(0, "ns/op")
}
