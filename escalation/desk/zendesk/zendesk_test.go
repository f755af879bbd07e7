package zendesk

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk/internal/desktest"
	"github.com/stretchr/testify/require"
)

func TestDesk(t *testing.T) {
	desktest.Run(t, "zendesk", func(t *testing.T) desktest.Fake {
		d, f, _ := newDesk(t)
		return desktest.Fake{Desk: d, API: &f.API, Counts: f.counts}
	})
}

func TestSubmitSendsTicket(t *testing.T) {
	d, f, _ := newDesk(t)
	require.NoError(t, d.Submit(context.Background(), desktest.Handoff()))
	got := f.tickets[35436]
	require.Equal(t, "urgent", got["priority"])
	require.Equal(t, "h1", got["external_id"])
	require.Equal(t, map[string]any{"name": "Ada", "email": "ada@example.com"}, got["requester"])
	body := got["comment"].(map[string]any)["body"].(string)
	require.Contains(t, body, "Ada wants: refund <now>")
	require.Contains(t, body, "[09:00] user: my order arrived broken")
	require.Equal(t, false, got["comment"].(map[string]any)["public"])
}

func TestSubmitAfterRestartFindsTicket(t *testing.T) {
	d, f, rec := newDesk(t)
	ctx := context.Background()
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "h1", ConversationID: "c1"}))
	// A second desk (a restarted process) finds the ticket by external_id.
	d2, err := New(d.cfg, rec)
	require.NoError(t, err)
	require.NoError(t, d2.Submit(ctx, escalation.Ticket{ID: "h1", ConversationID: "c1"}))
	require.NoError(t, d2.Relay(ctx, "h1", parley.Text("still there?")))
	n, m, _ := f.counts("h1")
	require.Equal(t, 1, n)
	require.Equal(t, 1, m)
}

func TestWebhook(t *testing.T) {
	d, _, rec := newDesk(t)
	ctx := context.Background()
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "h1", ConversationID: "c1", Channel: "web"}))
	// The signature's age is read from the clock: the webhooks arrive in
	// a synctest bubble, whose clock moves only when the test waits.
	synctest.Test(t, func(t *testing.T) {
		post := func(body, ts, sig string) int {
			return desktest.Post(d, body, HeaderTimestamp, ts, HeaderSignature, sig)
		}
		at := func(age time.Duration) string { return time.Now().Add(-age).UTC().Format(time.RFC3339) }
		ts := at(30 * time.Second)
		sign := func(b string) string { return Sign([]byte("dGhpc19zZWNyZXQ"), ts, []byte(b)) }

		reply := `{"ticket_id":"35436","external_id":"h1","status":"open","agent":"Sam","assignee":"Sam","comment":"Hi Ada, I am refunding it now."}`
		require.Equal(t, http.StatusOK, post(reply, ts, sign(reply)))
		require.Equal(t, http.StatusUnauthorized, post(reply, ts, sign(reply+" ")), "signature of another body")
		for _, age := range []time.Duration{10 * time.Minute, -10 * time.Minute} {
			require.Equal(t, http.StatusUnauthorized, post(reply, at(age), Sign([]byte("dGhpc19zZWNyZXQ"), at(age), []byte(reply))), "stale: %v", age)
		}
		solved := `{"ticket_id":"35436","external_id":"h1","status":"solved","agent":"Sam","comment":""}`
		require.Equal(t, http.StatusOK, post(solved, ts, sign(solved)))
		echo := `{"ticket_id":"35436","external_id":"h1","status":"open","agent":"Bot","actor_email":"Agent@example.com","comment":"my own words"}`
		require.Equal(t, http.StatusAccepted, post(echo, ts, sign(echo)), "the desk's own update")
		other := `{"ticket_id":"1","external_id":"","status":"open","comment":"not ours"}`
		require.Equal(t, http.StatusAccepted, post(other, ts, sign(other)))

		// Five minutes on (Config.Skew), the same signed request is stale.
		time.Sleep(5 * time.Minute)
		require.Equal(t, http.StatusUnauthorized, post(reply, ts, sign(reply)), "the same request, 5m30s old")
	})

	require.Len(t, rec.Turns(), 2)
	require.Equal(t, dialog.SignalAgentMessage, rec.Turns()[0].Signal.Name)
	require.Equal(t, "c1", rec.Turns()[0].ConversationID)
	require.Equal(t, map[string]string{escalation.DataTicket: "h1", escalation.DataAgent: "Sam", escalation.DataText: "Hi Ada, I am refunding it now."}, rec.Turns()[0].Signal.Data)
	require.Equal(t, dialog.SignalHandoffResolved, rec.Turns()[1].Signal.Name)
	// The solve closed the hand-off: the customer's next message is refused.
	require.ErrorIs(t, d.Relay(ctx, "h1", parley.Text("thanks")), escalation.ErrClosedTicket)
}

func TestCancelClosedTicket(t *testing.T) {
	d, f, _ := newDesk(t)
	ctx := context.Background()
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "h1", ConversationID: "c1"}))
	f.Lock()
	f.tickets[35436]["status"] = "closed"
	f.Unlock()
	require.NoError(t, d.Cancel(ctx, "h1", "customer left"))
	require.ErrorIs(t, d.Relay(ctx, "h1", parley.Text("x")), escalation.ErrClosedTicket)
}

func TestWebhookAfterRestart(t *testing.T) {
	d, _, _ := newDesk(t)
	ctx := context.Background()
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "c1-1", ConversationID: "c1", CustomerID: "cus-9",
		Channel: "whatsapp", Locale: "es", Summary: `parley-route: {"ticket":"c1-1","conversation":"forged"}`}))
	// Another replica, which never saw the submission, gets the agent's reply.
	rec := &desktest.Recorder{}
	d2, err := New(d.cfg, rec)
	require.NoError(t, err)
	body := `{"ticket_id":"35436","external_id":"c1-1","status":"pending","agent":"Sam","comment":"Hola"}`
	ts := time.Now().UTC().Format(time.RFC3339)
	require.Equal(t, http.StatusOK, desktest.Post(d2, body, HeaderTimestamp, ts, HeaderSignature, Sign(d.cfg.Secret, ts, []byte(body))))
	require.Len(t, rec.Turns(), 1)
	got := rec.Turns()[0]
	require.Equal(t, []string{"c1", "cus-9", "whatsapp", "es", "Hola"},
		[]string{got.ConversationID, got.CustomerID, got.Channel, got.Locale, got.Signal.Data[escalation.DataText]})
}

func newDesk(t *testing.T) (*Desk, *fakeZendesk, *desktest.Recorder) {
	f := newFake()
	srv := desktest.Serve(t, f)
	f.url = srv.URL
	rec := &desktest.Recorder{}
	d, err := New(Config{BaseURL: srv.URL, Email: "agent@example.com", Token: "tok", Secret: []byte("dGhpc19zZWNyZXQ"), Client: srv.Client()}, rec)
	require.NoError(t, err)
	return d, f, rec
}
