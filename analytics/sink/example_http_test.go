package sink_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/sink"
)

// An HTTP sink posts each batch to a collector as {"events": [...]}; in
// production it is given to analytics.NewRecorder with
// analytics.WithSink. Here the collector is a test server.
func ExampleNewHTTP() {
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer collector-token" {
			http.Error(w, "who are you?", http.StatusUnauthorized)
			return
		}
		var batch struct {
			Events []analytics.Event `json:"events"`
		}
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, e := range batch.Events {
			fmt.Println("collected:", r.Header.Get("Content-Type"), e.Kind, e.Conversation, e.Attrs)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer collector.Close()

	s, err := sink.NewHTTP(sink.HTTPConfig{URL: collector.URL + "/events", Client: collector.Client(),
		Header: http.Header{"Authorization": {"Bearer collector-token"}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	err = s.Write(context.Background(), []analytics.Event{
		{Kind: "turn", Time: at, Conversation: "c1", Attrs: map[string]string{"intent": "refund"}},
		{Kind: "handoff", Time: at.Add(time.Minute), Conversation: "c1"},
	})
	fmt.Println("written:", err == nil)

	// A collector that refuses the batch fails the write; the Recorder
	// reports it and goes on.
	anon, err := sink.NewHTTP(sink.HTTPConfig{URL: collector.URL + "/events", Client: collector.Client()})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(anon.Write(context.Background(), []analytics.Event{{Kind: "turn", Time: at}}))

	_, err = sink.NewHTTP(sink.HTTPConfig{URL: "collector.example/events"})
	fmt.Println(err)
	// Output:
	// collected: application/json turn c1 map[intent:refund]
	// collected: application/json handoff c1 map[]
	// written: true
	// analytics: http sink: 401 Unauthorized
	// analytics: http sink: URL "collector.example/events" is not an absolute http(s) URL
}
