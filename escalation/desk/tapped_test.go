package desk_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/escalation/desk/internal/desktest"
	"github.com/parleyhq/parley/memory"
)

// TestTranscriptShowsWhatTheCustomerTapped: a quick reply the customer
// tapped reads as its title ("Yes", as the Bot keeps it in Meta
// "tapped"), not its payload ("yes"), in the case's transcript and the
// queue's last message (web12: "Customer · yes").
func TestTranscriptShowsWhatTheCustomerTapped(t *testing.T) {
	d := desk.NewMemory(&desktest.Recorder{})
	require.NoError(t, d.Submit(t.Context(), escalation.Ticket{ID: "c1-1", ConversationID: "c1", Reason: "asked for a person",
		Priority: dialog.PriorityNormal, Created: time.Now(),
		Transcript: []memory.Entry{
			{Role: memory.RoleUser, Text: "I want a refund for A-1002"},
			{Role: memory.RoleBot, Text: "To confirm: refund $80.00?", Meta: map[string]string{"choices": `{"no":"No","yes":"Yes"}`}},
			{Role: memory.RoleUser, Text: "yes", Meta: map[string]string{"tapped": "Yes"}},
		}}))
	c := desk.NewConsole(d)
	code, b := call(t, c, http.MethodGet, "/api/tickets/c1-1", "")
	require.Equal(t, http.StatusOK, code)
	cs := decode[wsDetail](t, b)
	require.Len(t, cs.Transcript, 3)
	assert.Equal(t, "Yes", cs.Transcript[2].Text)
	_, b = call(t, c, http.MethodGet, "/api/state?agent=Kim", "")
	st := decode[struct {
		Queue []struct {
			Last string `json:"last"`
		} `json:"queue"`
	}](t, b)
	require.Len(t, st.Queue, 1)
	assert.Equal(t, "Yes", st.Queue[0].Last)
}
