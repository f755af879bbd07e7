package desk_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/escalation/desk/internal/desktest"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

type summary struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	Priority string `json:"priority"`
	Status   string `json:"status"`
	Agent    string `json:"agent"`
	Mood     string `json:"mood"`
	Version  string `json:"version"`
}

type wsState struct {
	Agent     string             `json:"agent"`
	Online    []string           `json:"online"`
	Queue     []summary          `json:"queue"`
	Recent    []summary          `json:"recent"`
	Approvals []desk.Approval    `json:"approvals"`
	Canned    []desk.CannedReply `json:"canned"`
}

type wsDetail struct {
	summary
	ReasonText     string      `json:"reason_text"`
	SuggestedReply string      `json:"suggested_reply"`
	MoodText       string      `json:"mood_text"`
	Moods          []float64   `json:"moods"`
	Facts          [][2]string `json:"facts"`
	Transcript     []struct {
		From, Role, Text string
		Internal         bool
	} `json:"transcript"`
	CloseReason string `json:"close_reason"`
	Open        bool   `json:"open"`
}

func call(t *testing.T, h http.Handler, method, path, body string) (int, []byte) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec.Code, rec.Body.Bytes()
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(b, &v), string(b))
	return v
}

func TestConsoleQueueAndCase(t *testing.T) {
	rec := &desktest.Recorder{}
	d := desk.NewMemory(rec)
	ctx := t.Context()
	now := time.Now()
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "c1-1", ConversationID: "c1", CustomerID: "cus_maria", Reason: "asked for a person",
		Priority: dialog.PriorityNormal, Created: now.Add(-5 * time.Minute), SuggestedReply: "Hi Maria, thanks for waiting.",
		Profile: map[string]string{"name": "Maria Silva", "first_name": "Maria", "tier": "gold"},
		Mood:    nlu.Mood{Score: 0.55, Label: "neutral"}, Scores: []float64{0.6, 0.55},
		Transcript: []memory.Entry{{Role: memory.RoleUser, Text: "this is useless... NOW!!!"}, {Role: memory.RoleBot, Text: "Sorry"}},
		Entities:   []nlu.Entity{{Type: "order_id", Value: "A-1002"}, {Type: "money", Value: "60 USD"}},
		Intents:    []nlu.Intent{{Name: "refund"}}}))
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "c2-1", ConversationID: "c2", Reason: "legal threat", Priority: dialog.PriorityUrgent, Created: now}))
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "c3-1", ConversationID: "c3", Reason: "asked for a person", Priority: dialog.PriorityNormal,
		Created:    now.Add(-10 * time.Minute),
		Intents:    []nlu.Intent{{Name: "greeting"}},
		Transcript: []memory.Entry{{Role: memory.RoleUser, Text: "asdkjh qwelkj zzx"}, {Role: memory.RoleUser, Text: "handoff:yes"}}}))
	c := desk.NewConsole(d)

	code, b := call(t, c, http.MethodGet, "/api/state?agent=%20Kim%20", "")
	require.Equal(t, http.StatusOK, code)
	st := decode[wsState](t, b)
	assert.Equal(t, "Kim", st.Agent)
	var ids []string
	for _, q := range st.Queue {
		ids = append(ids, q.ID)
	}
	assert.Equal(t, []string{"c2-1", "c3-1", "c1-1"}, ids, "urgent first, then the longest waiting")
	assert.Equal(t, "upset", st.Queue[2].Mood, "capitals and exclamation marks are not calm, whatever the score")
	assert.NotEmpty(t, st.Canned)

	code, b = call(t, c, http.MethodGet, "/api/tickets/c1-1", "")
	require.Equal(t, http.StatusOK, code)
	cs := decode[wsDetail](t, b)
	assert.Equal(t, "Maria Silva", cs.Customer)
	assert.Equal(t, "Maria accepted the assistant's offer of a person.", cs.ReasonText)
	assert.Contains(t, cs.MoodText, "Upset")
	assert.NotContains(t, cs.MoodText, "0%")
	assert.Equal(t, []float64{0.6, 0.55}, cs.Moods, "mood over time")
	assert.Contains(t, cs.Facts, [2]string{"Order", "A-1002"})
	assert.Contains(t, cs.Facts, [2]string{"Amount", "$60.00"}, "one currency format")
	assert.Contains(t, cs.Facts, [2]string{"Asked about", "refund"})

	_, b = call(t, c, http.MethodGet, "/api/tickets/c3-1", "")
	cs = decode[wsDetail](t, b)
	assert.Equal(t, "The assistant did not understand the customer's messages; the customer then accepted its offer of a person.", cs.ReasonText, "gibberish is not described as asking for a person")
	assert.Equal(t, "(tapped a button: yes)", cs.Transcript[1].Text, "a payload is shown as the tap it was")
	assert.Empty(t, cs.Facts, "small talk is not a fact")

	code, _ = call(t, c, http.MethodGet, "/api/tickets/nope", "")
	assert.Equal(t, http.StatusNotFound, code)
}

func TestConsoleActions(t *testing.T) {
	rec := &desktest.Recorder{}
	d := desk.NewMemory(rec)
	ctx := t.Context()
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "c1-1", ConversationID: "c1", Reason: "asked for a person", Priority: dialog.PriorityHigh}))
	c := desk.NewConsole(d)

	code, _ := call(t, c, http.MethodPost, "/api/tickets/c1-1/reply", `{"text":"hi"}`)
	assert.Equal(t, http.StatusBadRequest, code, "no agent, no action")
	code, _ = call(t, c, http.MethodPost, "/api/tickets/c1-1/reply", `{"agent":"Kim","text":"  "}`)
	assert.Equal(t, http.StatusBadRequest, code)

	code, _ = call(t, c, http.MethodPost, "/api/tickets/c1-1/reply", `{"agent":"Kim","text":"Hi, I'm Kim."}`)
	require.Equal(t, http.StatusOK, code)
	code, _ = call(t, c, http.MethodPost, "/api/tickets/c1-1/note", `{"agent":"Kim","text":"Gold customer, be generous"}`)
	require.Equal(t, http.StatusOK, code)
	code, _ = call(t, c, http.MethodPost, "/api/tickets/c1-1/transfer", `{"agent":"Kim","to":"Kim"}`)
	assert.Equal(t, http.StatusBadRequest, code, "not to oneself")
	code, _ = call(t, c, http.MethodPost, "/api/tickets/c1-1/transfer", `{"agent":"Kim","to":" Lee "}`)
	require.Equal(t, http.StatusOK, code)
	code, _ = call(t, c, http.MethodPost, "/api/tickets/c1-1/resolve", `{"agent":"Lee"}`)
	assert.Equal(t, http.StatusBadRequest, code, "resolving needs a reason")
	code, b := call(t, c, http.MethodPost, "/api/tickets/c1-1/resolve", `{"agent":"Lee","reason":"Refund issued"}`)
	require.Equal(t, http.StatusOK, code)
	cs := decode[wsDetail](t, b)
	assert.False(t, cs.Open)
	assert.Equal(t, "Refund issued", cs.CloseReason)
	var roles []string
	for _, l := range cs.Transcript {
		roles = append(roles, l.Role+":"+l.From)
	}
	assert.Equal(t, []string{"agent:Kim", "note:Kim", "note:Kim", "note:Lee"}, roles, "reply, note, transfer record, resolution record")

	assert.Equal(t, []string{
		"handoff.assigned Kim ", "handoff.agent_message Kim Hi, I'm Kim.", "handoff.assigned Lee ", "handoff.resolved Lee ",
	}, rec.Signals(), "notes never reach the customer; a transfer tells them who they are talking with")

	code, _ = call(t, c, http.MethodPost, "/api/tickets/c1-1/reply", `{"agent":"Lee","text":"late"}`)
	assert.Equal(t, http.StatusConflict, code)
	code, _ = call(t, c, http.MethodPost, "/api/tickets/zz/reply", `{"agent":"Lee","text":"x"}`)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = call(t, c, http.MethodPost, "/api/tickets/c1-1/explode", `{"agent":"Lee"}`)
	assert.Equal(t, http.StatusNotFound, code)

	code, b = call(t, c, http.MethodGet, "/api/state", "")
	require.Equal(t, http.StatusOK, code)
	st := decode[wsState](t, b)
	assert.Empty(t, st.Queue)
	require.Len(t, st.Recent, 1)
	assert.Equal(t, "resolved", st.Recent[0].Status)
}

func TestConsoleAgentFromSession(t *testing.T) {
	rec := &desktest.Recorder{}
	d := desk.NewMemory(rec)
	require.NoError(t, d.Submit(t.Context(), escalation.Ticket{ID: "c1-1", ConversationID: "c1", Reason: "asked for a person"}))
	c := desk.NewConsole(d, desk.WithAgentName(func(*http.Request) string { return "Sam" }))
	code, _ := call(t, c, http.MethodPost, "/api/tickets/c1-1/assign", `{"agent":"Mallory"}`)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"handoff.assigned Sam "}, rec.Signals(), "the session's name, not the one sent")
}

func TestConsoleRefusesForms(t *testing.T) {
	d := desk.NewMemory(&desktest.Recorder{})
	require.NoError(t, d.Submit(t.Context(), escalation.Ticket{ID: "c1-1", ConversationID: "c1", Reason: "x"}))
	c := desk.NewConsole(d)
	r := httptest.NewRequest(http.MethodPost, "/api/tickets/c1-1/reply", strings.NewReader("agent=Eve&text=hi"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, r)
	assert.Equal(t, http.StatusUnsupportedMediaType, rec.Code)

	r = httptest.NewRequest(http.MethodPost, "/api/tickets/c1-1/reply", strings.NewReader(`{"agent":"Eve","text":"hi"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	rec = httptest.NewRecorder()
	c.ServeHTTP(rec, r)
	assert.Equal(t, http.StatusForbidden, rec.Code, "cross-site requests are refused")

	rec = httptest.NewRecorder()
	c.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "script-src 'self'")
	assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
	assert.Contains(t, rec.Body.String(), `src="assets/workspace.js"`, "relative, so it works under any prefix")
	for _, a := range []string{"/assets/workspace.js", "/assets/workspace.css"} {
		code, _ := call(t, c, http.MethodGet, a, "")
		assert.Equal(t, http.StatusOK, code, a)
	}
	code, _ := call(t, c, http.MethodGet, "/assets/../console.go", "")
	assert.NotEqual(t, http.StatusOK, code)
}

type fakeApprovals struct {
	mu      sync.Mutex
	pending []desk.Approval
	decided []string
}

func (f *fakeApprovals) Pending(context.Context) ([]desk.Approval, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]desk.Approval(nil), f.pending...), nil
}

func (f *fakeApprovals) Decide(_ context.Context, id, agent string, approve bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, p := range f.pending {
		if p.ID == id {
			f.pending = append(f.pending[:i], f.pending[i+1:]...)
			f.decided = append(f.decided, id+" "+agent)
			return nil
		}
	}
	return errors.New("no such request waiting")
}

// next reads the next state event from an event stream.
func next(t *testing.T, sc *bufio.Scanner) wsState {
	t.Helper()
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			return decode[wsState](t, []byte(data))
		}
	}
	t.Fatalf("stream ended: %v", sc.Err())
	return wsState{}
}

func TestConsoleLiveEvents(t *testing.T) {
	d := desk.NewMemory(&desktest.Recorder{})
	appr := &fakeApprovals{pending: []desk.Approval{{ID: "ap1", ConversationID: "c9", What: "Refund $60.00 on order A-1002", Created: time.Now()}}}
	srv := httptest.NewServer(http.StripPrefix("/console", desk.NewConsole(d, desk.WithApprovals(appr))))
	defer srv.Close()

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/console/api/events?agent=Kim", nil)
	require.NoError(t, err)
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(nil, 1<<20)

	st := next(t, sc)
	assert.Empty(t, st.Queue)
	assert.Equal(t, []string{"Kim"}, st.Online)
	require.Len(t, st.Approvals, 1)
	assert.Equal(t, "pending", st.Approvals[0].Status)

	// A hand-off appears without asking.
	require.NoError(t, d.Submit(t.Context(), escalation.Ticket{ID: "c1-1", ConversationID: "c1", Reason: "asked for a person"}))
	st = next(t, sc)
	require.Len(t, st.Queue, 1)
	assert.Equal(t, "c1-1", st.Queue[0].ID)

	// A decision shows as decided, by whom.
	code := postJSON(t, srv, "/console/api/approvals/ap1/approve", `{"agent":"Kim"}`)
	require.Equal(t, http.StatusOK, code)
	st = next(t, sc)
	require.Len(t, st.Approvals, 1)
	assert.Equal(t, "approved", st.Approvals[0].Status)
	assert.Equal(t, "Kim", st.Approvals[0].DecidedBy)
	assert.Equal(t, []string{"ap1 Kim"}, appr.decided)
	assert.Equal(t, http.StatusConflict, postJSON(t, srv, "/console/api/approvals/ap1/reject", `{"agent":"Kim"}`), "decided once")
}

func postJSON(t *testing.T, srv *httptest.Server, path, body string) int {
	t.Helper()
	res, err := srv.Client().Post(srv.URL+path, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res.StatusCode
}

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		give, want string
	}{
		{"Ada", "Ada"},
		{"  Ada  ", "Ada"},
		{"Ada\u00a0 Lovelace", "Ada Lovelace"},
		{"A\u200bda", "Ada"},
		{"Cafe\u0301", "Café"},
		{"\tSam\n", "Sam"},
		{strings.Repeat("x", 80), strings.Repeat("x", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			assert.Equal(t, tt.want, desk.NormalizeName(tt.give))
		})
	}
}
