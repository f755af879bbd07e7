package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/internal/testutil"
	"github.com/parleyhq/parley/memory"
)

// handlerClient is an HTTP client that serves requests with h in
// process, so that tests run inside a synctest bubble.
func handlerClient(h http.Handler) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Result(), nil
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

var secret = []byte("0123456789abcdef-secret")

func TestSignVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"type":"ticket"}`)
	h := http.Header{}
	h.Set(HeaderTimestamp, "1800000000")
	h.Set(HeaderSignature, Sign(secret, now, body))
	require.NoError(t, Verify(secret, h, body, now.Add(time.Minute), 5*time.Minute))

	tests := []struct {
		name string
		mod  func(h http.Header) ([]byte, time.Time)
	}{
		{"tampered body", func(h http.Header) ([]byte, time.Time) { return []byte(`{"type":"cancel"}`), now }},
		{"wrong secret", func(h http.Header) ([]byte, time.Time) {
			h.Set(HeaderSignature, Sign([]byte("another-secret-0000"), now, body))
			return body, now
		}},
		{"stale", func(h http.Header) ([]byte, time.Time) { return body, now.Add(time.Hour) }},
		{"no timestamp", func(h http.Header) ([]byte, time.Time) { h.Del(HeaderTimestamp); return body, now }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h2 := h.Clone()
			b, at := tt.mod(h2)
			require.ErrorIs(t, Verify(secret, h2, b, at, 5*time.Minute), ErrBadSignature)
		})
	}
}

func TestWebhookRetriesWithBackoffAndSameKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls []time.Time
		var keys []string
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(r.Body)
			if !assert.NoError(t, err) || !assert.NoError(t, Verify(secret, r.Header, body, time.Now(), time.Hour)) {
				return
			}
			calls = append(calls, time.Now())
			keys = append(keys, r.Header.Get(HeaderIdempotencyKey))
			if len(calls) < 3 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusCreated)
		})
		d, err := NewWebhook(WebhookConfig{URL: "https://desk.example/hook", Secret: secret, Client: handlerClient(h), Backoff: 100 * time.Millisecond})
		require.NoError(t, err)
		require.NoError(t, d.Submit(context.Background(), escalation.Ticket{ID: "c1-1", ConversationID: "c1"}))
		require.Len(t, calls, 3)
		assert.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}, []time.Duration{calls[1].Sub(calls[0]), calls[2].Sub(calls[1])})
		assert.Equal(t, []string{"ticket:c1-1", "ticket:c1-1", "ticket:c1-1"}, keys)
	})
}

func TestWebhookDownIsUnavailable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down", http.StatusBadGateway)
		})
		d, err := NewWebhook(WebhookConfig{URL: "https://desk.example/hook", Secret: secret, Client: handlerClient(h), Attempts: 2})
		require.NoError(t, err)
		err = d.Submit(context.Background(), escalation.Ticket{ID: "x", ConversationID: "c"})
		require.ErrorIs(t, err, escalation.ErrDeskUnavailable)
	})
}

func TestWebhookSlowDeskTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	d, err := NewWebhook(WebhookConfig{URL: srv.URL, Secret: secret, Client: srv.Client(), Attempts: 1})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = d.Submit(ctx, escalation.Ticket{ID: "x", ConversationID: "c"})
	require.Error(t, err)
}

func TestNewWebhookValidates(t *testing.T) {
	_, err := NewWebhook(WebhookConfig{URL: "ftp://x", Secret: secret})
	require.Error(t, err)
	_, err = NewWebhook(WebhookConfig{URL: "https://x", Secret: []byte("short")})
	require.Error(t, err)
}

func signedRequest(t *testing.T, body string, now time.Time) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
	r.Header.Set(HeaderTimestamp, fmt.Sprint(now.Unix()))
	r.Header.Set(HeaderSignature, Sign(secret, now, []byte(body)))
	return r
}

func TestWebhookHandlerDeduplicates(t *testing.T) {
	now := time.Now()
	var delivered []*parley.Turn
	var fail atomic.Bool
	h, err := WebhookHandler(WebhookHandlerConfig{Secret: secret, Seen: memory.NewMap(),
		Deliver: escalation.DeliverFunc(func(_ context.Context, t *parley.Turn) error {
			if fail.Load() {
				return errors.New("bot down")
			}
			delivered = append(delivered, t)
			return nil
		})})
	require.NoError(t, err)
	body := `{"id":"ev1","type":"message","ticket_id":"c1-1","conversation_id":"c1","agent":"Anna","text":"Hello"}`

	fail.Store(true)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, signedRequest(t, body, now))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "failed delivery: sender retries")

	fail.Store(false)
	for range 3 {
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, signedRequest(t, body, now))
		assert.Contains(t, []int{http.StatusAccepted, http.StatusOK}, rec.Code)
	}
	require.Len(t, delivered, 1, "a duplicate delivery never creates a second turn")
	assert.Equal(t, dialog.SignalAgentMessage, delivered[0].Signal.Name)
	assert.Equal(t, "Hello", delivered[0].Signal.Data[escalation.DataText])

	tests := []struct {
		name string
		req  *http.Request
		want int
	}{
		{"bad signature", func() *http.Request {
			r := signedRequest(t, body, now)
			r.Header.Set(HeaderSignature, "sha256=00")
			return r
		}(), http.StatusUnauthorized},
		{"bad json", signedRequest(t, `{"id":`, now), http.StatusBadRequest},
		{"unknown type", signedRequest(t, `{"id":"e","type":"x","ticket_id":"t","conversation_id":"c"}`, now), http.StatusBadRequest},
		{"get", httptest.NewRequest(http.MethodGet, "/hook", nil), http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, tt.req)
			assert.Equal(t, tt.want, rec.Code)
		})
	}
}

func FuzzParseAgentEvent(f *testing.F) {
	f.Add([]byte(`{"id":"e","type":"message","ticket_id":"t","conversation_id":"c","text":"hi"}`))
	f.Add([]byte(`{"id":"e","type":"resolved","ticket_id":"t","conversation_id":"c"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := parseAgentEvent(b)
		if err == nil && (ev.ID == "" || ev.TicketID == "" || ev.ConversationID == "") {
			t.Fatalf("accepted incomplete event %+v", ev)
		}
	})
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte("{}"), byte('x'), int64(0))
	f.Fuzz(func(t *testing.T, body []byte, extra byte, skew int64) {
		now := time.Unix(1_800_000_000, 0)
		at := now.Add(time.Duration(skew%7200) * time.Second)
		h := http.Header{}
		h.Set(HeaderTimestamp, fmt.Sprint(at.Unix()))
		h.Set(HeaderSignature, Sign(secret, at, body))
		err := Verify(secret, h, body, now, time.Hour)
		if d := now.Sub(at); d <= time.Hour && d >= -time.Hour {
			if err != nil {
				t.Fatalf("valid signature rejected: %v", err)
			}
		} else if !errors.Is(err, ErrBadSignature) {
			t.Fatalf("stale timestamp accepted: %v", err)
		}
		if err := Verify(secret, h, append(body, extra), now, time.Hour); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("tampered body accepted: %v", err)
		}
	})
}

func TestSlackNotifier(t *testing.T) {
	var got map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, json.NewDecoder(r.Body).Decode(&got))
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	s, err := NewSlack(SlackConfig{WebhookURL: srv.URL, Client: srv.Client(), ConsoleURL: "https://example.com/console/tickets/"})
	require.NoError(t, err)
	tk := escalation.Ticket{ID: "c1-1", ConversationID: "c1", Channel: "web", Reason: "refund over $100", Priority: dialog.PriorityUrgent, Summary: "Wants a refund."}
	require.NoError(t, s.Notify(context.Background(), tk))
	assert.Contains(t, got["text"], "urgent priority")
	assert.Contains(t, got["text"], "refund over $100")
	assert.Contains(t, got["text"], "https://example.com/console/tickets/c1-1")

	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "invalid_token", http.StatusForbidden)
	}))
	defer bad.Close()
	s, err = NewSlack(SlackConfig{WebhookURL: bad.URL, Client: bad.Client()})
	require.NoError(t, err)
	require.Error(t, s.Notify(context.Background(), tk))
	_, err = NewSlack(SlackConfig{WebhookURL: "not a url"})
	require.Error(t, err)
}

func TestEmailNotifier(t *testing.T) {
	srv := testutil.NewSMTP(t)
	m, err := NewEmail(EmailConfig{Addr: srv.Listen(t), From: "bot@example.com", To: []string{"support@example.com"}})
	require.NoError(t, err)
	tk := escalation.Ticket{ID: "c1-1", ConversationID: "c1", Channel: "web", Reason: "legal threat\r\nBcc: evil@example.com", Priority: dialog.PriorityUrgent,
		Summary: "Customer mentions a lawyer.", SuggestedReply: "Hi, I'm sorry.",
		Transcript: []memory.Entry{{Role: memory.RoleUser, Text: "I will call my lawyer"}}}
	require.NoError(t, m.Notify(context.Background(), tk))
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	msg := msgs[0].Data
	assert.Contains(t, msg, "Subject: [Parley] urgent priority hand-off: legal threat  Bcc: evil@example.com")
	header, _, _ := strings.Cut(msg, "\r\n\r\n")
	assert.NotContains(t, header, "\r\nBcc:", "no header injection")
	assert.Contains(t, msg, "I will call my lawyer")
	assert.Equal(t, []string{"support@example.com"}, msgs[0].To)

	_, err = NewEmail(EmailConfig{Addr: "nohost", From: "a@b", To: []string{"c@d"}})
	require.Error(t, err)
	_, err = NewEmail(EmailConfig{Addr: "h:25", From: "a@b\r\nX: y", To: []string{"c@d"}})
	require.Error(t, err)
}

func TestNotifyingDesk(t *testing.T) {
	d := desk.NewMemory(escalation.DeliverFunc(func(context.Context, *parley.Turn) error { return nil }))
	var n atomic.Int32
	ok := notifierFunc(func(context.Context, escalation.Ticket) error { n.Add(1); return nil })
	failing := notifierFunc(func(context.Context, escalation.Ticket) error { return errors.New("slack down") })
	var reported []error
	nd := Notifying(d, func(err error) { reported = append(reported, err) }, ok, failing)
	require.NoError(t, nd.Submit(context.Background(), escalation.Ticket{ID: "t1", ConversationID: "c"}),
		"a failed notification does not undo the hand-off")
	require.Len(t, reported, 1)
	assert.Contains(t, reported[0].Error(), `"t1"`)
	_, found := d.Get("t1")
	assert.True(t, found, "the ticket is submitted even though a notification failed")
	assert.Equal(t, int32(1), n.Load())
}

type notifierFunc func(context.Context, escalation.Ticket) error

func (f notifierFunc) Notify(ctx context.Context, t escalation.Ticket) error { return f(ctx, t) }
