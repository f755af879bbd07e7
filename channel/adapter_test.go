package channel

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/testutil"
)

// linePlatform reads one "<conversation> <id> <text>" message per line;
// the header X-Secret must be "s".
type linePlatform struct{ answer []byte }

func (p *linePlatform) Verify(r *http.Request, _ []byte) error {
	if !EqualSecret([]byte(r.Header.Get("X-Secret")), []byte("s")) {
		return ErrSignature
	}
	return nil
}

func (p *linePlatform) Parse(_ *http.Request, body []byte) (*Batch, error) {
	b := &Batch{Body: p.answer, ContentType: "text/plain"}
	for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		f := strings.SplitN(line, " ", 3)
		if len(f) != 3 {
			return nil, ErrMalformed
		}
		if f[2] == "sticker" {
			b.Events = append(b.Events, parley.Event{Kind: EventUnsupported, ConversationID: f[0]})
			continue
		}
		b.Inbound = append(b.Inbound, Inbound{Turn: &parley.Turn{ConversationID: f[0], MessageID: f[1], Recipient: f[0],
			Message: parley.Text(f[2])}, UserID: f[0], Verified: Contact{Phone: "+1555"}})
	}
	return b, nil
}

func (p *linePlatform) Send(context.Context, *Outgoing) error { return nil }

type queue struct {
	mu    sync.Mutex
	turns []*parley.Turn
	err   func(t *parley.Turn) error
}

func (q *queue) Enqueue(_ context.Context, t *parley.Turn) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		if err := q.err(t); err != nil {
			return err
		}
	}
	q.turns = append(q.turns, t)
	return nil
}

type failingLinker struct{}

func (failingLinker) Resolve(context.Context, Identity) (string, error) { return "", ErrNotLinked }
func (failingLinker) Link(context.Context, Identity, Contact) (string, error) {
	return "", errors.New("store down")
}

func serve(a *Adapter, q Enqueuer, method, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/hook", strings.NewReader(body))
	r.Header.Set("X-Secret", "s")
	return testutil.Serve(a.Handler(q), r)
}

func TestHandlerEnqueuesAndAnswers(t *testing.T) {
	obs := &testutil.Events{}
	a, err := New(&linePlatform{answer: []byte("ok")}, Config{Channel: "line", Observer: obs, Linker: failingLinker{}})
	require.NoError(t, err)
	q := &queue{}
	rr := serve(a, q, http.MethodPost, "c1 m1 hello\nc1 m2 sticker\nc2 m3 hi")
	assert.Equal(t, 200, rr.Code)
	assert.Equal(t, "ok", rr.Body.String(), "the platform's answer is the response")
	assert.Equal(t, "text/plain", rr.Header().Get("Content-Type"))
	require.Len(t, q.turns, 2)
	for _, tn := range q.turns {
		assert.Equal(t, "line", tn.Channel)
		assert.False(t, tn.Time.IsZero())
		assert.Empty(t, tn.CustomerID, "a failing linker leaves the turn unlinked")
	}
	var kinds []parley.EventKind
	for _, e := range obs.All() {
		kinds = append(kinds, e.Kind)
		assert.Equal(t, "line", e.Channel)
		assert.False(t, e.Time.IsZero())
	}
	assert.Equal(t, []parley.EventKind{EventUnsupported, EventIdentityError, EventIdentityError}, kinds)
}

func TestHandlerRefusals(t *testing.T) {
	obs := &testutil.Events{}
	a, err := New(&linePlatform{}, Config{Channel: "line", Observer: obs, MaxBody: 32})
	require.NoError(t, err)
	q := &queue{}
	assert.Equal(t, http.StatusMethodNotAllowed, serve(a, q, http.MethodPut, "c1 m1 hi").Code)
	assert.Equal(t, http.StatusRequestEntityTooLarge, serve(a, q, http.MethodPost, strings.Repeat("x", 33)).Code)
	assert.Equal(t, http.StatusBadRequest, serve(a, q, http.MethodPost, "junk").Code)
	r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader("c1 m1 hi"))
	rr := httptest.NewRecorder()
	a.Handler(q).ServeHTTP(rr, r)
	assert.Equal(t, http.StatusUnauthorized, rr.Code)
	assert.Empty(t, q.turns)
	require.Len(t, obs.All(), 4)
	for _, e := range obs.All() {
		var re *RejectError
		require.ErrorAs(t, e.Err, &re)
		assert.Equal(t, EventRejected, e.Kind)
	}
}

func TestHandlerBotRefusesTurn(t *testing.T) {
	a, err := New(&linePlatform{}, Config{Channel: "line"})
	require.NoError(t, err)
	q := &queue{err: func(t *parley.Turn) error {
		switch t.MessageID {
		case "m1":
			return parley.ErrDuplicate
		case "m3":
			return parley.ErrClosed
		}
		return nil
	}}
	assert.Equal(t, 200, serve(a, q, http.MethodPost, "c1 m1 again\nc1 m2 new").Code, "a duplicate is acknowledged")
	assert.Equal(t, http.StatusServiceUnavailable, serve(a, q, http.MethodPost, "c1 m3 late").Code)
	require.Len(t, q.turns, 1)
	assert.Equal(t, "m2", q.turns[0].MessageID)
}

func TestNewValidates(t *testing.T) {
	_, err := New(nil, Config{Channel: "x"})
	assert.Error(t, err)
	_, err = New(&linePlatform{}, Config{})
	assert.Error(t, err)
}

// signalPlatform turns each line "<conversation> <id> <signal>" into a
// signal turn, as a careless driver mapping a webhook field to a Signal
// would.
type signalPlatform struct{ linePlatform }

func (p *signalPlatform) Parse(_ *http.Request, body []byte) (*Batch, error) {
	b := &Batch{}
	for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		f := strings.SplitN(line, " ", 3)
		b.Inbound = append(b.Inbound, Inbound{Turn: &parley.Turn{ConversationID: f[0], MessageID: f[1],
			Signal: &parley.Signal{Name: f[2], Data: map[string]string{"text": "approved"}}}, UserID: f[0]})
	}
	return b, nil
}

// TestAdapterDropsInternalSignals: whatever a platform's payload says, an
// agent message, hand-off or approval signal never enters the bot from
// outside.
func TestAdapterDropsInternalSignals(t *testing.T) {
	obs := &testutil.Events{}
	a, err := New(&signalPlatform{}, Config{Channel: "line", Observer: obs})
	require.NoError(t, err)
	q := &queue{}
	rr := serve(a, q, http.MethodPost, "c1 m1 handoff.agent_message\nc1 m2 approval.decided\nc1 m3 flow.timer\nc1 m4 order.shipped")
	assert.Equal(t, 200, rr.Code)
	require.Len(t, q.turns, 1)
	assert.Equal(t, "order.shipped", q.turns[0].Signal.Name)
	var refused []string
	for _, e := range obs.All() {
		require.Equal(t, EventRejected, e.Kind)
		refused = append(refused, e.MessageID)
		var re *RejectError
		require.ErrorAs(t, e.Err, &re)
		assert.Equal(t, http.StatusForbidden, re.Status)
	}
	assert.Equal(t, []string{"m1", "m2", "m3"}, refused)
}

func TestInternalSignal(t *testing.T) {
	for _, name := range []string{"handoff.agent_message", "handoff.resolved", "approval.decided", "flow.timer", "proactive.step"} {
		assert.True(t, InternalSignal(name), name)
	}
	for _, name := range []string{"product_view", "page.idle", "order.shipped", "handoffs", "cart.abandoned"} {
		assert.False(t, InternalSignal(name), name)
	}
}
