package whatsapp

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
)

// BenchmarkWebhookIngest measures the acknowledged-webhook path: read,
// signature check, parse, enqueue (into a recording queue).
func BenchmarkWebhookIngest(b *testing.B) {
	a := benchAdapter(b)
	h := a.Handler(&channeltest.Queue{})
	bodies := benchBodies(b.N)
	ingest(b, h, bodies)
}

// BenchmarkWebhookIngestBot is WebhookIngest into a real Bot (in-memory
// store): the webhook is answered once Bot.Enqueue has recorded the
// message; the Bot runs the (empty) handler afterwards, and Shutdown at
// the end waits for it.
func BenchmarkWebhookIngestBot(b *testing.B) {
	a := benchAdapter(b)
	bot := parley.NewBot(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }),
		parley.WithSender("whatsapp", a))
	h := a.Handler(bot)
	bodies := benchBodies(b.N)
	ingest(b, h, bodies)
	b.StopTimer()
	if err := bot.Shutdown(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkBaselineVerifyUnmarshal is the peer: only the HMAC and
// json.Unmarshal of the same bodies, with the same request construction.
func BenchmarkBaselineVerifyUnmarshal(b *testing.B) {
	bodies := benchBodies(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := request(bodies[i], channeltest.Signed)
		_ = channel.HMACHex(sha256.New, []byte(secret), bodies[i])
		var n webhookNotification
		if err := json.Unmarshal(bodies[i], &n); err != nil {
			b.Fatal(err)
		}
		_ = r
	}
}

// benchAdapter is an adapter whose sends would fail: the benchmarks only
// take webhooks.
func benchAdapter(b *testing.B) *channel.Adapter {
	a, err := New(Config{PhoneNumberID: phoneID, AccessToken: "t", AppSecret: secret, VerifyToken: "v",
		BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// benchBodies returns n one-message notifications from 1,000 users.
func benchBodies(n int) [][]byte {
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = notification(textMessage(fmt.Sprintf("wamid.%d", i), fmt.Sprintf("1555%07d", i%1000), "where is my order?"))
	}
	return bodies
}

// ingest posts each of bodies, signed, to h in the timed loop.
func ingest(b *testing.B, h http.Handler, bodies [][]byte) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, request(bodies[i], channeltest.Signed))
		if rr.Code != 200 {
			b.Fatalf("status %d", rr.Code)
		}
	}
}
