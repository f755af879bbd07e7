package main

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
)

// closeAnalytics closes a's analytics recorder when t ends. A test that
// builds the app inside a synctest bubble needs it: the recorder's sink
// goroutine waits for more events for a second after the last one, and
// a bubble must not end with a goroutine waiting.
func closeAnalytics(t *testing.T, a *app) {
	t.Cleanup(func() { require.NoError(t, a.dash.close(context.Background())) })
}

// TestReviewQueue chats something the model cannot place, then works
// the review page as staff: the message waits with its card number
// masked, a label takes it off the queue, and "Retrain now" records the
// gate's before and after figures.
func TestReviewQueue(t *testing.T) {
	a, err := newAppWith(config{customer: "cus_ada", writes: true, staffPassword: "pw"})
	require.NoError(t, err)
	closeAnalytics(t, a)
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	for i, text := range []string{"where is my order A-1001", "my card 4111 1111 1111 1111 got blorped by the flarn"} {
		require.NoError(t, a.bot.HandleTurn(context.Background(), w, &parley.Turn{ConversationID: "rev-1",
			CustomerID: "cus_ada", Channel: "web", MessageID: string(rune('a' + i)), Message: parley.Text(text)}))
	}
	srv := httptest.NewServer(secureHeaders(a.staffMux()))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/dashboard/review")
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Contains(t, res.Request.URL.Path, "/staff/login", "staff only")

	c := staffClient(t, srv.URL, "Sam", "pw")
	require.NotNil(t, c)
	page := get(t, c, srv.URL+"/dashboard/review")
	assert.Contains(t, page, "got blorped by the flarn")
	assert.NotContains(t, page, "4111", "personal data is masked")
	assert.NotContains(t, page, "where is my order", "understood turns are not queued")
	items, err := a.learn.queue.Items(context.Background(), false)
	require.NoError(t, err)
	require.Len(t, items, 1)

	post := func(form url.Values) string {
		res, err := c.PostForm(srv.URL+"/dashboard/review", form)
		require.NoError(t, err)
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		require.Equal(t, http.StatusOK, res.StatusCode)
		return string(body)
	}
	page = post(url.Values{"do": {"label"}, "id": {items[0].ID}, "intent": {"no_such_intent"}})
	assert.Contains(t, page, "unknown intent")
	page = post(url.Values{"do": {"label"}, "id": {items[0].ID}, "intent": {"human"}})
	assert.Contains(t, page, "Nothing to review.")
	done, err := a.learn.queue.Items(context.Background(), true)
	require.NoError(t, err)
	require.Len(t, done, 1)
	assert.Equal(t, "Sam", done[0].By)

	csv := get(t, c, srv.URL+"/dashboard/review/labels.csv")
	assert.Equal(t, "text,intent\n"+done[0].Text+",human\n", csv)

	page = post(url.Values{"do": {"retrain"}})
	reps, err := a.learn.english.Reports(context.Background())
	require.NoError(t, err)
	require.Len(t, reps, 1)
	assert.Equal(t, 1, strings.Count(page, "<tr data-deployed="))
	assert.Contains(t, page, reps[0].Reason)
	assert.Greater(t, reps[0].Before.Accuracy, 0.5, "the serving model on the held-out set")
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	res, err := c.Get(u)
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, http.StatusOK, res.StatusCode, u)
	return string(body)
}
