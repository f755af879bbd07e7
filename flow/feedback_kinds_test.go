package flow_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/parleytest"
)

// TestScoreFeedback pins the NPS (0-10) and effort (1-5) questions: their
// scales as quick replies, the answers they accept and the feedback
// event analytics counts.
func TestScoreFeedback(t *testing.T) {
	tests := []struct {
		name    string
		kind    flow.FeedbackKind
		replies []string
		give    string
		bad     string
	}{
		{"nps", flow.NPS, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, "10", "11"},
		{"effort", flow.Effort, []string{"1", "2", "3", "4", "5"}, "4", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := flow.New("survey").Add(
				&flow.Feedback{ID: "ask", Kind: tt.kind, Next: "done"},
				&flow.End{ID: "done", Status: flow.Resolved, Text: []string{"Thanks!"}},
			)
			e, err := flow.NewEngine([]*flow.Builder{f})
			require.NoError(t, err)
			_, h := mount(e, map[string]string{"survey": "survey"}, map[string]string{"survey": "survey"})
			c := parleytest.NewTester(t, h)
			c.Send("survey").ExpectQuickReplies(tt.replies...)
			c.Send(tt.bad)
			c.Send("survey")
			c.Send(tt.give).Expect(parleytest.Exact("Thanks!"))
			c.ExpectEvent(flow.EventFeedback, map[string]string{"kind": string(tt.kind), "value": tt.give})
		})
	}
}
