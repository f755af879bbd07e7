package zendesk

import (
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk/internal/rest"
)

// newTicket is the create request for t.
func newTicket(t escalation.Ticket) map[string]any {
	tk := map[string]any{
		"subject":     rest.Subject(t),
		"comment":     map[string]any{"body": rest.Body(t), "public": false},
		"priority":    priority(t.Priority),
		"external_id": t.ID,
		"tags":        []string{"parley"},
	}
	if email := t.Profile["email"]; email != "" {
		name := t.Profile["name"]
		if name == "" {
			name = email
		}
		tk["requester"] = map[string]string{"name": name, "email": email}
	}
	return tk
}

// priority maps a hand-off priority to Zendesk's, which uses the same words.
func priority(p dialog.Priority) string {
	switch p {
	case dialog.PriorityLow, dialog.PriorityHigh, dialog.PriorityUrgent:
		return string(p)
	}
	return "normal"
}
