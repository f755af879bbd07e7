package zendesk

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/escalation/desk/internal/desktest"
	"github.com/parleyhq/parley/escalation/desk/internal/rest"
	"github.com/stretchr/testify/require"
)

// Submit links the ticket to the customer's end user: create_or_update
// (https://developer.zendesk.com/api-reference/ticketing/users/users/#create-or-update-user)
// by external_id, then the ticket with requester_id.
func TestSubmitLinksRequester(t *testing.T) {
	d, f, _ := newDesk(t)
	desktest.SubmitCustomers(t, d)
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
	desktest.SubmitCustomers(t, d)
	x := desktest.ExportOf[apiUser](t, d, "cus_ada") // both pages of requested tickets
	require.Equal(t, apiUser{ID: 900, Name: "Ada", Email: "ada@example.com", ExternalID: "cus_ada", Role: "end-user"}, x.Requesters[0])
	require.Equal(t, "refund", x.Tickets[0].Subject)
	require.Len(t, x.Tickets[0].Messages, 2)
	require.Contains(t, x.Tickets[0].Messages[0].Body, "Reason: refund")
	require.False(t, x.Tickets[0].Messages[0].Public, "the summary is an internal note")
	require.Equal(t, rest.Message{AuthorID: 900, Body: "my card is 4111 1111 1111 1111", Public: true, Created: "2026-01-05T09:05:00Z"}, x.Tickets[0].Messages[1])
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
	desktest.SubmitCustomers(t, d)
	require.NoError(t, d.Erase(context.Background(), "cus_ada"))
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
	desktest.SubmitCustomers(t, d)
	f.Lock()
	f.users[900]["external_id"] = "changed-by-an-agent"
	f.Unlock()
	require.NoError(t, d.Erase(context.Background(), "cus_ada"))
	require.Equal(t, []string{
		"DELETE /api/v2/tickets/35436.json", "DELETE /api/v2/deleted_tickets/35436.json",
		"DELETE /api/v2/tickets/35437.json", "DELETE /api/v2/deleted_tickets/35437.json",
	}, f.Log("DELETE"))
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
