package sink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/sink"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fixture is a small log: turns with a channel and a duration, a flow's
// start and end with attributes, and an escalation.
func fixture() []analytics.Event {
	return []analytics.Event{
		{Kind: parley.EventTurn, Time: t0, Conversation: "c1", Customer: "u1", Channel: "web", Message: "m1", Duration: time.Second},
		{Kind: "flow.start", Time: t0.Add(time.Millisecond), Conversation: "c1", Attrs: map[string]string{"flow": "order_status"}},
		{Kind: "flow.end", Time: t0.Add(2 * time.Millisecond), Conversation: "c1", Attrs: map[string]string{"flow": "order_status", "status": "resolved"}},
		{Kind: parley.EventTurn, Time: t0.Add(time.Minute), Conversation: "c2", Channel: "whatsapp", Duration: 2 * time.Second},
		{Kind: "escalation.requested", Time: t0.Add(time.Minute + time.Nanosecond), Conversation: "c2", Attrs: map[string]string{"reason": "angry"}},
		{Kind: parley.EventTurn, Time: t0.Add(2 * time.Minute), Conversation: "c3", Duration: 500 * time.Millisecond},
	}
}

func TestJSONLRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	events := fixture()
	events[0].Error = "handler: boom"
	require.NoError(t, sink.NewJSONL(&buf).Write(context.Background(), events))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, len(events))
	// A malformed line, a line that is no event, a blank line.
	log := strings.Join(lines[:3], "\n") + "\n{not json\n\n[1,2]\n{}\n" + strings.Join(lines[3:], "\n") + "\n"
	var got []analytics.Event
	var bad []int
	for e, err := range sink.ReadJSONL(strings.NewReader(log)) {
		var le *sink.LineError
		if errors.As(err, &le) {
			bad = append(bad, le.Line)
			continue
		}
		got = append(got, e)
	}
	assert.Equal(t, []int{4, 6, 7}, bad)
	assert.Equal(t, events, got)
	assert.Equal(t, events[0].Hash(), got[0].Hash())
}

func TestSlogSink(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	require.NoError(t, sink.Slog(l).Write(context.Background(), fixture()[:2]))
	var first map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.SplitN(buf.String(), "\n", 2)[0]), &first))
	assert.Equal(t, "turn", first["kind"])
	assert.Equal(t, "c1", first["conversation"])
	assert.Equal(t, 2, strings.Count(buf.String(), "\n"))
}

func TestHTTPSink(t *testing.T) {
	var got [][]analytics.Event
	var auth []string
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Events []analytics.Event }
		b, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &body))
		got = append(got, body.Events)
		auth = append(auth, r.Header.Get("Authorization"))
		w.WriteHeader(status)
	}))
	defer srv.Close()
	s, err := sink.NewHTTP(sink.HTTPConfig{URL: srv.URL, Header: http.Header{"Authorization": {"Bearer k"}}})
	require.NoError(t, err)
	require.NoError(t, s.Write(context.Background(), fixture()[:3]))
	status = http.StatusServiceUnavailable
	require.Error(t, s.Write(context.Background(), fixture()[:1]))
	require.Len(t, got, 2)
	assert.Equal(t, fixture()[:3], got[0])
	assert.Equal(t, []string{"Bearer k", "Bearer k"}, auth)

	srv.Close() // down
	require.Error(t, s.Write(context.Background(), fixture()[:1]))

	for _, u := range []string{"", "ftp://x", "/relative", "http://"} {
		_, err := sink.NewHTTP(sink.HTTPConfig{URL: u})
		require.Error(t, err, u)
	}
}
