package sink_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/sink"
)

// A JSONL sink writes one event a line; in production it is given to
// analytics.NewRecorder with analytics.WithSink, over an append-only file.
func ExampleNewJSONL() {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var log bytes.Buffer
	err := sink.NewJSONL(&log).Write(context.Background(), []analytics.Event{
		{Kind: "flow.end", Time: at, Conversation: "c1", Attrs: map[string]string{"flow": "refund", "status": "resolved"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(log.String())

	// The log reads back into the same events.
	for e, err := range sink.ReadJSONL(&log) {
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(e.Conversation, e.Kind, e.Attrs["status"])
	}
	// Output:
	// {"kind":"flow.end","time":"2026-03-02T09:00:00Z","conversation":"c1","attrs":{"flow":"refund","status":"resolved"}}
	// c1 flow.end resolved
}
