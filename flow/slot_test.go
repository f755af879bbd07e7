package flow

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/intent/entity"
)

// TestSlotsAgreeWithEntities checks that a form and the understanding
// layer read numbers, money and dates alike: they share one parser.
func TestSlotsAgreeWithEntities(t *testing.T) {
	now := time.Date(2025, 6, 11, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		give   string
		typ    SlotType
		entity entity.Extractor
		want   string
	}{
		{"thirteen", NumberSlot, entity.Number(), "13"},
		{"quince", NumberSlot, entity.Number(), "15"},
		{"thirty", NumberSlot, entity.Number(), "30"},
		{"treinta y cinco", NumberSlot, entity.Number(), "35"},
		{"thirty dollars", MoneySlot, entity.Money(), "30 USD"},
		{"quince euros", MoneySlot, entity.Money(), "15 EUR"},
		{"in thirteen days", DateSlot, entity.Date(), "2025-06-24"},
		{"el viernes", DateSlot, entity.Date(), "2025-06-13"},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := parseSlot(&Ask{Slot: "x", Type: tt.typ}, tt.give, now)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			es, err := tt.entity.Extract(context.Background(), entity.Input{Text: tt.give, Time: now})
			require.NoError(t, err)
			require.NotEmpty(t, es)
			assert.Equal(t, tt.want, es[0].Value)
		})
	}
}

func TestMatchOptionYesNoTitles(t *testing.T) {
	opts := []parley.QuickReply{
		{Title: "Yes, I'll stay", Payload: "stay"},
		{Title: "No, cancel", Payload: "cancel_anyway"},
	}
	tests := []struct {
		give string
		want int
	}{
		{"no", 1},
		{"no thanks", 1},
		{"nope, just cancel it", 1},
		{"No, cancélalo", 1},
		{"yes", 0},
		{"sí", 0},
		{"yes please", 0},
		{"sure, why not", 0},
		{"no wait I'll stay", 0}, // the payload "stay" is said
		{"maybe", -1},
		{"why is it so expensive", -1},
		// A yes that names the other option says two things (QA13 G1:
		// "yes, cancel it" applied the half price of "Yes, I'll stay").
		{"yes, cancel it", -1},
		{"yes please cancel", -1},
		{"yes, don't cancel", 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, matchOption(tt.give, opts, nil), tt.give)
	}
	// Options that do not start with a yes or a no are not chosen by one.
	plain := []parley.QuickReply{{Title: "Keep it"}, {Title: "Cancel my plan"}}
	assert.Equal(t, -1, matchOption("no", plain, nil))
	assert.Equal(t, -1, matchOption("yes", plain, nil))
	// Nor when two options start the same way.
	twice := []parley.QuickReply{{Title: "Yes, annual"}, {Title: "Yes, monthly"}, {Title: "No"}}
	assert.Equal(t, -1, matchOption("yes", twice, nil))
	assert.Equal(t, 2, matchOption("nope", twice, nil))
}

func TestMatchOptionInALongerAnswer(t *testing.T) {
	opts := []parley.QuickReply{
		{Title: "Keep it", Payload: "keep"},
		{Title: "Switch to annual (save 20%)", Payload: "annual"},
		{Title: "Cancel my plan", Payload: "cancel_plan"},
	}
	syn := [][]string{{"renew", "keep my plan"}, {"annual", "yearly"}, {"cancel plan", "end my plan", "don't renew", "no renovar", "no quiero renovar"}}
	tests := []struct {
		give string
		want int
	}{
		{"switch to annual", 1},
		{"yes, switch to annual please", 1},
		{"actually no, keep it", 0},
		{"I'd like to keep my plan", 0},
		{"please cancel my plan", 2},
		{"don't cancel my plan", -1},
		{"I don't want to renew", -1}, // negated: not "renew"
		{"I do not want to keep it", -1},
		{"no quiero renovar", 2},
		{"keep it or go yearly, not sure", -1},
		{"2", 1},
		{"Keep it", 0},
		{"what is this", -1},
		// A question about an option asks; it does not choose.
		{"how much is the annual plan?", -1},
		{"¿puedo cancelar mi plan cuando quiera", -1},
		{"annual?", 1},
		// So does one that starts like a question without its mark.
		{"how much is annual", -1},
		{"what about yearly", -1},
		{"cuánto cuesta el anual", -1},
		{"por qué cancelar mi plan", -1},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, matchOption(tt.give, opts, syn), tt.give)
	}
}

func TestMatchOptionTitleWord(t *testing.T) {
	menu := []parley.QuickReply{
		{Title: "Seguir mi pedido", Payload: "track_order"},
		{Title: "Devolución o reembolso", Payload: "refund"},
		{Title: "Renovar mi plan", Payload: "renew_plan"},
		{Title: "Hablar con una persona", Payload: "human"},
	}
	for answer, want := range map[string]int{
		"reembolso":                 1,
		"Reembolso!":                1,
		"persona":                   3,
		"pedido":                    0,
		"plan":                      -1, // too short to stand for a title
		"mi":                        -1,
		"un reembolso de mi pedido": -1, // two options' words: not a single word
		"zapatos":                   -1,
	} {
		if got := matchOption(answer, menu, nil); got != want {
			t.Errorf("matchOption(%q) = %d, want %d", answer, got, want)
		}
	}
	two := []parley.QuickReply{{Title: "Refund my order"}, {Title: "Track my order"}}
	if got := matchOption("order", two, nil); got != -1 {
		t.Errorf("a word in two titles picked option %d", got)
	}
}
