package freshdesk

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/privacy"
	"github.com/stretchr/testify/require"
)

var _ privacy.Source = (*Desk)(nil)

// adaTickets submits two hand-offs of customer cus_ada (by e-mail) and
// one of cus_bob (by phone), with a relayed message on the first.
func adaTickets(t *testing.T, d *Desk) {
	ctx := context.Background()
	ada := map[string]string{"name": "Ada", "email": "ada@example.com"}
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "h1", ConversationID: "c1", CustomerID: "cus_ada", Reason: "refund", Profile: ada}))
	require.NoError(t, d.Relay(ctx, "h1", parley.Text("my card is 4111 1111 1111 1111")))
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "h2", ConversationID: "c2", CustomerID: "cus_ada", Reason: "late", Profile: ada}))
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "h3", ConversationID: "c3", CustomerID: "cus_bob", Reason: "other", Phone: "+15550100"}))
}

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
	adaTickets(t, d)
	got, err := d.Export(context.Background(), "cus_ada")
	require.NoError(t, err)
	x := got.(exported)
	require.Len(t, x.Contacts, 1)
	require.Equal(t, "ada@example.com", x.Contacts[0].Email)
	require.Len(t, x.Tickets, 2)
	require.Equal(t, []int64{1, 2}, []int64{x.Tickets[0].ID, x.Tickets[1].ID})
	require.Contains(t, x.Tickets[0].Description, "Reason: refund")
	require.Len(t, x.Tickets[0].Conversations, 1)
	require.Equal(t, "my card is 4111 1111 1111 1111", x.Tickets[0].Conversations[0].BodyText)
	require.Empty(t, x.Tickets[1].Conversations)
}

// Erase deletes each ticket (DELETE /api/v2/tickets/{id}, 204,
// https://developers.freshdesk.com/api/#delete_a_ticket), then
// hard-deletes the contact with force=true, which Freshdesk requires for
// a contact not soft-deleted first and which removes the contact's
// tickets for good (https://developers.freshdesk.com/api/#hard_delete_contact).
func TestEraseDeletesForGood(t *testing.T) {
	d, f, _ := newDesk(t)
	adaTickets(t, d)
	ctx := context.Background()
	require.NoError(t, d.Erase(ctx, "cus_ada"))
	require.Equal(t, []string{"DELETE /api/v2/tickets/1", "DELETE /api/v2/tickets/2", "DELETE /api/v2/contacts/1000/hard_delete?force=true"}, f.Log("DELETE"))
	f.Lock()
	require.Len(t, f.tickets, 1, "cus_bob's ticket stays")
	require.NotNil(t, f.tickets[3])
	require.Len(t, f.contacts, 1)
	require.Nil(t, f.contacts[1000])
	f.Unlock()

	got, err := d.Export(ctx, "cus_ada")
	require.NoError(t, err)
	require.Equal(t, exported{Contacts: []apiContact{}, Tickets: []exportedTicket{}}, got)
	require.ErrorIs(t, d.Relay(ctx, "h1", parley.Text("hello?")), escalation.ErrUnknownTicket)
	require.NoError(t, d.Erase(ctx, "cus_ada"), "erasing again is not an error")
	require.Len(t, f.Log("DELETE"), 3, "and deletes nothing more")
}

// A ticket the search does not find yet (Freshdesk's index lags behind)
// is still erased when this process submitted it; a contact already gone
// (404) is not an error.
func TestEraseSearchLag(t *testing.T) {
	d, f, _ := newDesk(t)
	adaTickets(t, d)
	f.Lock()
	f.tickets[2]["tags"] = []string{"parley", "parley-h2"} // not indexed yet
	delete(f.contacts, 1000)                               // hard-deleted by an admin already
	f.Unlock()
	require.NoError(t, d.Erase(context.Background(), "cus_ada"))
	require.Equal(t, []string{"DELETE /api/v2/tickets/1", "DELETE /api/v2/tickets/2", "DELETE /api/v2/contacts/1000/hard_delete?force=true"}, f.Log("DELETE"))
}

func TestEraseUnknownCustomer(t *testing.T) {
	d, f, _ := newDesk(t)
	adaTickets(t, d)
	require.NoError(t, d.Erase(context.Background(), "cus_nobody"))
	got, err := d.Export(context.Background(), "cus_nobody")
	require.NoError(t, err)
	require.Equal(t, exported{Contacts: []apiContact{}, Tickets: []exportedTicket{}}, got)
	require.Empty(t, f.Log("DELETE"))
	want := fmt.Sprintf("GET /api/v2/search/tickets?query=%s&page=1", url.QueryEscape(`"tag:'`+customerTag("cus_nobody")+`'"`))
	require.Contains(t, f.Log("GET"), want)
}

// 429 with Retry-After is waited out; 5xx until the tries run out is an
// error naming Freshdesk, and the erasure finishes when run again.
func TestEraseRateLimitAndOutage(t *testing.T) {
	d, f, _ := newDesk(t)
	adaTickets(t, d)
	ctx := context.Background()
	f.Lock()
	f.Fail = 3
	f.Unlock()
	err := d.Erase(ctx, "cus_ada")
	require.ErrorIs(t, err, escalation.ErrDeskUnavailable)
	require.ErrorContains(t, err, "freshdesk: erase cus_ada")
	require.ErrorContains(t, err, "503")
	require.Empty(t, f.Log("DELETE"))

	f.Lock()
	f.Throttle = 2
	f.Unlock()
	require.NoError(t, d.Erase(ctx, "cus_ada"))
	require.Len(t, f.Log("DELETE"), 3)
}
