package main

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/report"
)

// TestDashboard chats through the bot, then reads /dashboard/ as staff:
// the figures are the aggregator's, the exports hold the conversations,
// and the events reach the -analytics-log file for the next start.
func TestDashboard(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "events.jsonl")
	require.NoError(t, os.WriteFile(logPath, []byte("not json\n"), 0o600))
	a, err := newAppWith(config{customer: "cus_ada", writes: true, staffPassword: "pw", analyticsLog: logPath})
	require.NoError(t, err)
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	for i, text := range []string{"hi", "where is my order A-1001", "thanks", "asdf qwer zxcv", "human"} {
		require.NoError(t, a.bot.HandleTurn(context.Background(), w, &parley.Turn{ConversationID: "dash-" + strconv.Itoa(i%2),
			CustomerID: "cus_ada", Channel: "web", MessageID: strconv.Itoa(i), Message: parley.Text(text)}))
	}
	require.NoError(t, a.bot.Shutdown(context.Background()))
	require.NoError(t, a.dash.close(context.Background()))
	require.Equal(t, 2, a.dash.agg.Stats().Conversations)

	srv := httptest.NewServer(secureHeaders(a.staffMux()))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/dashboard/")
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Contains(t, res.Request.URL.Path, "/staff/login", "staff only")
	icon, err := http.Get(srv.URL + "/favicon.ico")
	require.NoError(t, err)
	require.NoError(t, icon.Body.Close())
	assert.Equal(t, http.StatusNoContent, icon.StatusCode, "no 404 in every page's console")

	c := staffClient(t, srv.URL, "Sam", "pw")
	require.NotNil(t, c)
	res, err = c.Get(srv.URL + "/dashboard/")
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	page := string(body)
	assert.Contains(t, strings.Join(res.Header.Values("Content-Security-Policy"), ", "), "style-src 'self'")
	assert.Contains(t, page, `<link rel="stylesheet" href="/dashboard/report.css">`)
	assert.Equal(t, 7, strings.Count(page, `<svg class="chart`))
	k := a.dash.agg.KPIs(analytics.Week(time.Now()))
	m := regexp.MustCompile(`data-kpi="weekly.conversations" data-value="([^"]+)"`).FindStringSubmatch(page)
	require.Len(t, m, 2)
	assert.Equal(t, strconv.Itoa(k.Conversations), m[1])

	res, err = c.Get(srv.URL + "/dashboard/export.csv")
	require.NoError(t, err)
	rows, err := csv.NewReader(res.Body).ReadAll()
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Len(t, rows, 3)
	assert.Equal(t, strings.Split(report.CSVHeader, ","), rows[0])

	var v report.Views
	getJSON(t, c, srv.URL+"/dashboard/export.json", &v)
	assert.Equal(t, 2, v.Stats.Conversations)

	// The next start reads the log back.
	b, err := newDashboard(logPath)
	require.NoError(t, err)
	assert.Equal(t, a.dash.agg.Records(analytics.Window{}), b.agg.Records(analytics.Window{}))
	require.NoError(t, b.close(context.Background()))
}

// TestDashboardLeavesPageVisitsOut: a visitor who loads the demo page,
// views a product three times (the bot offers help) and idles, but never
// writes, is no conversation on the dashboard or in its CSV; the
// customer who chats is one, with the page's events not counted as their
// turns (web12: every load of the demo page added an abandoned
// conversation, and the offer of help a resolved one).
func TestDashboardLeavesPageVisitsOut(t *testing.T) {
	a, err := newAppWith(config{customer: "cus_ada", writes: true, staffPassword: "pw"})
	require.NoError(t, err)
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	ctx := context.Background()
	n := 0
	turn := func(conv string, text string, sig *parley.Signal) {
		t.Helper()
		n++
		require.NoError(t, a.bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: conv, Channel: "web", MessageID: strconv.Itoa(n),
			Message: parley.Text(text), Signal: sig}))
	}
	page := func(conv string) {
		turn(conv, "", &parley.Signal{Name: signalDemoCustomer, Data: map[string]string{"customer": "ada", "on": "load"}})
		turn(conv, "", &parley.Signal{Name: "page_view", Data: map[string]string{"path": "/simulate/"}})
		for i := range 3 {
			turn(conv, "", &parley.Signal{Name: "product_view", Data: map[string]string{"id": "lamp", "count_24h": strconv.Itoa(i + 1)}})
		}
		turn(conv, "", &parley.Signal{Name: "page.idle", Data: map[string]string{"path": "/simulate/"}})
	}
	page("visit")
	page("chat")
	turn("chat", "where is my order A-1001", nil)
	turn("chat", "thanks", nil)
	require.NoError(t, a.bot.Shutdown(ctx))
	require.NoError(t, a.dash.close(ctx))

	srv := httptest.NewServer(secureHeaders(a.staffMux()))
	defer srv.Close()
	c := staffClient(t, srv.URL, "Sam", "pw")
	require.NotNil(t, c)
	var v report.Views
	getJSON(t, c, srv.URL+"/dashboard/export.json", &v)
	assert.Equal(t, 1, v.Weekly.KPIs.Conversations, "the chat, not the visit")
	assert.Equal(t, 1, v.Conversations)
	assert.Equal(t, 2, v.Stats.Conversations, "both are recorded")
	assert.Equal(t, 2, v.Weekly.KPIs.Turns, "the customer's two messages, not the page's events")
	assert.Equal(t, 1, v.RealTime.Live.Active+v.Weekly.KPIs.Resolved, "the chat is active or resolved; the visit neither")

	res, err := c.Get(srv.URL + "/dashboard/export.csv")
	require.NoError(t, err)
	rows, err := csv.NewReader(res.Body).ReadAll()
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Len(t, rows, 2, "one conversation")
	assert.Equal(t, "chat", rows[1][0])
	assert.Equal(t, "2", rows[1][4], "turns")

	res, err = c.Get(srv.URL + "/dashboard/")
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Contains(t, string(body), " · 1 conversation, ")
	assert.Regexp(t, `data-kpi="weekly.conversations" data-value="1"`, string(body))
	assert.Contains(t, string(body), "<main>")
}
