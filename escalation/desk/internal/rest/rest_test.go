package rest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parleyhq/parley/escalation"
	"github.com/stretchr/testify/require"
)

func TestRouteRoundTrip(t *testing.T) {
	tk := escalation.Ticket{ID: "c1-2", ConversationID: "c1", CustomerID: "cus", Channel: "web", Locale: "es"}
	got, ok := ParseRoute("<p>summary</p><p>" + RouteLine(tk) + "</p>")
	require.True(t, ok)
	require.Equal(t, tk, got)
	_, ok = ParseRoute("no route here")
	require.False(t, ok)
	_, ok = ParseRoute(`parley-route: {"ticket":"x"}`)
	require.False(t, ok, "a route without a conversation")
}

func TestLongRetryAfterFailsAtOnce(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := New(srv.URL, srv.Client(), 3, time.Minute, func(*http.Request) {})
	err := c.Do(context.Background(), http.MethodGet, "/x", nil, nil)
	require.ErrorIs(t, err, escalation.ErrDeskUnavailable)
	require.Equal(t, 1, calls)
}

func TestStatusErrors(t *testing.T) {
	require.ErrorIs(t, &StatusError{Code: 404}, escalation.ErrUnknownTicket)
	require.ErrorIs(t, &StatusError{Code: 401}, escalation.ErrDeskUnavailable)
}
