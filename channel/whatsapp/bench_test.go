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
// signature check, parse, de-duplicate, enqueue (the handler does nothing).
func BenchmarkWebhookIngest(b *testing.B) {
	h := parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil })
	a, err := New(Config{PhoneNumberID: phoneID, AccessToken: "t", AppSecret: secret, VerifyToken: "v",
		BaseURL: "http://127.0.0.1:1", Options: channel.Options{QueueSize: 1 << 16}}, h)
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = notification(textMessage(fmt.Sprintf("wamid.%d", i), fmt.Sprintf("1555%07d", i%1000), "where is my order?"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rr := httptest.NewRecorder()
		a.ServeHTTP(rr, request(bodies[i], channeltest.Signed))
		if rr.Code != 200 {
			b.Fatalf("status %d", rr.Code)
		}
	}
	b.StopTimer()
	if err := a.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkBaselineVerifyUnmarshal is the peer: only the HMAC and
// json.Unmarshal of the same bodies, with the same request construction.
func BenchmarkBaselineVerifyUnmarshal(b *testing.B) {
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = notification(textMessage(fmt.Sprintf("wamid.%d", i), fmt.Sprintf("1555%07d", i%1000), "where is my order?"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := request(bodies[i], channeltest.Signed)
		_ = channel.HMACHex(sha256.New, []byte(secret), bodies[i])
		var n Notification
		if err := json.Unmarshal(bodies[i], &n); err != nil {
			b.Fatal(err)
		}
		_ = r
	}
}

// BenchmarkRoundTrip measures webhook in to reply out over loopback HTTP
// against a fake Graph API, with the default 8 workers.
func BenchmarkRoundTrip(b *testing.B) {
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"messages":[{"id":"wamid.out"}]}`)
	}))
	defer graph.Close()
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("echo: "+t.Text()))
	})
	unlimited := channel.Limits{}
	a, err := New(Config{PhoneNumberID: phoneID, AccessToken: "t", AppSecret: secret, VerifyToken: "v",
		BaseURL: graph.URL, Options: channel.Options{QueueSize: 1 << 16, Limits: &unlimited}}, h)
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = notification(textMessage(fmt.Sprintf("wamid.%d", i), fmt.Sprintf("1555%07d", i%1000), "hi"))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rr := httptest.NewRecorder()
		a.ServeHTTP(rr, request(bodies[i], channeltest.Signed))
		if rr.Code != 200 {
			b.Fatalf("status %d", rr.Code)
		}
	}
	if err := a.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
