package desk_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
)

func TestConsole(t *testing.T) {
	var delivered []*parley.Turn
	d := desk.NewMemory(escalation.DeliverFunc(func(_ context.Context, t *parley.Turn) error { delivered = append(delivered, t); return nil }))
	ctx := context.Background()
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "c1-1", ConversationID: "c1", Reason: "asked for a human", Priority: parley.PriorityNormal,
		Summary: "Wants <b>refund</b>", SuggestedReply: "Hi there", Profile: map[string]string{"name": "Maria"},
		Mood: parley.Mood{Score: 0.21, Label: "negative"}, Frustration: 0.72}))
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "c2-1", ConversationID: "c2", Reason: "legal threat", Priority: parley.PriorityUrgent}))
	c := desk.NewConsole(d)
	srv := httptest.NewServer(http.StripPrefix("/console", c))
	defer srv.Close()

	get := func(path string) (int, string) {
		resp, err := srv.Client().Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	code, _ := get("/console/")
	assert.Equal(t, http.StatusOK, code)

	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	body := rec.Body.String()
	assert.Less(t, strings.Index(body, "legal threat"), strings.Index(body, "asked for a human"), "urgent first")

	rec = httptest.NewRecorder()
	c.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/tickets/c1-1", nil))
	body = rec.Body.String()
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, body, "Wants &lt;b&gt;refund&lt;/b&gt;", "escaped")
	assert.Contains(t, body, "Maria")
	assert.Contains(t, body, "sentiment 0.21 (negative) on the last message; frustration 0.72 at its highest", "mood as measured")
	assert.Contains(t, body, `action="c1-1/reply"`)

	post := func(path string, form url.Values) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, r)
		return rec
	}
	rec = post("/tickets/c1-1/reply", url.Values{"agent": {"Anna"}, "text": {"Hello Maria"}})
	assert.Equal(t, http.StatusSeeOther, rec.Code)
	require.Len(t, delivered, 2)
	assert.Equal(t, escalation.SignalAssigned, delivered[0].Signal.Name)
	assert.Equal(t, parley.SignalAgentMessage, delivered[1].Signal.Name)
	assert.Equal(t, "Hello Maria", delivered[1].Signal.Data[escalation.DataText])

	assert.Equal(t, http.StatusBadRequest, post("/tickets/c1-1/reply", url.Values{"agent": {"Anna"}}).Code)
	assert.Equal(t, http.StatusNotFound, post("/tickets/nope/resolve", nil).Code)
	assert.Equal(t, http.StatusSeeOther, post("/tickets/c1-1/resolve", nil).Code)
	assert.Equal(t, parley.SignalHandoffResolved, delivered[2].Signal.Name)
	assert.Equal(t, http.StatusConflict, post("/tickets/c1-1/reply", url.Values{"agent": {"Anna"}, "text": {"late"}}).Code)

	// Cross-site form posts are refused.
	r := httptest.NewRequest(http.MethodPost, "/tickets/c2-1/resolve", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	rec = httptest.NewRecorder()
	c.ServeHTTP(rec, r)
	assert.Equal(t, http.StatusForbidden, rec.Code)
	tk, _ := d.Get("c2-1")
	assert.Equal(t, escalation.StatusQueued, tk.Status)
}

func TestConsoleUnderPrefix(t *testing.T) {
	d := desk.NewMemory(escalation.DeliverFunc(func(context.Context, *parley.Turn) error { return nil }))
	require.NoError(t, d.Submit(context.Background(), escalation.Ticket{ID: "web:a b-1", ConversationID: "web:a b", Reason: "asked for a human"}))
	mux := http.NewServeMux()
	mux.Handle("/console/", http.StripPrefix("/console", desk.NewConsole(d)))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	resp, err := client.Get(srv.URL + "/console/")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(body), `href="tickets/web:a%20b-1"`)

	resp, err = client.Get(srv.URL + "/console/tickets/web:a%20b-1")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	req, err := http.NewRequest(http.MethodPost, srv.URL+"/console/tickets/web:a%20b-1/reply", strings.NewReader("agent=Anna&text=hi"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc, err := resp.Location()
	require.NoError(t, err)
	assert.Equal(t, "/console/tickets/web:a%20b-1", loc.EscapedPath())
}
