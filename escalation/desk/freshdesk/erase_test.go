package freshdesk

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk/internal/desktest"
	"github.com/parleyhq/parley/escalation/desk/internal/rest"
	"github.com/stretchr/testify/require"
)

func TestCustomerTag(t *testing.T) {
	require.Equal(t, customerTag("cus_ada"), customerTag("cus_ada"))
	require.NotEqual(t, customerTag("cus_ada"), customerTag("cus_bob"))
	require.Regexp(t, `^parley-c-[0-9a-f]{16}$`, customerTag("a customer ID with spaces and 'quotes'"))
	require.Equal(t, []string{"parley", "parley-h1", customerTag("cus-1")}, newTicket(escalation.Ticket{ID: "h1", CustomerID: "cus-1"})["tags"])
	require.Equal(t, []string{"parley", "parley-h1"}, newTicket(escalation.Ticket{ID: "h1"})["tags"], "no customer, no tag")
}

// Export lists the customer's tickets (the search API by tag,
// https://developers.freshdesk.com/api/#filter_tickets), each with its
// conversations (https://developers.freshdesk.com/api/#list_all_ticket_notes),
// and the requesting contact (https://developers.freshdesk.com/api/#view_contact).
func TestExport(t *testing.T) {
	d, _, _ := newDesk(t)
	desktest.SubmitCustomers(t, d)
	x := desktest.ExportOf[apiContact](t, d, "cus_ada")
	require.Equal(t, []string{"open", "open"}, []string{x.Tickets[0].Status, x.Tickets[1].Status})
	require.Equal(t, apiContact{ID: 1000, Name: "Ada", Email: "ada@example.com", CreatedAt: "2026-01-05T09:00:00Z"}, x.Requesters[0])
	require.Contains(t, x.Tickets[0].Description, "Reason: refund")
	require.Equal(t, []rest.Message{{AuthorID: 1000, Body: "my card is 4111 1111 1111 1111", Public: true, Created: "2026-01-05T09:05:00Z"}},
		x.Tickets[0].Messages)
	require.Empty(t, x.Tickets[1].Messages)
}

// Erase deletes each ticket (DELETE /api/v2/tickets/{id}, 204,
// https://developers.freshdesk.com/api/#delete_a_ticket), then
// hard-deletes the contact with force=true, which Freshdesk requires for
// a contact not soft-deleted first and which removes the contact's
// tickets for good (https://developers.freshdesk.com/api/#contacts, "Permanently delete a contact";
// https://support.freshdesk.com/support/solutions/articles/50000006253).
func TestEraseDeletesForGood(t *testing.T) {
	d, f, _ := newDesk(t)
	desktest.SubmitCustomers(t, d)
	require.NoError(t, d.Erase(context.Background(), "cus_ada"))
	require.Equal(t, []string{"DELETE /api/v2/tickets/1", "DELETE /api/v2/tickets/2", "DELETE /api/v2/contacts/1000/hard_delete?force=true"}, f.Log("DELETE"))
	f.Lock()
	require.Len(t, f.tickets, 1, "cus_bob's ticket stays")
	require.NotNil(t, f.tickets[3])
	require.Len(t, f.contacts, 1)
	require.Nil(t, f.contacts[1000])
	f.Unlock()
}

// A ticket the search does not find yet (Freshdesk's index lags behind)
// is still erased when this process submitted it; a contact already gone
// (404) is not an error.
func TestEraseSearchLag(t *testing.T) {
	d, f, _ := newDesk(t)
	desktest.SubmitCustomers(t, d)
	f.Lock()
	f.tickets[2]["tags"] = []string{"parley", "parley-h2"} // not indexed yet
	delete(f.contacts, 1000)                               // hard-deleted by an admin already
	f.Unlock()
	require.NoError(t, d.Erase(context.Background(), "cus_ada"))
	require.Equal(t, []string{"DELETE /api/v2/tickets/1", "DELETE /api/v2/tickets/2", "DELETE /api/v2/contacts/1000/hard_delete?force=true"}, f.Log("DELETE"))
}

// The lookup is the search API by the customer's tag.
func TestEraseSearchesByTag(t *testing.T) {
	d, f, _ := newDesk(t)
	require.NoError(t, d.Erase(context.Background(), "cus_nobody"))
	want := fmt.Sprintf("GET /api/v2/search/tickets?query=%s&page=1", url.QueryEscape(`"tag:'`+customerTag("cus_nobody")+`'"`))
	require.Equal(t, []string{want}, f.Log())
}
