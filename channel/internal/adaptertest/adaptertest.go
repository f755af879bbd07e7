// Package adaptertest holds the scaffolding that the platform packages'
// tests share: the conformance run over a fresh fake platform, a fake
// JSON API built on [channeltest.Server], and stable fake platform IDs.
// It is imported only by _test.go files.
package adaptertest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/internal/testutil"
)

// Conformance runs channeltest's suite for the channel name: each check
// gets a fresh platform and an adapter built over it with a webhook body
// limit of maxBody; encode and request make the platform's webhooks. Each
// tweak, if any, adjusts the Env (Malformed bodies, say).
func Conformance[P channeltest.Platform](t *testing.T, name string, maxBody int64,
	platform func(testing.TB) P, adapter func(testing.TB, P, channel.Config) *channel.Adapter,
	encode func(channeltest.Inbound) []byte, request func([]byte, channeltest.Signing) *http.Request,
	tweak ...func(*channeltest.Env)) {
	t.Helper()
	channeltest.Run(t, channeltest.Harness{
		Channel: name,
		New: func(t *testing.T) *channeltest.Env {
			p := platform(t)
			env := &channeltest.Env{Adapter: adapter(t, p, channel.Config{MaxBody: maxBody}), Platform: p,
				Encode: encode, Request: request, MaxBody: maxBody}
			for _, f := range tweak {
				f(env)
			}
			return env
		},
	})
}

// New returns newAdapter(c), failing t at once if it fails: the
// adapter tests' "a, err := slack.New(cfg); require.NoError(t, err)".
func New[C any](t testing.TB, newAdapter func(C) (*channel.Adapter, error), c C) *channel.Adapter {
	t.Helper()
	a, err := newAdapter(c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// An API is a fake messaging platform API that answers in JSON. Message
// sends are the requests Send decodes; every other call (typing, read
// receipts, menus) succeeds with Other.
type API struct {
	// Send decodes a request as a message send; ok is false for other
	// calls. [JSONSend] builds one for the usual JSON body.
	Send func(r *http.Request, body []byte) (o channeltest.Outbound, ok bool)
	// Sent is the answer to the seq-th accepted send (from 1).
	Sent func(seq int) string
	// SentStatus is the HTTP status of an accepted send (default 200).
	SentStatus int
	// Other is the answer to any other call.
	Other string
	// Failed is the error answer for f; the status is f.Status.
	Failed func(f channeltest.Failure) string
}

// Server returns a channeltest.Server that plays a for one test.
func (a API) Server(t testing.TB) *channeltest.Server {
	return channeltest.NewServer(t, channeltest.ServerConfig{
		Decode: a.Send,
		Success: func(w http.ResponseWriter, _ *http.Request, seq int) {
			if seq == 0 {
				writeJSON(w, http.StatusOK, a.Other)
				return
			}
			writeJSON(w, max(a.SentStatus, http.StatusOK), a.Sent(seq))
		},
		Failure: func(w http.ResponseWriter, _ *http.Request, f channeltest.Failure) {
			writeJSON(w, f.Status, a.Failed(f))
		},
	})
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// JSONSend returns an [API.Send] for message sends POSTed as JSON to
// path, with the header "Authorization: <auth>" when auth is not empty:
// the body is decoded into an M, and outbound says what it carries (ok
// false for a request that is not a message send).
func JSONSend[M any](path, auth string, outbound func(m *M) (o channeltest.Outbound, ok bool)) func(*http.Request, []byte) (channeltest.Outbound, bool) {
	return func(r *http.Request, body []byte) (channeltest.Outbound, bool) {
		var m M
		if r.URL.Path != path || (auth != "" && r.Header.Get("Authorization") != auth) || json.Unmarshal(body, &m) != nil {
			return channeltest.Outbound{}, false
		}
		return outbound(&m)
	}
}

// ID returns a stable number below n for s, for platforms whose IDs are
// numbers (chat IDs, timestamps, phone numbers) in fake webhooks.
func ID(s string, n uint32) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32() % n
}

// GraphError is the Graph API's error answer (Messenger, Instagram,
// WhatsApp) to f: code, or rateCode for a 429, and the platform's extra
// fields (`"error_subcode":2018001`).
func GraphError(f channeltest.Failure, code, rateCode int, extra string) string {
	if f.Status == http.StatusTooManyRequests {
		code = rateCode
	}
	return fmt.Sprintf(`{"error":{"message":%q,"type":"OAuthException","code":%d,%s}}`, f.Reason, code, extra)
}

// Post serves r with a's webhook handler, enqueuing on q, and returns
// the response.
func Post(a *channel.Adapter, q channel.Enqueuer, r *http.Request) *httptest.ResponseRecorder {
	return testutil.Serve(a.Handler(q), r)
}

// Events is a [parley.Observer] that records every event, for an
// adapter's Config.Observer. The zero value is ready to use, and it is
// safe for concurrent use.
type Events struct{ testutil.Events }

// Attrs returns the attribute key of each event of the given kind seen so
// far, in order; an empty kind takes every event.
func (obs *Events) Attrs(kind parley.EventKind, key string) []string {
	var vs []string
	for _, e := range obs.All() {
		if kind == "" || e.Kind == kind {
			vs = append(vs, e.Attrs[key])
		}
	}
	return vs
}
