package channel

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

// httpPlatform sends each part as one POST through client.
type httpPlatform struct {
	client *http.Client
	idem   bool
}

func (p *httpPlatform) Verify(*http.Request, []byte) error { return nil }

func (p *httpPlatform) Parse(*http.Request, []byte) (*Batch, error) { return &Batch{}, nil }

func (p *httpPlatform) Send(ctx context.Context, o *Outgoing) error {
	_, err := Do(ctx, p.client, Call{URL: "http://platform/send", Body: []byte(o.Part.Text), Idempotent: p.idem})
	return err
}

func sender(t *testing.T, rt http.RoundTripper, c Config) *Adapter {
	t.Helper()
	c.Channel = "test"
	a, err := New(&httpPlatform{client: &http.Client{Transport: rt}}, c)
	require.NoError(t, err)
	return a
}

var to = parley.Address{ConversationID: "c1", Recipient: "u1"}

// script is a RoundTripper answering from a list of canned responses.
type script struct {
	mu    sync.Mutex
	resps []func(*http.Request) (*http.Response, error)
	times []time.Time
}

func (s *script) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.times = append(s.times, time.Now())
	f := s.resps[0]
	if len(s.resps) > 1 {
		s.resps = s.resps[1:]
	}
	return f(r)
}

func answer(status int, header map[string]string, body string) func(*http.Request) (*http.Response, error) {
	return func(r *http.Request) (*http.Response, error) {
		h := http.Header{}
		for k, v := range header {
			h.Set(k, v)
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
}

func TestSenderRetries(t *testing.T) {
	tests := []struct {
		name      string
		give      []func(*http.Request) (*http.Response, error)
		wantCalls int
		wantWait  time.Duration // time from first to last call
		wantErr   bool
	}{
		{name: "ok", give: list(answer(200, nil, "{}")), wantCalls: 1},
		{name: "429 with Retry-After seconds", give: list(answer(429, map[string]string{"Retry-After": "7"}, ""), answer(200, nil, "")),
			wantCalls: 2, wantWait: 7 * time.Second},
		{name: "429 with Retry-After date", give: list(
			answer(429, map[string]string{"Retry-After": time.Date(2000, 1, 1, 0, 0, 30, 0, time.UTC).Format(http.TimeFormat)}, ""),
			answer(200, nil, "")),
			wantCalls: 2, wantWait: 30 * time.Second},
		{name: "5xx backs off", give: list(answer(503, nil, ""), answer(502, nil, ""), answer(200, nil, "")), wantCalls: 3},
		{name: "400 is final", give: list(answer(400, nil, "bad")), wantCalls: 1, wantErr: true},
		{name: "gives up after MaxAttempts", give: list(answer(500, nil, "")), wantCalls: 4, wantErr: true},
		{name: "Retry-After beyond MaxWait is not waited for", give: list(answer(429, map[string]string{"Retry-After": "3600"}, "")),
			wantCalls: 1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// The synctest clock starts at 2000-01-01 00:00:00 UTC.
				sc := &script{resps: tt.give}
				a := sender(t, sc, Config{})
				err := a.Send(context.Background(), to, parley.Text("hello"))
				if tt.wantErr {
					var pe *PlatformError
					require.True(t, errors.As(err, &pe), "got %v", err)
					assert.Equal(t, "test", pe.Channel)
				} else {
					require.NoError(t, err)
				}
				require.Len(t, sc.times, tt.wantCalls)
				if tt.wantWait > 0 {
					assert.Equal(t, tt.wantWait, sc.times[len(sc.times)-1].Sub(sc.times[0]))
				}
			})
		})
	}
}

func list(fs ...func(*http.Request) (*http.Response, error)) []func(*http.Request) (*http.Response, error) {
	return fs
}

// written is a RoundTripper that fails before anything was written.
type written struct{ calls int }

func (w *written) RoundTrip(r *http.Request) (*http.Response, error) {
	w.calls++
	return nil, errors.New("connection refused")
}

// wroteThenFailed reports the request written (as a real transport does
// through httptrace) and then fails: the outcome is unknown.
func wroteThenFailed(calls *int) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		*calls++
		if tr := httptraceFrom(r); tr != nil {
			tr()
		}
		return nil, errors.New("read: connection reset by peer")
	})
}

func TestSenderNeverRetriesAmbiguous(t *testing.T) {
	calls := 0
	a := sender(t, wroteThenFailed(&calls), Config{})
	err := a.Send(context.Background(), to, parley.Text("once"))
	require.ErrorIs(t, err, ErrAmbiguous)
	assert.Equal(t, 1, calls)
}

func TestSenderRetriesAmbiguousIdempotent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		a, err := New(&httpPlatform{client: &http.Client{Transport: wroteThenFailed(&calls)}, idem: true},
			Config{Channel: "test", MaxAttempts: 2})
		require.NoError(t, err)
		var pe *PlatformError
		require.ErrorAs(t, a.Send(context.Background(), to, parley.Text("again")), &pe)
		assert.Equal(t, 2, calls, "an idempotent request may be repeated")
	})
}

func TestSenderRetriesUnsentRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &written{}
		a := sender(t, w, Config{MaxAttempts: 3})
		err := a.Send(context.Background(), to, parley.Text("hi"))
		var pe *PlatformError
		require.ErrorAs(t, err, &pe)
		assert.True(t, pe.Temporary)
		assert.Equal(t, 3, w.calls, "a request that never reached the platform is safe to retry")
	})
}

func TestSenderRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sc := &script{resps: list(answer(200, nil, ""))}
		a := sender(t, sc, Config{Limits: Limits{Rate: 100, Burst: 100, PerConversation: 1, PerConversationBurst: 1}})
		for range 3 {
			require.NoError(t, a.Send(context.Background(), to, parley.Text("x")))
		}
		require.Len(t, sc.times, 3)
		assert.Equal(t, 2*time.Second, sc.times[2].Sub(sc.times[0]), "1 message/s per conversation")
	})
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		give string
		want time.Duration
	}{
		{"", 0}, {"3", 3 * time.Second}, {"-1", 0}, {"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, parseRetryAfter(tt.give, now), tt.give)
	}
}

func TestPlatformError(t *testing.T) {
	e := NewPlatformError(400, nil, "131047", "Re-engagement message")
	e.Channel = "whatsapp"
	assert.False(t, e.Temporary)
	assert.Equal(t, "whatsapp: platform error 400 (131047): Re-engagement message", e.Error())
	assert.True(t, NewPlatformError(429, nil, "", "").Temporary)
	assert.True(t, NewPlatformError(502, nil, "", "").Temporary)
}

func TestSendAgainSkipsDeliveredParts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The first part goes through, the second is refused once.
		sc := &script{resps: list(answer(200, nil, ""), answer(400, nil, "bad"), answer(200, nil, ""))}
		a := sender(t, sc, Config{Capabilities: Capabilities{MaxText: 5}})
		m := parley.Message{ID: "in-7/0", Text: "aaaa bbbb"} // two parts
		require.Error(t, a.Send(context.Background(), to, m))
		require.Len(t, sc.times, 2)
		require.NoError(t, a.Send(context.Background(), to, m), "the Bot sends the message again")
		assert.Len(t, sc.times, 3, "only the part that failed is sent again")

		// Without an ID nothing is known to be a repeat.
		require.NoError(t, a.Send(context.Background(), to, parley.Text("one")))
		require.NoError(t, a.Send(context.Background(), to, parley.Text("one")))
		assert.Len(t, sc.times, 5)
	})
}
