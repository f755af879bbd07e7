package zendesk

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/privacy"
	"github.com/stretchr/testify/require"
)

var _ privacy.Source = (*Desk)(nil)

// adaTickets submits two hand-offs of customer cus_ada and one of
// cus_bob, with a relayed message on the first.
func adaTickets(t *testing.T, d *Desk) {
	ctx := context.Background()
	ada := map[string]string{"name": "Ada", "email": "ada@example.com"}
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "h1", ConversationID: "c1", CustomerID: "cus_ada", Reason: "refund", Profile: ada}))
	require.NoError(t, d.Relay(ctx, "h1", parley.Text("my card is 4111 1111 1111 1111")))
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "h2", ConversationID: "c2", CustomerID: "cus_ada", Reason: "late", Profile: ada}))
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "h3", ConversationID: "c3", CustomerID: "cus_bob", Reason: "other"}))
}

// Submit links the ticket to the customer's end user: create_or_update
// (https://developer.zendesk.com/api-reference/ticketing/users/users/#create-or-update-user)
// by external_id, then the ticket with requester_id.
func TestSubmitLinksRequester(t *testing.T) {
	d, f, _ := newDesk(t)
	adaTickets(t, d)
	f.Lock()
	defer f.Unlock()
	require.Equal(t, map[string]any{"id": int64(900), "name": "Ada", "email": "ada@example.com", "external_id": "cus_ada", "role": "end-user", "active": true}, f.users[900])
	require.Equal(t, "Customer cus_bob", f.users[901]["name"], "a customer with neither name nor e-mail")
	require.Equal(t, int64(900), f.tickets[35436]["requester_id"])
	require.Equal(t, int64(900), f.tickets[35437]["requester_id"], "the second hand-off finds the same user")
	require.Nil(t, f.tickets[35436]["requester"])
}

func TestExport(t *testing.T) {
	d, _, _ := newDesk(t)
	adaTickets(t, d)
	got, err := d.Export(context.Background(), "cus_ada")
	require.NoError(t, err)
	x := got.(exported)
	require.Len(t, x.Users, 1)
	require.Equal(t, "ada@example.com", x.Users[0].Email)
	require.Len(t, x.Tickets, 2, "both pages of requested tickets")
	require.Equal(t, []int64{35436, 35437}, []int64{x.Tickets[0].ID, x.Tickets[1].ID})
	require.Len(t, x.Tickets[0].Comments, 2)
	require.Contains(t, x.Tickets[0].Comments[0].Body, "Reason: refund")
	require.Equal(t, "my card is 4111 1111 1111 1111", x.Tickets[0].Comments[1].Body)
	b, err := json.Marshal(got)
	require.NoError(t, err)
	require.Contains(t, string(b), `"subject":"refund"`)
}

// Erase follows Zendesk's GDPR path: each ticket deleted, then
// permanently (DELETE /api/v2/deleted_tickets/{id},
// https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#delete-ticket-permanently),
// then the user deleted and permanently deleted (DELETE
// /api/v2/deleted_users/{id}, which Zendesk refuses unless the user was
// deleted first,
// https://developer.zendesk.com/api-reference/ticketing/users/users/#permanently-delete-user).
func TestEraseDeletesForGood(t *testing.T) {
	d, f, _ := newDesk(t)
	adaTickets(t, d)
	ctx := context.Background()
	require.NoError(t, d.Erase(ctx, "cus_ada"))
	require.Equal(t, []string{
		"DELETE /api/v2/tickets/35436.json", "DELETE /api/v2/deleted_tickets/35436.json",
		"DELETE /api/v2/tickets/35437.json", "DELETE /api/v2/deleted_tickets/35437.json",
		"DELETE /api/v2/users/900.json", "DELETE /api/v2/deleted_users/900.json",
	}, f.Log("DELETE"))
	f.Lock()
	require.Len(t, f.tickets, 1, "cus_bob's ticket stays")
	require.NotNil(t, f.tickets[35438])
	require.Nil(t, f.users[900])
	require.Empty(t, f.deleted, "nothing left soft-deleted")
	f.Unlock()

	got, err := d.Export(ctx, "cus_ada")
	require.NoError(t, err)
	require.Equal(t, exported{Users: []apiUser{}, Tickets: []exportedTicket{}}, got)
	require.ErrorIs(t, d.Relay(ctx, "h1", parley.Text("hello?")), escalation.ErrUnknownTicket)
	require.NoError(t, d.Erase(ctx, "cus_ada"), "erasing again is not an error")
	require.Len(t, f.Log("DELETE"), 6, "and deletes nothing more")
}

func TestEraseUnknownCustomer(t *testing.T) {
	d, f, _ := newDesk(t)
	adaTickets(t, d)
	require.NoError(t, d.Erase(context.Background(), "cus_nobody"))
	got, err := d.Export(context.Background(), "cus_nobody")
	require.NoError(t, err)
	require.Equal(t, exported{Users: []apiUser{}, Tickets: []exportedTicket{}}, got)
	require.Empty(t, f.Log("DELETE"))
}

func TestEraseNeverDeletesAgents(t *testing.T) {
	d, f, _ := newDesk(t)
	require.NoError(t, d.Erase(context.Background(), "cus_agent"))
	require.Empty(t, f.Log("DELETE"))
	f.Lock()
	defer f.Unlock()
	require.NotNil(t, f.users[7])
}

// A ticket whose requester no longer carries the customer's external_id
// (an agent changed it) is still erased when this process submitted it.
func TestEraseRemembersSubmittedTickets(t *testing.T) {
	d, f, _ := newDesk(t)
	adaTickets(t, d)
	f.Lock()
	f.users[900]["external_id"] = "changed-by-an-agent"
	f.Unlock()
	require.NoError(t, d.Erase(context.Background(), "cus_ada"))
	require.Equal(t, []string{
		"DELETE /api/v2/tickets/35436.json", "DELETE /api/v2/deleted_tickets/35436.json",
		"DELETE /api/v2/tickets/35437.json", "DELETE /api/v2/deleted_tickets/35437.json",
	}, f.Log("DELETE"))
}

// 429 with Retry-After is waited out and retried; 5xx until the tries run
// out is an error naming Zendesk, and the erasure finishes when run again.
func TestEraseRateLimitAndOutage(t *testing.T) {
	d, f, _ := newDesk(t)
	adaTickets(t, d)
	ctx := context.Background()
	f.Lock()
	f.Fail = 3
	f.Unlock()
	err := d.Erase(ctx, "cus_ada")
	require.ErrorIs(t, err, escalation.ErrDeskUnavailable)
	require.ErrorContains(t, err, "zendesk: erase cus_ada")
	require.ErrorContains(t, err, "503")
	require.Empty(t, f.Log("DELETE"))

	f.Lock()
	f.Throttle = 2
	f.Unlock()
	require.NoError(t, d.Erase(ctx, "cus_ada"))
	require.Len(t, f.Log("DELETE"), 6)
}

func TestEraseWrongCredentials(t *testing.T) {
	d, _, _ := newDesk(t)
	cfg := d.cfg
	cfg.Token = "wrong"
	bad, err := New(cfg, d.deliver)
	require.NoError(t, err)
	err = bad.Erase(context.Background(), "cus_ada")
	require.ErrorContains(t, err, "zendesk: erase cus_ada")
	require.ErrorContains(t, err, "401")
}
