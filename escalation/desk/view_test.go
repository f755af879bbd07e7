package desk_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/escalation/desk/internal/desktest"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// TestWorkspaceShowsWhatAgentsRead: page events are no messages; the
// approval list names the customer; a Spanish speaker's language is on
// the card; a customer waiting on their agent shows how long; words of
// impatience are not "calm".
func TestWorkspaceShowsWhatAgentsRead(t *testing.T) {
	d := desk.NewMemory(&desktest.Recorder{})
	appr := &fakeApprovals{pending: []desk.Approval{{ID: "ap1", ConversationID: "c1", CustomerID: "cus_ada",
		What: "Refund $129.00 on order A-1002", Created: time.Now()}}}
	c := desk.NewConsole(d, desk.WithApprovals(appr))
	now := time.Now()
	require.NoError(t, d.Submit(t.Context(), escalation.Ticket{ID: "c1-1", ConversationID: "c1", CustomerID: "cus_ada",
		Locale: "es", Reason: "asked for a person", Profile: map[string]string{"name": "Ada Lovelace", "first_name": "Ada"},
		Mood: nlu.Mood{Label: "neutral", Score: 0.59},
		Transcript: []memory.Entry{
			{Role: memory.RoleUser, Time: now}, // page_view
			{Role: memory.RoleUser, Text: "  ", Time: now},
			{Role: memory.RoleUser, Text: "quiero un reembolso", Time: now},
			{Role: memory.RoleBot, Text: "¿Qué pedido?", Time: now},
			{Role: memory.RoleUser, Text: "esto tarda mucho, quiero una persona", Time: now},
		}}))

	_, b := call(t, c, http.MethodGet, "/api/state?agent=Kim", "")
	var st struct {
		Queue []struct {
			Customer, Mood, Language string
			Unanswered               int64
		}
		Approvals []desk.Approval
	}
	require.NoError(t, json.Unmarshal(b, &st))
	require.Len(t, st.Queue, 1)
	assert.Equal(t, "Ada Lovelace", st.Queue[0].Customer)
	assert.Equal(t, "Spanish", st.Queue[0].Language)
	assert.Equal(t, "impatient", st.Queue[0].Mood, "'esto tarda mucho' measured neutral")
	require.Len(t, st.Approvals, 1)
	assert.Equal(t, "Ada Lovelace", st.Approvals[0].CustomerName, "not cus_ada")

	_, b = call(t, c, http.MethodGet, "/api/tickets/c1-1", "")
	var det struct {
		Profile    [][2]string
		Locale     string
		Transcript []struct{ Role, Text string }
	}
	require.NoError(t, json.Unmarshal(b, &det))
	var texts []string
	for _, l := range det.Transcript {
		texts = append(texts, l.Text)
	}
	assert.Equal(t, []string{"quiero un reembolso", "¿Qué pedido?", "esto tarda mucho, quiero una persona"}, texts, "no empty bubbles")
	assert.Contains(t, det.Profile, [2]string{"Language", "Spanish"})
	assert.Equal(t, "es", det.Locale, "the workspace offers the canned replies written in it")

	// With an agent: the customer's unanswered message shows its wait
	// until the agent answers.
	require.NoError(t, d.Assign(t.Context(), "c1-1", "Maria"))
	require.NoError(t, d.Reply(t.Context(), "c1-1", "Maria", "Hola Ada"))
	require.NoError(t, d.Relay(t.Context(), "c1-1", parley.Text("hello? you didnt answer my question")))
	_, b = call(t, c, http.MethodGet, "/api/state?agent=Kim", "")
	require.NoError(t, json.Unmarshal(b, &st))
	require.Len(t, st.Queue, 1)
	assert.NotZero(t, st.Queue[0].Unanswered)
	require.NoError(t, d.Reply(t.Context(), "c1-1", "Maria", "Sorry Ada, checking now"))
	_, b = call(t, c, http.MethodGet, "/api/state?agent=Kim", "")
	st.Queue = nil
	require.NoError(t, json.Unmarshal(b, &st))
	require.Len(t, st.Queue, 1)
	assert.Zero(t, st.Queue[0].Unanswered, "answered")
}

// TestWorkspaceShowsWhatTheApplicationSent: a message the application
// sent the customer while the case was open (an approval's decision) is
// in the agent's transcript where the customer saw it, as the
// assistant's, and answers nothing the customer asked the agent.
func TestWorkspaceShowsWhatTheApplicationSent(t *testing.T) {
	d := desk.NewMemory(&desktest.Recorder{})
	c := desk.NewConsole(d)
	ctx := t.Context()
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "c1-1", ConversationID: "c1", Reason: "asked for a person",
		Transcript: []memory.Entry{{Role: memory.RoleUser, Text: "refund $90 on A-1002 please"}, {Role: memory.RoleBot, Text: "A person must OK it."}}}))
	require.NoError(t, d.Assign(ctx, "c1-1", "Maria"))
	require.NoError(t, d.Relay(ctx, "c1-1", parley.Text("any news on my refund?")))
	require.NoError(t, d.Sent(ctx, "c1-1", parley.Message{Text: "Good news: your refund of $90.00 on order A-1002 is approved.", Agent: "Maria"}))

	_, b := call(t, c, http.MethodGet, "/api/tickets/c1-1", "")
	var det struct {
		Unanswered int64
		Transcript []struct{ Role, From, For, Text string }
	}
	require.NoError(t, json.Unmarshal(b, &det))
	var got []string
	for _, l := range det.Transcript {
		got = append(got, l.Role+"/"+l.From+"/"+l.For+": "+l.Text)
	}
	assert.Equal(t, []string{"customer/customer/: refund $90 on A-1002 please", "bot/bot/: A person must OK it.",
		"customer/customer/: any news on my refund?", "bot/bot/Maria: Good news: your refund of $90.00 on order A-1002 is approved."}, got)
	assert.NotZero(t, det.Unanswered, "the customer still waits for Maria's answer")

	require.NoError(t, d.Resolve(ctx, "c1-1", "Maria", "refunded"))
	assert.ErrorIs(t, d.Sent(ctx, "c1-1", parley.Text("late")), escalation.ErrClosedTicket)
}

// TestOneCustomerOnTwoDevicesIsOneCase: a signed-in customer who asks
// for a person from two devices (two conversations) is one row in the
// queue: the second ticket joins the first case, their messages from
// either come into its thread, and what the agent does reaches both
// conversations. When one of them leaves, the case stays for the other.
// Visitors without a customer ID are never joined.
func TestOneCustomerOnTwoDevicesIsOneCase(t *testing.T) {
	ctx := t.Context()
	rec := &desktest.Recorder{}
	d := desk.NewMemory(rec)
	c := desk.NewConsole(d)
	for _, tk := range []escalation.Ticket{
		{ID: "web-1-1", ConversationID: "web-1", CustomerID: "cus_ada", Reason: "asked for a person", Profile: map[string]string{"name": "Ada Lovelace"}},
		{ID: "web-2-1", ConversationID: "web-2", CustomerID: "cus_ada", Reason: "asked for a person", Summary: "Ada wants a refund.\nHanded over: asked for a person."},
		{ID: "web-3-1", ConversationID: "web-3", Reason: "asked for a person"},
		{ID: "web-4-1", ConversationID: "web-4", Reason: "asked for a person"},
	} {
		require.NoError(t, d.Submit(ctx, tk))
	}
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "web-2-1", ConversationID: "web-2", CustomerID: "cus_ada"}), "a repeat stays a repeat")

	_, b := call(t, c, http.MethodGet, "/api/state?agent=Kim", "")
	var st struct {
		Queue []struct {
			ID, Customer  string
			Conversations int
		}
	}
	require.NoError(t, json.Unmarshal(b, &st))
	require.Len(t, st.Queue, 3, "Ada once, and the two visitors")
	assert.Equal(t, "web-1-1", st.Queue[0].ID)
	assert.Equal(t, 2, st.Queue[0].Conversations)
	assert.Zero(t, st.Queue[1].Conversations)

	ada, ok := d.Get("web-2-1")
	require.True(t, ok, "the second ticket finds the case")
	assert.Equal(t, "web-1-1", ada.Ticket.ID)
	require.Len(t, ada.Thread, 1)
	assert.True(t, ada.Thread[0].Internal)
	assert.Contains(t, ada.Thread[0].Text, "another device")
	assert.Contains(t, ada.Thread[0].Text, "There: Ada wants a refund.")

	require.NoError(t, d.Relay(ctx, "web-2-1", parley.Text("from my phone: hello?")))
	require.NoError(t, d.Assign(ctx, "web-1-1", "Kim"))
	require.NoError(t, d.Reply(ctx, "web-1-1", "Kim", "Hi Ada, Kim here."))
	var got []string
	for _, tn := range rec.Turns() {
		got = append(got, tn.ConversationID+" "+tn.Signal.Name+" "+tn.MessageID)
	}
	assert.Equal(t, []string{"web-1 handoff.assigned ", "web-2 handoff.assigned ",
		"web-1 handoff.agent_message agent:web-1-1:3", "web-2 handoff.agent_message agent:web-2-1:3"}, got)
	ada, _ = d.Get("web-1-1")
	assert.Equal(t, "from my phone: hello?", ada.Thread[1].Text)

	// The first device leaves the queue: the case goes on for the
	// second, and the first is closed on its own.
	require.NoError(t, d.Cancel(ctx, "web-1-1", "customer went back to the assistant"))
	left, _ := d.Get("web-1-1")
	assert.Equal(t, escalation.StatusCancelled, left.Status)
	q := d.Queue()
	require.Len(t, q, 3)
	var open desk.Case
	for _, cs := range q {
		if cs.Ticket.CustomerID == "cus_ada" {
			open = cs
		}
	}
	assert.Equal(t, "web-2-1", open.Ticket.ID)
	assert.Empty(t, open.Joined)
	assert.Equal(t, escalation.StatusAssigned, open.Status)
	n := len(rec.Turns())
	require.NoError(t, d.Resolve(ctx, "web-2-1", "Kim", ""))
	require.Len(t, rec.Turns(), n+1, "resolved once, in the conversation still there")
	assert.Equal(t, "web-2", rec.Turns()[n].ConversationID)

	// Once the case is closed, the customer's next hand-off is a case of
	// its own.
	require.NoError(t, d.Submit(ctx, escalation.Ticket{ID: "web-1-2", ConversationID: "web-1", CustomerID: "cus_ada"}))
	again, _ := d.Get("web-1-2")
	assert.Equal(t, "web-1-2", again.Ticket.ID)
	assert.Empty(t, again.Joined)
}
