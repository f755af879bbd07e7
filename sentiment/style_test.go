package sentiment

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/parleytest"
)

func TestAdapt(t *testing.T) {
	tests := []struct {
		name  string
		give  string
		last  []string
		brief bool
		want  string
	}{
		{"unchanged", "Your order ships today. Anything else?", nil, false, "Your order ships today. Anything else?"},
		{"keeps line breaks", "Your plans:\n- Basic\n- Plus", nil, false, "Your plans:\n- Basic\n- Plus"},
		{"repeat dropped", "Sorry, I didn't get that. Could you say it another way?", []string{"sorry i didn't get that"}, false, "Could you say it another way?"},
		{"repeated question kept", "Order numbers look like A-1234. What's your order number?", []string{"what's your order number"}, false, "Order numbers look like A-1234. What's your order number?"},
		{"a list's lead-in is never a repeat", "Sorry, I still didn't get that. I can help with:", []string{"that's not something i can help with here sorry", "i can help with"}, false,
			"Sorry, I still didn't get that. I can help with:"},
		{"a reply said again whole, lead-in included, is kept whole", "That's not something I can help with here, sorry. I can help with:",
			[]string{"that's not something i can help with here sorry", "i can help with"}, false, "That's not something I can help with here, sorry. I can help with:"},
		{"a list stays whole", "Sorry, I still didn't get that. I can help with:\n- Track my order\n- Renew my plan\n\nOr type human.",
			[]string{"i can help with", "track my order", "renew my plan", "or type human"}, false, "Sorry, I still didn't get that. I can help with:\n- Track my order\n- Renew my plan"},
		{"a reply said again whole, question included, is kept whole", `Your plan is already cancelled. Changed your mind? Type "human" and a teammate will restore it.`,
			[]string{"your plan is already cancelled", "changed your mind", "type human and a teammate will restore it"}, false,
			`Your plan is already cancelled. Changed your mind? Type "human" and a teammate will restore it.`},
		{"all repeated kept", "Sorry, I didn't get that.", []string{"sorry i didn't get that"}, false, "Sorry, I didn't get that."},
		{"brief drops fillers", "Thanks for reaching out! I'm sorry about the delay. Your refund is on its way.", nil, true, "I'm sorry about the delay. Your refund is on its way."},
		{"brief caps and keeps the question", "I'm sorry. Your parcel left on Monday. It is with the courier. It should arrive by Friday. Shall I send the tracking link?", nil, true, "I'm sorry. Your parcel left on Monday. Shall I send the tracking link?"},
		{"brief keeps links", "It ships in 2 days. Express ships today. More: see the help page.\n\nSource: Shipping? (https://shop.example/help)", nil, true, "It ships in 2 days. Express ships today.\n\nSource: Shipping? (https://shop.example/help)"},
		{"an answer given again keeps its text, not only its link", "Free over $50.\n\nSource: Cost? (https://x.example/a)", []string{"free over 50", "https x example a"}, false,
			"Free over $50.\n\nSource: Cost? (https://x.example/a)"},
		{"links are never repeats", "Free over $50.\n\nSource: Cost? (https://x.example/a)", []string{"https x example a"}, false, "Free over $50.\n\nSource: Cost? (https://x.example/a)"},
		{"closer dropped", "Your order shipped. Let me know if you need anything else!", nil, true, "Your order shipped."},
		{"brief keeps a lone filler", "Great!", nil, true, "Great!"},
		{"not brief keeps fillers", "Great question! It costs 9 euros.", nil, false, "Great question! It costs 9 euros."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keep := 0
			if strings.HasPrefix(tt.name, "brief caps") || strings.HasPrefix(tt.name, "brief keeps links") {
				keep = 2
			}
			got, _ := adapt(tt.give, tt.last, tt.brief, keep)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestStyle(t *testing.T) {
	h := Style()(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if err := w.Reply(ctx, parley.Text("Thanks for reaching out! Sorry, I didn't get that. Could you say it another way?")); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Message{QuickReplies: []parley.QuickReply{{Title: "Help"}}})
	}))
	ctx := context.Background()
	calm := parleytest.NewTurn("hello")
	sess := calm.Session()
	rec := parleytest.NewRecorder()
	require.NoError(t, h.HandleTurn(ctx, rec, calm))
	angry := parley.With(parleytest.NewTurn("this is useless", parleytest.WithSession(sess)), nlu.MoodKey, nlu.Mood{Label: "negative", Frustration: 0.9})
	require.NoError(t, h.HandleTurn(ctx, rec, angry))
	assert.Equal(t, []string{
		"Thanks for reaching out! Sorry, I didn't get that. Could you say it another way?",
		"",
		// The apology repeats the last reply and goes; the question is
		// asked again (questions always stay), the pleasantry goes too.
		"Could you say it another way?",
		"",
	}, rec.Texts())
	assert.True(t, Brief(angry))
	assert.False(t, Brief(calm))
}
