package crm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory/customer/crm"
)

func server(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/customers/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0k" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.PathValue("id") {
		case "c1":
			fmt.Fprint(w, `{"id":"c1","name":"Ada Lovelace","tier":"gold","total_spent":12345,"last_order_date":"2025-03-01T00:00:00Z"}`)
		case "a/b":
			fmt.Fprint(w, `{"id":"a/b"}`)
		case "boom":
			w.WriteHeader(http.StatusBadGateway)
		case "garbage":
			fmt.Fprint(w, `{"id":`)
		case "huge":
			fmt.Fprint(w, `{"id":"huge","name":"`+strings.Repeat("x", 2<<20)+`"}`)
		default:
			http.NotFound(w, r)
		}
	})
	mux.HandleFunc("GET /api/customers/{id}/orders", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"id":"o-9","status":"shipped","total":2599,"currency":"EUR","placed":"2025-03-01T10:00:00Z"}]`)
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestHTTP(t *testing.T) {
	s := server(t)
	l, err := crm.NewHTTP(crm.HTTPConfig{BaseURL: s.URL + "/api", Header: http.Header{"Authorization": {"Bearer t0k"}}})
	require.NoError(t, err)
	ctx := context.Background()

	c, err := l.Customer(ctx, "c1")
	require.NoError(t, err)
	want := crm.Customer{ID: "c1", Name: "Ada Lovelace", Tier: "gold", TotalSpent: 12345, LastOrderDate: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("Customer (-want +got):\n%s", diff)
	}
	c, err = l.Customer(ctx, "a/b")
	require.NoError(t, err, "an ID with a slash is one path segment")
	assert.Equal(t, "a/b", c.ID)

	orders, err := l.Orders(ctx, "c1")
	require.NoError(t, err)
	require.Len(t, orders, 1)
	assert.Equal(t, "shipped", orders[0].Status)

	tests := []struct {
		give string
		want error
	}{
		{give: "nobody", want: crm.ErrNotFound},
		{give: "boom", want: crm.ErrUnavailable},
		{give: "garbage", want: crm.ErrUnavailable},
		{give: "huge", want: crm.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			_, err := l.Customer(ctx, tt.give)
			assert.ErrorIs(t, err, tt.want)
		})
	}
	for _, bad := range []string{"", ".", ".."} {
		_, err := l.Customer(ctx, bad)
		assert.Error(t, err, "ID %q", bad)
	}
}

func TestHTTPServerDown(t *testing.T) {
	s := server(t)
	l, err := crm.NewHTTP(crm.HTTPConfig{BaseURL: s.URL})
	require.NoError(t, err)
	s.Close()
	_, err = l.Orders(context.Background(), "c1")
	var ue *crm.UnavailableError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, "orders", ue.Op)
}

func TestNewHTTPRejectsBadConfig(t *testing.T) {
	for _, give := range []string{"", "crm.local/api", "ftp://x/", "http://"} {
		_, err := crm.NewHTTP(crm.HTTPConfig{BaseURL: give})
		assert.Error(t, err, give)
	}
}

func TestFake(t *testing.T) {
	var f crm.Fake
	ctx := context.Background()
	_, err := f.Customer(ctx, "c1")
	require.ErrorIs(t, err, crm.ErrNotFound)
	f.Put(crm.Customer{ID: "c1", Name: "Ada"}, crm.Order{ID: "o1", Status: "shipped"})
	orders, err := f.Orders(ctx, "c1")
	require.NoError(t, err)
	assert.Equal(t, "o1", orders[0].ID)
	f.SetDown(true)
	_, err = f.Orders(ctx, "c1")
	require.ErrorIs(t, err, crm.ErrUnavailable)
	f.SetDown(false)
	_, err = f.Customer(ctx, "c1")
	require.NoError(t, err)
}

func ExampleFake() {
	var lookup crm.Fake
	lookup.Put(crm.Customer{ID: "c1", Name: "Ada"}, crm.Order{ID: "o-9", Status: "shipped"})
	lookup.SetDown(true) // the CRM has an outage
	_, err := lookup.Orders(context.Background(), "c1")
	if errors.Is(err, crm.ErrUnavailable) {
		fmt.Println("I can't see your orders right now. Shall I text you when I can?")
	}
	// Output:
	// I can't see your orders right now. Shall I text you when I can?
}
