package hubspot

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parleyhq/parley/memory/customer/crm"
	"github.com/stretchr/testify/require"
)

func newCRM(t *testing.T) (*CRM, *fakeHubSpot) {
	f := &fakeHubSpot{
		contacts: map[string]map[string]string{"151": {"email": "ada@example.com", "firstname": "Ada", "lastname": "Lovelace",
			"phone": "+15550100", "hs_language": "en", "lifecyclestage": "customer", "hs_object_id": "151"}},
		orders: map[string]map[string]string{
			"901": {"hs_external_order_id": "A-1001", "hs_fulfillment_status": "delivered", "hs_total_price": "19.99", "hs_currency_code": "USD", "hs_external_created_date": "2026-01-02T10:00:00Z"},
			"902": {"hs_external_order_id": "A-1002", "hs_fulfillment_status": "shipped", "hs_total_price": "5", "hs_currency_code": "USD", "hs_external_created_date": "2026-01-04T10:00:00Z", "hs_shipping_tracking_number": "1Z999"},
			"903": {"hs_order_name": "#1003", "hs_total_price": "100.10", "hs_createdate": "2025-12-01T10:00:00Z"},
		},
		links: map[string][]string{"151": {"901", "902", "903"}},
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := New(Config{Token: "pat-na1-test", BaseURL: srv.URL, Client: srv.Client()})
	require.NoError(t, err)
	return c, f
}

func TestCustomer(t *testing.T) {
	c, _ := newCRM(t)
	got, err := c.Customer(context.Background(), "ada@example.com")
	require.NoError(t, err)
	require.Equal(t, "Ada Lovelace", got.Name)
	require.Equal(t, "customer", got.Tier)
	require.Equal(t, "+15550100", got.Phone)
	require.Equal(t, "151", got.Attributes["hubspot_id"])
	_, err = c.Customer(context.Background(), "nobody@example.com")
	require.ErrorIs(t, err, crm.ErrNotFound)
}

func TestOrdersFollowsPaging(t *testing.T) {
	c, f := newCRM(t)
	got, err := c.Orders(context.Background(), "ada@example.com")
	require.NoError(t, err)
	require.Equal(t, []crm.Order{
		{ID: "A-1002", Status: "shipped", Total: 500, Currency: "USD", Placed: time.Date(2026, 1, 4, 10, 0, 0, 0, time.UTC), Tracking: "1Z999"},
		{ID: "A-1001", Status: "delivered", Total: 1999, Currency: "USD", Placed: time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)},
		{ID: "#1003", Total: 10010, Placed: time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC)},
	}, got)
	require.Equal(t, 4, f.requests) // search, two association pages, batch read
}

func TestLogOutcome(t *testing.T) {
	c, f := newCRM(t)
	id, err := c.LogOutcome(context.Background(), "ada@example.com", "Refund for A-1002 agreed by Sam.", time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Equal(t, "51001", id)
	require.Len(t, f.notes, 1)
	require.Equal(t, map[string]any{"hs_timestamp": "2026-01-05T09:30:00.000Z", "hs_note_body": "Refund for A-1002 agreed by Sam."}, f.notes[0]["properties"])
	require.Equal(t, []any{map[string]any{"to": map[string]any{"id": "151"},
		"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": float64(202)}}}}, f.notes[0]["associations"])
}

func TestRateLimitAndOutage(t *testing.T) {
	c, f := newCRM(t)
	f.throttle = 2
	_, err := c.Customer(context.Background(), "ada@example.com")
	require.NoError(t, err)
	f.throttle = 10
	_, err = c.Customer(context.Background(), "ada@example.com")
	require.ErrorIs(t, err, crm.ErrUnavailable)
	var ue *crm.UnavailableError
	require.ErrorAs(t, err, &ue)
	require.Equal(t, 429, ue.Status)

	bad, err := New(Config{Token: "wrong", BaseURL: c.cfg.BaseURL, Client: c.cfg.Client})
	require.NoError(t, err)
	_, err = bad.Customer(context.Background(), "ada@example.com")
	require.ErrorIs(t, err, crm.ErrUnavailable)
}
