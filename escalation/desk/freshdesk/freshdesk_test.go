package freshdesk

import (
	"context"
	"net/http"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk/internal/desktest"
	"github.com/stretchr/testify/require"
)

func newDesk(t *testing.T) (*Desk, *fakeFreshdesk, *desktest.Recorder) {
	f := newFake()
	srv := desktest.Serve(t, f)
	rec := &desktest.Recorder{}
	d, err := New(Config{BaseURL: srv.URL, APIKey: "key", Secret: "s3cret", Client: srv.Client()}, rec)
	require.NoError(t, err)
	return d, f, rec
}

func TestDesk(t *testing.T) { desktest.Run(t, "freshdesk", fake) }

func TestSubmitSendsTicket(t *testing.T) {
	d, f, _ := newDesk(t)
	require.NoError(t, d.Submit(context.Background(), desktest.Handoff()))
	f.Lock()
	defer f.Unlock()
	got := f.tickets[1]
	require.Equal(t, float64(4), got["priority"])
	require.Equal(t, float64(7), got["source"])
	require.Equal(t, "ada@example.com", got["email"])
	require.Equal(t, "Ada", got["name"])
	require.Contains(t, got["description"], "Ada wants: refund &lt;now&gt;")
	require.Contains(t, got["description_text"], "[09:00] user: my order arrived broken")
}

func TestRestartFindsTicketAndRoutesWebhook(t *testing.T) {
	d, f, _ := newDesk(t)
	ctx := context.Background()
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "c1-1", ConversationID: "c1", CustomerID: "cus-9", Channel: "sms", Locale: "es"}))
	rec := &desktest.Recorder{}
	d2, err := New(d.cfg, rec)
	require.NoError(t, err)
	require.NoError(t, d2.Submit(ctx, escalation.Ticket{ID: "c1-1", ConversationID: "c1"}))
	n, _, _ := f.counts("c1-1")
	require.Equal(t, 1, n)

	d3, err := New(d.cfg, rec)
	require.NoError(t, err)
	body := `{"ticket_id":"1","status":"Pending","agent":"Sam","comment":"Hola"}`
	require.Equal(t, http.StatusOK, desktest.Post(d3, body, DefaultHeader, "s3cret"))
	require.Len(t, rec.Turns(), 1)
	got := rec.Turns()[0]
	require.Equal(t, []string{"c1", "cus-9", "sms", "es", "Hola", "Sam"},
		[]string{got.ConversationID, got.CustomerID, got.Channel, got.Locale, got.Signal.Data[escalation.DataText], got.Signal.Data[escalation.DataAgent]})
}

func TestWebhook(t *testing.T) {
	d, _, rec := newDesk(t)
	ctx := context.Background()
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "h1", ConversationID: "c1"}))
	post := func(body, secret string) int {
		if secret == "" {
			return desktest.Post(d, body)
		}
		return desktest.Post(d, body, DefaultHeader, secret)
	}
	require.NoError(t, d.Relay(ctx, "h1", parley.Text("where is my refund?")))
	require.Equal(t, http.StatusOK, post(`{"ticket_id":"1","status":"Open","agent":"Sam","comment":"where is my refund?"}`, "s3cret"))
	reply := `{"ticket_id":"1","status":"Open","agent":"Sam","comment":"Refunded."}`
	require.Equal(t, http.StatusUnauthorized, post(reply, ""))
	require.Equal(t, http.StatusUnauthorized, post(reply, "guess"))
	require.Equal(t, http.StatusOK, post(reply, "s3cret"))
	require.Equal(t, http.StatusOK, post(`{"ticket_id":"1","status":"Resolved","agent":"Sam","comment":""}`, "s3cret"))
	require.Equal(t, http.StatusAccepted, post(`{"ticket_id":"99","status":"Open","comment":"x"}`, "s3cret"))
	require.Len(t, rec.Turns(), 2)
	require.Equal(t, dialog.SignalAgentMessage, rec.Turns()[0].Signal.Name)
	require.Equal(t, "Refunded.", rec.Turns()[0].Signal.Data[escalation.DataText])
	require.Equal(t, dialog.SignalHandoffResolved, rec.Turns()[1].Signal.Name)
	require.ErrorIs(t, d.Relay(ctx, "h1", parley.Text("thanks")), escalation.ErrClosedTicket)
}

func TestRequesterFallbacks(t *testing.T) {
	got := newTicket(escalation.Ticket{ID: "x", ConversationID: "c", Phone: "+15550100"})
	require.Equal(t, "+15550100", got["phone"])
	require.Equal(t, "+15550100", got["name"])
	got = newTicket(escalation.Ticket{ID: "x", ConversationID: "c", CustomerID: "cus-1"})
	require.Equal(t, "cus-1", got["unique_external_id"])
}
